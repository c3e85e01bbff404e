#!/bin/sh
# Builds tests/c/test_ssis.c with x86_64-w64-mingw32-gcc against the committed
# header and the cross-built ssis_service.dll (through its import library),
# and runs it under Wine. The DLL is copied next to the program, as a
# Windows application ships it.
#   tests/windows/run-c.sh [<target dir>/x86_64-pc-windows-gnu/debug]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lib_dir=${1:-${CARGO_TARGET_DIR:-$root/target}/x86_64-pc-windows-gnu/debug}
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
x86_64-w64-mingw32-gcc -std=c99 -Wall -Wextra -Werror -pedantic -g -I "$root/include" \
    "$root/tests/c/test_ssis.c" -o "$build/test_ssis.exe" "$lib_dir/libssis_service.dll.a" \
    -static -pthread
cp "$lib_dir/ssis_service.dll" "$build/"
mkdir "$build/work"
"$here/wine-runner.sh" "$build/test_ssis.exe" "$build/work"
