#!/usr/bin/env bash
# Checks include/ssis_service.h: it equals a fresh cbindgen generation (tests/ffi_header.rs:
# regenerated into $OUT_DIR by build.rs, diffed with the committed file; also checks the
# version macros against Cargo.toml and the status enum against ErrorKind), and it compiles
# alone, included twice, as C99 and as C++.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== header: committed copy vs fresh cbindgen output"
cargo test -q --test it -- ffi_header::

printf '#include "ssis_service.h"\n#include "ssis_service.h"\nint main(void) { ssis_status st = SSIS_OK; return (int)st + (ssis_abi_version() == SSIS_ABI_VERSION ? 0 : 1); }\n' >"$tmp/twice.c"
echo "== header: gcc -std=c99 -pedantic"
"${CC:-gcc}" -std=c99 -pedantic -Wall -Wextra -Werror -I include -c "$tmp/twice.c" -o "$tmp/c.o"
echo "== header: g++ -x c++ -std=c++11"
"${CXX:-g++}" -x c++ -std=c++11 -pedantic -Wall -Wextra -Werror -I include -c "$tmp/twice.c" -o "$tmp/cpp.o"
nm "$tmp/cpp.o" | grep -q ' U ssis_abi_version$' || { echo "C++ object does not reference the unmangled ssis_abi_version: extern \"C\" missing?"; exit 1; }
echo "header: ok"
