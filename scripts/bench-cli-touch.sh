#!/usr/bin/env bash
# "Touch one CLI file, cargo build" in two built checkouts, alternating
# (docs/DEVELOPING.md): scripts/bench-cli-touch.sh <old-dir> <new-dir> [rounds]
# Both must have been built (`cargo build`) first; prints each round's wall
# time, the load average, and the medians.
set -eu
old=${1:?old checkout}; new=${2:?new checkout}; rounds=${3:-5}
cli_file() { [ -d "$1/crates/cli" ] && echo "$1/crates/cli/src/commands.rs" || echo "$1/src/cli/commands.rs"; }
one() { # dir -> seconds
  local s e
  touch "$(cli_file "$1")"
  s=$(date +%s.%N); (cd "$1" && cargo build -q) >/dev/null 2>&1; e=$(date +%s.%N)
  echo "$e - $s" | bc
}
declare -a o n
for _ in $(seq "$rounds"); do
  o+=("$(one "$old")"); n+=("$(one "$new")")
  printf "old %6.2f s  new %6.2f s  load %s\n" "${o[-1]}" "${n[-1]}" "$(cut -d' ' -f1 /proc/loadavg)"
done
median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mo=$(median "${o[@]}"); mn=$(median "${n[@]}")
printf "median old %.2f s, new %.2f s, ratio %.2f\n" "$mo" "$mn" "$(echo "$mn / $mo" | bc -l)"
