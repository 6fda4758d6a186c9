#!/bin/bash
# phases_perf.sh [--systemd] OCISTART [RUNS]: the phases of `run` of /bin/true for ocistart
# and crun side by side, from a few kernel tracepoints per run (perf record), so that the
# phases are those of untraced runs (phases.sh, with strace, inflates every system call).
# RUNS (default 20) of each, interleaved; medians (bench/README.md, "Phases of a run").
# Root only. cgroupfs: the private mount namespace of run_bench.sh (no empty cgroup2 at
# /sys/fs/cgroup/unified for crun 1.8, roots on a tmpfs); --systemd: --systemd-cgroup inside
# the private systemd of tests/integration/lib/private-systemd.sh.
set -euo pipefail
systemd=
if [ "${1:-}" = --systemd ]; then systemd=1; shift; fi
ocistart=$(realpath "$1")
runs=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
command -v perf >/dev/null || { echo "phases_perf.sh: perf missing (apt-get install linux-perf)" >&2; exit 1; }
if [ -z "$systemd" ]; then
  work=$(mktemp -d /tmp/ocistart-phases.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  "$here/lib/make-true-bundle" "$work/bundle"
  "$here/lib/pure-v1-ns" "$work" /usr/bin/python3 "$here/lib/phases_perf.py" --bundle "$work/bundle" \
    --state "$work/state" --runs "$runs" ocistart="$ocistart" crun="$(command -v crun)"
else
  # Outside /tmp: the private systemd gets a fresh /tmp.
  work=$(mktemp -d /var/lib/ocistart-phases.XXXXXX)
  . "$here/../tests/integration/lib/private-systemd.sh"
  trap 'psd_stop; rm -rf "$work"' EXIT
  "$here/lib/make-true-bundle" "$work/bundle"
  psd_boot
  psd_exec env TMPDIR="$work" /usr/bin/python3 "$here/lib/phases_perf.py" --bundle "$work/bundle" \
    --state /run/ocistart-phases --runs "$runs" --systemd ocistart="$ocistart" crun="$(command -v crun)"
fi
