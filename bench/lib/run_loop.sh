#!/bin/bash
# run_loop.sh BUNDLE STATE N FLAGS NAME=BINARY...: runs BUNDLE with each runtime N times,
# interleaved round by round, each with `--root STATE/NAME FLAGS run`; the order changes
# every round so that each runtime follows each other equally often (ops_bench.py's
# balanced_orders: a run right after runc's is 2-8 ms slower; in the fixed order ocistart,
# runc, crun of before, crun took all of that and ocistart / crun came out 0.3-0.4 too low;
# use N a multiple of 6). Prints "NAME ns" totals, or "NAME failed: <error>" for a runtime
# that cannot run the bundle here. Then 10 more rounds under GNU time, outside the timing,
# for "NAME rss KB": the largest peak RSS of a `run` (the runtime's own process, or its init
# if that grew larger).
set -uo pipefail
bundle=$1 state=$2 n=$3 flags=$4
shift 4
declare -A total bin
names=()
for spec in "$@"; do
  names+=("${spec%%=*}")
  bin[${spec%%=*}]=${spec#*=}
  total[${spec%%=*}]=0
done
lib=$(cd "$(dirname "$0")" && pwd)
cd "$bundle" || exit 1
read -ra orders < <(/usr/bin/python3 -c 'import sys; sys.path.insert(0, sys.argv[1])
from ops_bench import balanced_orders
print(" ".join("".join(map(str, o)) for o in balanced_orders(int(sys.argv[2]))))' \
  "$lib" "${#names[@]}")
for i in $(seq 1 "$n"); do
  order=${orders[$(( (i - 1) % ${#orders[@]} ))]}
  for (( j = 0; j < ${#order}; j++ )); do
    rt=${names[${order:j:1}]}
    [ -n "${bin[$rt]}" ] || continue
    t0=$(date +%s%N)
    # shellcheck disable=SC2086
    if ! err=$("${bin[$rt]}" --root "$state/$rt" $flags run "bench-$rt-$i" 2>&1 >/dev/null); then
      echo "$rt failed: $(echo "$err" | tail -1)"
      bin[$rt]=
      continue
    fi
    t1=$(date +%s%N)
    total[$rt]=$(( ${total[$rt]} + t1 - t0 ))
  done
done
for rt in "${names[@]}"; do
  [ -n "${bin[$rt]}" ] && echo "$rt ${total[$rt]}"
done
if [ -x /usr/bin/time ]; then
  declare -A rss
  for i in $(seq 1 10); do
    for rt in "${names[@]}"; do
      [ -n "${bin[$rt]}" ] || continue
      # shellcheck disable=SC2086
      kb=$(/usr/bin/time -f %M "${bin[$rt]}" --root "$state/$rt" $flags run "rss-$rt-$i" 2>&1 >/dev/null | tail -1)
      [ "$kb" -gt "${rss[$rt]:-0}" ] 2>/dev/null && rss[$rt]=$kb
    done
  done
  for rt in "${names[@]}"; do
    [ -n "${rss[$rt]:-}" ] && echo "$rt rss ${rss[$rt]}"
  done
fi
exit 0
