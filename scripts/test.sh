#!/usr/bin/env bash
# Runs every test. Installs what the tests need when it can (Debian, as root).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

need_pkgs=()
command -v valgrind >/dev/null || need_pkgs+=(valgrind)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${need_pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
  else
    echo "== missing ${need_pkgs[*]}: the tests that need them will say they were skipped"
  fi
fi

echo "== cargo test (library, binaries, integration tests, doctests; benches are built by clippy and run with cargo bench)"
cargo test
