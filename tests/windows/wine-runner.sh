#!/bin/sh
# Cargo's runner for x86_64-pc-windows-gnu: runs a cross-built executable
# under Wine, in this worktree's own prefix (never a shared one).
#   CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=tests/windows/wine-runner.sh
# tests/windows/setup.sh creates the prefix and installs the
# bcryptprimitives.dll shim first.
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${WINEPREFIX:=${CARGO_TARGET_DIR:-$root/target}/wine}"
: "${WINEDEBUG:=-all}"
export WINEPREFIX WINEDEBUG
# No Gecko/Mono install prompts.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
exec "$("$here/find-wine.sh")" "$@"
