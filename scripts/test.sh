#!/usr/bin/env bash
# Runs every test. Installs what the tests need when it can (Debian, as root);
# a suite whose tools cannot be had says plainly that it was skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

need_pkgs=()
command -v valgrind >/dev/null || need_pkgs+=(valgrind)
command -v gcc >/dev/null || need_pkgs+=(gcc)
{ command -v mcs >/dev/null && command -v mono >/dev/null; } || need_pkgs+=(mono-mcs mono-runtime)
# Remote-transport tests: a real sshd on loopback, the ssh client and ssh-keygen.
[ -x /usr/sbin/sshd ] || need_pkgs+=(openssh-server)
{ command -v ssh >/dev/null && command -v ssh-keygen >/dev/null; } || need_pkgs+=(openssh-client)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${need_pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
  else
    echo "== missing ${need_pkgs[*]}: the suites that need them will say they were skipped"
  fi
fi

if [ -n "${SSIS_TEST_SQLSERVER:-}" ]; then
  echo "== msdb: SSIS_TEST_SQLSERVER is set: tests/msdb_store.rs runs against that SQL Server"
else
  echo "== msdb: SSIS_TEST_SQLSERVER is not set: the real SQL Server run is skipped; the msdb tests run against the TDS test server (tests/support)"
fi

# Every suite this machine can run must run: a missing tool fails it (the
# suites that cannot exist here, Pester without pwsh and a real SQL Server,
# say "skipped" instead).
export SSIS_REQUIRE_ALL=1

failed=()
run() {
  local name="$1"; shift
  echo "== $name"
  if "$@"; then echo "== $name: ok"; else echo "== $name: FAILED"; failed+=("$name"); fi
}

# Library, binaries, integration tests, doctests (benches are built by clippy
# and run with `cargo bench`).
run "cargo test" cargo test --workspace
# The C program against the committed header: plain, valgrind, ASan/UBSan.
run "C API tests (tests/c/run.sh)" tests/c/run.sh
# The P/Invoke class PowerShell loads, compiled as C# 5 and run under Mono.
run "Mono P/Invoke tests (tests/dotnet/run.sh)" tests/dotnet/run.sh
# PowerShell module: tree-sitter parse and structure checks; Pester where pwsh exists.
run "PowerShell module checks (scripts/check-powershell.sh)" scripts/check-powershell.sh
# Windows: cross-built with mingw-w64 and run under Wine (installs both when missing).
run "Windows under Wine (scripts/windows-test.sh)" scripts/windows-test.sh

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
echo "all suites passed"
