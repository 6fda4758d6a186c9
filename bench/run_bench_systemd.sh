#!/bin/bash
# run_bench_systemd.sh OCISTART [N]: like run_bench.sh, with the systemd cgroup driver:
# ocistart, runc and crun all with --systemd-cgroup, inside a real systemd booted in private
# namespaces by tests/integration/lib/private-systemd.sh (the safe recipe). Its /run is a
# tmpfs, so the state roots are there. A runtime that cannot run here is reported, not timed
# (crun 1.8 refuses the hybrid layout this host has).
set -euo pipefail
ocistart=$(realpath "$1")
n=${2:-100}
here=$(cd "$(dirname "$0")" && pwd)
# Outside /tmp: the private systemd gets a fresh /tmp.
work=$(mktemp -d /var/lib/ocistart-bench.XXXXXX)
. "$here/../tests/integration/lib/private-systemd.sh"
trap 'psd_stop; rm -rf "$work"' EXIT
"$here/lib/make-true-bundle" "$work/bundle"
psd_boot
psd_exec "$here/lib/run_loop.sh" "$work/bundle" /run/ocistart-bench "$n" --systemd-cgroup \
  ocistart="$ocistart" runc="$(command -v runc)" crun="$(command -v crun)" | /usr/bin/python3 "$here/lib/report.py" "$n"
