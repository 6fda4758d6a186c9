#!/bin/bash
# phases.sh OCISTART [RUNS] [KEEP_DIR]: where the time of one `run` of /bin/true goes, for
# ocistart and crun side by side: RUNS (default 10) runs of each under `strace -f -ttt -T`,
# interleaved, split into phases (process start and loading, the sealed-binary re-exec,
# config, state dir, cgroup, clone, init setup, the user process, wait, delete); prints the
# median of each (bench/README.md, "Phases of a run"). KEEP_DIR keeps the traces. Root only.
# Same private mount namespace as run_bench.sh: no empty cgroup2 at /sys/fs/cgroup/unified
# (crun 1.8), state roots on a tmpfs.
set -euo pipefail
ocistart=$(realpath "$1")
runs=${2:-10}
keep=${3:+$(realpath -m "$3")}
here=$(cd "$(dirname "$0")" && pwd)
command -v strace >/dev/null || { echo "phases.sh: strace missing (apt-get install strace)" >&2; exit 1; }
work=$(mktemp -d /tmp/ocistart-phases.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$here/lib/make-true-bundle" "$work/bundle"
# The traces go to TMPDIR (WORK), unless KEEP_DIR; removed with it.
"$here/lib/pure-v1-ns" "$work" /usr/bin/python3 "$here/lib/phases.py" --bundle "$work/bundle" \
  --state "$work/state" --runs "$runs" ${keep:+--keep "$keep"} ocistart="$ocistart" crun="$(command -v crun)"
