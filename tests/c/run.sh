#!/usr/bin/env bash
# Builds the library and tests/c/test_ssis.c against the committed header, then runs the
# test: plain, under valgrind (when installed: no definite leak, no invalid access) and
# built with ASan/UBSan (when the compiler supports it). Also checks the header (see
# check-header.sh). Prints "N passed, M failed" and exits non-zero on any failure.
#
# The execution, event and service functions need a service: the script starts a real
# daemon (`ssis service run`, a separate process, never under valgrind) on a temporary
# socket and state directory, with a copy of examples/ plus tests/c/fixtures/ as its store
# (`\File System\Tests\Sleep` runs for a minute), passes its socket to the test program
# in $SSIS_TEST_SERVICE_SOCKET, and stops it on exit.
#
#   tests/c/run.sh            # debug library (default)
#   PROFILE=release tests/c/run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
profile="${PROFILE:-debug}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
lib_dir="$target_dir/$profile"

suites_passed=0
suites_failed=0
pass() { suites_passed=$((suites_passed + 1)); echo "ok: $1"; }
fail() { suites_failed=$((suites_failed + 1)); echo "FAILED: $1"; }

echo "== cargo build --lib --bin ssis ($profile)"
if [ "$profile" = release ]; then cargo build --lib --bin ssis --release; else cargo build --lib --bin ssis; fi
[ -f "$lib_dir/libssis_service.so" ] || { echo "no $lib_dir/libssis_service.so"; exit 1; }

if tests/c/check-header.sh; then pass "header"; else fail "header"; fi

# The library exports exactly the functions the header declares (no more, no fewer).
declared="$(grep -E '^[^ #/].*ssis_[a-z_]+\(' include/ssis_service.h | grep -oE 'ssis_[a-z_]+\(' | tr -d '(' | sort)"
exported="$(nm -D --defined-only "$lib_dir/libssis_service.so" | awk '$2 == "T" && $3 ~ /^ssis_/ {print $3}' | sort)"
if [ -n "$declared" ] && [ "$declared" = "$exported" ]; then
  pass "exports match the header ($(echo "$declared" | wc -l) functions)"
else
  diff <(echo "$declared") <(echo "$exported") || true
  fail "exports match the header"
fi
# -z nodelete: dlclose() must never unmap the library while its runtime threads exist.
if readelf -d "$lib_dir/libssis_service.so" | grep -q 'NODELETE'; then pass "linked -z nodelete"; else fail "linked -z nodelete"; fi

build="$(mktemp -d)"
# shellcheck source=tests/c/service.sh
. "$root/tests/c/service.sh"
trap 'stop_service; rm -rf "$build"' EXIT
cc="${CC:-gcc}"
cflags=(-std=c99 -Wall -Wextra -Werror -pedantic -g -I include)
ldflags=(-L "$lib_dir" -Wl,-rpath,"$lib_dir" -lssis_service -pthread)

echo "== $cc test_ssis.c"
"$cc" "${cflags[@]}" tests/c/test_ssis.c -o "$build/test_ssis" "${ldflags[@]}"

examples_args=()
if [ -f examples/MsDtsSrvr.ini.xml ] && [ -d examples/Packages ]; then
  mkdir -p "$build/examples"
  cp -R examples/MsDtsSrvr.ini.xml examples/Packages "$build/examples/"
  examples_args=("$build/examples")
fi

run_case() { # name, command...
  local name="$1"; shift
  local work; work="$(mktemp -d "$build/work.XXXXXX")"
  echo "== $name"
  if "$@" "$work" "${examples_args[@]}"; then pass "$name"; else fail "$name"; fi
}

if start_service "$target_dir/$profile/ssis" "$build/service"; then
  pass "service started ($SSIS_TEST_SERVICE_SOCKET)"
else
  fail "service started"
fi

run_case "test_ssis" "$build/test_ssis"

# Every function the header declares is called when the C test runs (not just named in
# its source): a coverage build, then gcov's count for the lines that call each one.
echo "== test_ssis with coverage: every declared function is called"
mkdir -p "$build/cov"
"$cc" "${cflags[@]}" -O0 --coverage -c "$root/tests/c/test_ssis.c" -o "$build/cov/test_ssis.o"
"$cc" --coverage "$build/cov/test_ssis.o" -o "$build/cov/test_ssis" "${ldflags[@]}"
cov_work="$(mktemp -d "$build/work.XXXXXX")"
if "$build/cov/test_ssis" "$cov_work" "${examples_args[@]}" >"$build/cov/out.txt" 2>&1 \
  && (cd "$build/cov" && gcov -o . "$root/tests/c/test_ssis.c" >/dev/null); then
  never_called=()
  for f in $declared; do
    # gcov lines: "<count, ##### (never ran) or - (no code)>:<line>:<source>"; a call
    # counts when its line ran, or for a "-" line (inside a statement spread over several
    # lines), the statement's line before it; never in a comment.
    if ! awk -F: -v f="$f(" '
      $1 ~ /[0-9]/ { ran = 1 } $1 ~ /#####/ { ran = 0 }
      { src = $0; sub(/^[^:]*:[^:]*:[ \t]*/, "", src) }
      index(src, f) && ran && src !~ /^(\/\/|\/\*|\*)/ { found = 1 }
      END { exit !found }' \
      "$build/cov/test_ssis.c.gcov"; then
      never_called+=("$f")
    fi
  done
  if [ ${#never_called[@]} -eq 0 ]; then
    pass "every declared function is called at run time"
  else
    fail "functions never called when test_ssis runs: ${never_called[*]}"
  fi
else
  cat "$build/cov/out.txt"
  fail "test_ssis with coverage"
fi

# --child-silent-after-fork: the fork() test's child cannot free what the runtime threads
# own (they do not exist in a child); it reports its verdict through a pipe instead.
if command -v valgrind >/dev/null; then
  run_case "test_ssis under valgrind" valgrind -q --leak-check=full --show-possibly-lost=no \
    --errors-for-leak-kinds=definite --error-exitcode=1 --child-silent-after-fork=yes "$build/test_ssis"
else
  echo "== valgrind not installed: skipped (apt-get install valgrind)"
  [ "${SSIS_REQUIRE_ALL:-0}" = 1 ] && fail "valgrind run (valgrind is required: SSIS_REQUIRE_ALL=1)"
fi

# Sanitizers instrument the C side (the Rust library is not rebuilt): bad frees, overflows,
# use after free of library strings, undefined behaviour in the test itself.
if "$cc" -fsanitize=address,undefined -x c -o "$build/probe" - <<<'int main(void){return 0;}' 2>/dev/null \
  && "$build/probe"; then
  "$cc" "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer tests/c/test_ssis.c \
    -o "$build/test_ssis_asan" "${ldflags[@]}"
  # detect_leaks: LeakSanitizer does not run under ptrace-restricted sandboxes; valgrind covers leaks.
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_case "test_ssis with ASan/UBSan" "$build/test_ssis_asan"
else
  echo "== ASan/UBSan not available: skipped"
  [ "${SSIS_REQUIRE_ALL:-0}" = 1 ] && fail "ASan/UBSan run (sanitizers are required: SSIS_REQUIRE_ALL=1)"
fi

if stop_service; then pass "service stopped"; else fail "service stopped"; fi

echo "capi: $suites_passed passed, $suites_failed failed"
[ "$suites_failed" -eq 0 ]
