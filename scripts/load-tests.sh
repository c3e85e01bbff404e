#!/usr/bin/env bash
# Load and performance tests: the `#[ignore]`d tests of the workspace (50
# clients x 1,000 requests, 200 concurrent executions, the bad-token flood,
# msdb round trips, TLS/ssh round trips). CI runs this as its own step after
# the README's test command; `cargo test` alone leaves them out.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
# killed_writer_child is the child process of a crash test, not a load test.
exec cargo test --workspace --no-fail-fast -- --ignored --nocapture --skip killed_writer_child "$@"
