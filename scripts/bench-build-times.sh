#!/usr/bin/env bash
# Build and test timings of two revisions in one sitting (docs/DEVELOPING.md):
#   scripts/bench-build-times.sh <old-rev> <new-rev> [log]
# Each revision gets its own worktree and target folder; steps alternate
# old/new so both see the same machine load. Prints one line per step.
set -u
old=${1:?old revision}; new=${2:?new revision}; log=${3:-/dev/stdout}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
git -C "$root" worktree add -q --detach "$work/old" "$old"
git -C "$root" worktree add -q --detach "$work/new" "$new"
cli_file() { [ -d "$1/crates/cli" ] && echo crates/cli/src/commands.rs || echo src/cli/commands.rs; }
t() { # label dir cmd...
  local label=$1 dir=$2; shift 2
  local l0 s e rc
  l0=$(cut -d' ' -f1 /proc/loadavg); s=$(date +%s.%N)
  (cd "$dir" && "$@") >/dev/null 2>&1; rc=$?
  e=$(date +%s.%N)
  printf "%-36s %-4s %7.1f s  rc=%s load=%s\n" "$label" "$(basename "$dir")" "$(echo "$e - $s" | bc)" "$rc" "$l0" >>"$log"
}
echo "== $(date -u) nproc=$(nproc) old=$old new=$new" >>"$log"
for d in "$work/old" "$work/new"; do t "clean cargo build" "$d" cargo build; done
for d in "$work/old" "$work/new"; do t "cargo test --no-run (test targets)" "$d" cargo test --workspace --no-run; done
for d in "$work/old" "$work/new"; do t "touch one CLI file, cargo build" "$d" bash -c "touch $(cli_file "$d") && cargo build"; done
for d in "$work/old" "$work/new"; do t "empty commit, cargo build" "$d" bash -c 'git commit -q --allow-empty -m empty && cargo build'; done
for d in "$work/old" "$work/new"; do t "empty commit, cargo test --no-run" "$d" bash -c 'git commit -q --allow-empty -m empty2 && cargo test --workspace --no-run'; done
for d in "$work/old" "$work/new"; do t "cargo test (default run, built)" "$d" cargo test --workspace --no-fail-fast; done
git -C "$root" worktree remove --force "$work/old"
git -C "$root" worktree remove --force "$work/new"
rm -rf "$work"
