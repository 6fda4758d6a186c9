#!/bin/bash
# run_bench.sh OCISTART [N] [BASELINE]: `run` of /bin/true N times (default 100) for
# ocistart, runc and crun on the same busybox bundle with the cgroupfs driver, interleaved
# round by round so that machine noise hits all three alike; prints mean ms per run, peak
# RSS and ocistart's ratio to each. BASELINE, another ocistart binary (the build before a
# change), runs in the same rounds as "baseline": the change's cost is ocistart / baseline.
# Root only.
#
# crun 1.8 refuses a hybrid cgroup layout ("cgroups in hybrid mode not supported"), so all
# three run inside one private mount namespace where the empty cgroup2 at
# /sys/fs/cgroup/unified is unmounted: every runtime sees the same pure-v1 host. Their
# --root dirs live on a tmpfs there, as /run is on real hosts (here /run is on the disk,
# where ocistart's fsync of state.json would be measured instead of the runtime).
set -euo pipefail
ocistart=$(realpath "$1")
n=${2:-100}
baseline=${3:+$(realpath "$3")}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/ocistart-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$here/lib/make-true-bundle" "$work/bundle"
"$here/lib/pure-v1-ns" "$work" "$here/lib/run_loop.sh" "$work/bundle" "$work/state" "$n" "" \
  ocistart="$ocistart" ${baseline:+baseline="$baseline"} runc="$(command -v runc)" crun="$(command -v crun)" |
  /usr/bin/python3 "$here/lib/report.py" "$n"
