#!/bin/bash
# ops_bench.sh [--systemd] [--baseline BIN] OCISTART [N] [-- OPS_BENCH_ARGS...]: the commands an engine runs,
# timed for ocistart, crun and runc on the same busybox bundle, interleaved round by round:
# run, create+start+delete, exec and state into a running container, list with 1,000
# containers in the root, and 50 `run -d` at once. Prints mean ms per operation, ocistart's
# ratios and peak RSS (bench/README.md, "Lifecycle commands"). Root only.
#
# Without --systemd: the cgroupfs driver, in a private mount namespace where the empty
# cgroup2 at /sys/fs/cgroup/unified is unmounted (crun 1.8 refuses hybrid layouts) and the
# --root dirs are on a tmpfs, as run_bench.sh does. With --systemd: all three with
# --systemd-cgroup inside the private systemd of tests/integration/lib/private-systemd.sh,
# booted and stopped as run_bench_systemd.sh does (it takes /root/.ocistart-exclusive.lock).
# A runtime that fails a row is reported with its error and skipped in that group of rows.
# OPS_BENCH_ARGS go to lib/ops_bench.py, e.g. --only run,exec --list-containers 200.
# --baseline BIN: another ocistart (the build before a change) in the same rounds, as
# "baseline".
set -euo pipefail
systemd=
baseline=
if [ "${1:-}" = --systemd ]; then systemd=1; shift; fi
if [ "${1:-}" = --baseline ]; then baseline=$(realpath "$2"); shift 2; fi
ocistart=$(realpath "$1")
n=${2:-100}
shift $(( $# >= 2 ? 2 : 1 ))
[ "${1:-}" = -- ] && shift
here=$(cd "$(dirname "$0")" && pwd)
runtimes=(ocistart="$ocistart" crun="$(command -v crun)" runc="$(command -v runc)")
[ -n "$baseline" ] && runtimes+=(baseline="$baseline")

if [ -z "$systemd" ]; then
  work=$(mktemp -d /tmp/ocistart-ops-bench.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  "$here/lib/make-true-bundle" "$work/bundle"
  "$here/lib/pure-v1-ns" "$work" /usr/bin/python3 "$here/lib/ops_bench.py" --bundle "$work/bundle" \
    --state "$work/state" -n "$n" "$@" "${runtimes[@]}"
else
  # Outside /tmp: the private systemd gets a fresh /tmp.
  work=$(mktemp -d /var/lib/ocistart-ops-bench.XXXXXX)
  . "$here/../tests/integration/lib/private-systemd.sh"
  trap 'psd_stop; rm -rf "$work"' EXIT
  "$here/lib/make-true-bundle" "$work/bundle"
  psd_boot
  psd_exec env TMPDIR="$work" /usr/bin/python3 "$here/lib/ops_bench.py" --bundle "$work/bundle" \
    --state /run/ocistart-ops-bench -n "$n" --flags=--systemd-cgroup "$@" "${runtimes[@]}"
fi
