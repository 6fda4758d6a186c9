#!/bin/bash
# run_bench.sh OCISTART [N]: `run` of /bin/true N times (default 100) for ocistart, runc and
# crun on the same busybox bundle, interleaved round by round so that machine noise hits
# all three alike; prints mean ms per run and ocistart's ratio to each. Root only.
#
# crun 1.8 refuses a hybrid cgroup layout ("cgroups in hybrid mode not supported"), so all
# three run inside one private mount namespace where the empty cgroup2 at
# /sys/fs/cgroup/unified is unmounted: every runtime sees the same pure-v1 host. Their
# --root dirs live on a tmpfs there, as /run is on real hosts (here /run is on the disk,
# where ocistart's fsync of state.json would be measured instead of the runtime).
set -euo pipefail
ocistart=$(realpath "$1")
n=${2:-100}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/ocistart-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$here/../tools/make-bundle" "$work/bundle" >/dev/null
(cd "$work/bundle" && runc spec && python3 - <<'PY'
import json
c = json.load(open("config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open("config.json", "w"))
PY
)
runtimes=(ocistart runc crun)
declare -A bin=([ocistart]=$ocistart [runc]=$(command -v runc || true) [crun]=$(command -v crun || true))
export work n ocistart
unshare --mount --propagation private bash -c '
  set -euo pipefail
  mountpoint -q /sys/fs/cgroup/unified && umount /sys/fs/cgroup/unified
  mkdir -p "$work/state" && mount -t tmpfs -o mode=700 tmpfs "$work/state"
  declare -A total
  for rt in ocistart runc crun; do total[$rt]=0; done
  declare -A bin=([ocistart]=$ocistart [runc]='"${bin[runc]}"' [crun]='"${bin[crun]}"')
  cd "$work/bundle"
  for i in $(seq 1 "$n"); do
    for rt in ocistart runc crun; do
      [ -n "${bin[$rt]}" ] || continue
      t0=$(date +%s%N)
      "${bin[$rt]}" --root "$work/state/$rt" run "bench-$rt-$i" >/dev/null
      t1=$(date +%s%N)
      total[$rt]=$(( ${total[$rt]} + t1 - t0 ))
    done
  done
  for rt in ocistart runc crun; do
    [ -n "${bin[$rt]}" ] || { echo "$rt: not installed"; continue; }
    echo "$rt ${total[$rt]}"
  done
' | python3 -c '
import sys
n = int(sys.argv[1])
t = {}
for line in sys.stdin:
    name, *rest = line.split()
    if rest and rest[0].isdigit():
        t[name] = int(rest[0])
    else:
        print(line.strip())
for name, ns in t.items():
    print(f"{name:9s} {ns / n / 1e6:8.2f} ms per run ({n} runs)")
for other in ("runc", "crun"):
    if other in t and "ocistart" in t:
        ratio = t["ocistart"] / t[other]
        print(f"ocistart / {other}: {ratio:.2f}x wall time")
' "$n"
