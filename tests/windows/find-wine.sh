#!/bin/sh
# Prints the Wine loader for 64-bit programs: Debian 12's wine64 package puts
# it in /usr/lib/wine/wine64 and not on PATH.
for w in "${WINE:-}" "$(command -v wine64 2>/dev/null)" /usr/lib/wine/wine64 \
    /usr/lib/x86_64-linux-gnu/wine/wine64 "$(command -v wine 2>/dev/null)"; do
    if [ -n "$w" ] && [ -x "$w" ]; then
        echo "$w"
        exit 0
    fi
done
echo "wine64 not found (apt-get install wine64)" >&2
exit 127
