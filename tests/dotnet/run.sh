#!/usr/bin/env bash
# Compiles powershell/SsisService/SsisNative.cs with the test program using mcs (C# 5, as
# Windows PowerShell 5.1's Add-Type would) and runs it under mono against the built library.
# Prints "N passed, M failed"; exits non-zero on failure. Run under Mono's method trace, it
# also checks that every function the header declares was called through its wrapper. Needs mono-mcs and mono-runtime
# (Debian); installs them when run as root with apt-get, else skips with a message
# (exit 0 unless SSIS_REQUIRE_MONO=1). Like tests/c/run.sh, it starts a real service
# (tests/c/service.sh) for the execution, event and service functions and stops it on exit.
#
#   tests/dotnet/run.sh               # debug library (default)
#   PROFILE=release tests/dotnet/run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
profile="${PROFILE:-debug}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
lib_dir="$target_dir/$profile"

if ! command -v mcs >/dev/null || ! command -v mono >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing mono-mcs mono-runtime"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mono-mcs mono-runtime >/dev/null
  fi
fi
if ! command -v mcs >/dev/null || ! command -v mono >/dev/null; then
  echo "== mono not installed: .NET P/Invoke tests skipped"
  [ "${SSIS_REQUIRE_MONO:-0}" = 1 ] || [ "${SSIS_REQUIRE_ALL:-0}" = 1 ] && exit 1
  exit 0
fi

echo "== cargo build --lib --bin ssis ($profile)"
if [ "$profile" = release ]; then cargo build --lib --bin ssis --release; else cargo build --lib --bin ssis; fi

build="$(mktemp -d)"
# shellcheck source=tests/c/service.sh
. "$root/tests/c/service.sh"
trap 'stop_service; rm -rf "$build"' EXIT
# The binding is built as scripts/package-powershell.sh ships it (SsisNative.dll, C# 5,
# .NET Framework 4.x profile: loadable by Windows PowerShell 5.1 and PowerShell 7), and the
# test program references that assembly.
echo "== mcs -langversion:5 -target:library (SsisNative.dll, as shipped)"
mcs -langversion:5 -warnaserror -nologo -optimize+ -target:library -out:"$build/SsisNative.dll" \
  powershell/SsisService/SsisNative.cs
echo "== mcs -langversion:5 (tests)"
mcs -langversion:5 -warnaserror -nologo -target:exe -r:"$build/SsisNative.dll" -out:"$build/SsisNativeTests.exe" \
  tests/dotnet/SsisNativeTests.cs
mkdir -p "$build/work"
examples_args=()
if [ -f examples/MsDtsSrvr.ini.xml ] && [ -d examples/Packages ]; then
  mkdir -p "$build/examples"
  cp -R examples/MsDtsSrvr.ini.xml examples/Packages "$build/examples/"
  examples_args=("$build/examples")
fi
if ! start_service "$target_dir/$profile/ssis" "$build/service"; then
  echo "0 passed, 1 failed"
  exit 1
fi
echo "== mono SsisNativeTests.exe"
# Mono resolves DllImport("ssis_service") to libssis_service.so on LD_LIBRARY_PATH.
SSIS_TEST_LIBRARY="$lib_dir/libssis_service.so" \
LD_LIBRARY_PATH="$lib_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" SSIS_SERVICE_CONFIG="$build/work/MsDtsSrvr.ini.xml" \
  mono --debug --trace=N:SsisService "$build/SsisNativeTests.exe" "$build/work" "${examples_args[@]}" \
  >"$build/out.txt" 2>&1 || status=$?
# The test's own output; Mono's trace (--trace: every method of the binding
# entered) stays in the file.
grep -E '^(FAIL: |usage: |service tests skipped|[0-9]+ passed, [0-9]+ failed|Unhandled Exception|\[ERROR\])' "$build/out.txt" || true
# A failed run: everything it printed but the trace.
[ "${status:-0}" = 0 ] || grep -v 'ENTER:\|LEAVE:' "$build/out.txt" | tail -40
# Every function the header declares is called through its wrapper when the
# test runs (not only named in its source): ssis_list_folders -> ListFolders.
# ssis_string_free and ssis_disconnect are called inside the binding.
never=()
for f in $(grep -E '^[^ #/].*ssis_[a-z_]+\(' include/ssis_service.h | grep -oE 'ssis_[a-z_]+\(' | tr -d '(' | sort -u); do
  case "$f" in ssis_string_free|ssis_disconnect) continue ;; esac
  wrapper="$(echo "${f#ssis_}" | awk -F_ '{for (i = 1; i <= NF; i++) printf "%s", toupper(substr($i, 1, 1)) substr($i, 2)}')"
  grep -q "ENTER: SsisService.SsisNative:$wrapper " "$build/out.txt" || never+=("$f ($wrapper)")
done
if [ ${#never[@]} -eq 0 ]; then
  echo "ok: every declared function is called through SsisNative when the tests run"
else
  echo "FAILED: never called when the tests run: ${never[*]}"
  status=1
fi
if ! stop_service; then
  echo "FAILED: the service did not stop cleanly"
  status=1
fi
exit "${status:-0}"
