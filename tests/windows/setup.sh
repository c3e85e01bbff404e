#!/bin/sh
# Prepares this worktree's Wine prefix for the cross-built tests:
#   - creates it (wineboot) under $WINEPREFIX (default <target dir>/wine);
#   - builds the bcryptprimitives.dll shim (Wine 8 lacks ProcessPrng, which
#     Rust's std uses) with mingw-w64 and installs it into the prefix's system32.
# Idempotent; never touches another prefix.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${WINEPREFIX:=${CARGO_TARGET_DIR:-$root/target}/wine}"
export WINEPREFIX WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
wine=$("$here/find-wine.sh")
sys32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -d "$sys32" ]; then
    mkdir -p "$WINEPREFIX"
    "$wine" wineboot -i >/dev/null 2>&1 || true
    # wineboot returns before the prefix is fully written.
    i=0
    while [ ! -f "$sys32/kernel32.dll" ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
fi
[ -f "$sys32/kernel32.dll" ] || { echo "Wine prefix $WINEPREFIX was not created" >&2; exit 1; }
shim="$sys32/bcryptprimitives.dll"
if [ ! -f "$shim" ] || [ "$here/bcryptprimitives_shim.c" -nt "$shim" ]; then
    x86_64-w64-mingw32-gcc -shared -O2 -o "$shim" "$here/bcryptprimitives_shim.c" -ladvapi32
fi
echo "Wine prefix ready: $WINEPREFIX"
