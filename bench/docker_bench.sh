#!/bin/bash
# docker_bench.sh OCISTART [N]: `docker run --rm IMG true` N times (default 20) with
# `--runtime ocistart` (OCISTART) and with Docker's default runtime runc, interleaved round
# by round (the order alternating) so that machine noise hits both alike; prints each one's
# median, mean, min and max wall time and ocistart's ratio to runc. Root only; not part of
# tools/test.
#
# The daemons are the docker test's (tests/integration/lib/engines.sh): a private
# containerd and dockerd (vfs, --network none), stopped and removed afterwards, under
# /root/.ocistart-exclusive.lock. Their run-time state (containerd's state dir, dockerd's
# exec root, where the runtimes keep theirs) is on a tmpfs, as /run is on real hosts.
# What is measured is the whole client round trip: dockerd, containerd, the shim and the
# runtime's create, start and delete; the runtime is one part of it.
. "$(dirname "$(readlink -f "$0")")/../tests/integration/lib/engines.sh"
engines_need /usr/bin/docker /usr/sbin/dockerd
N=${2:-20}
IMG=ocistart-busybox:bench

exclusive_lock 600 docker_bench || exit 1
{ start_containerd && start_dockerd; } >&2 || { echo "docker_bench: the daemons did not start" >&2; exit 1; }
engines_rootfs "$WORK/image" && tar -C "$WORK/image/rootfs" -c . | dk import - "$IMG" >/dev/null ||
  { echo "docker_bench: docker import failed" >&2; exit 1; }
echo "docker $(dk version -f '{{.Server.Version}}'), containerd $(/usr/bin/containerd --version | awk '{print $3}'), runc: $(command -v runc) $(runc --version | awk 'NR == 1 {print $3}'), ocistart: $OCISTART"

# one RUNTIME: one `docker run --rm`, its wall time in ms on stdout; fails on a non-zero exit.
one() {
  local start rc
  start=${EPOCHREALTIME/./}
  DK_TIMEOUT=60 dk run --rm --runtime "$1" --network none "$IMG" true </dev/null >/dev/null 2>"$WORK/err"
  rc=$?
  if [ $rc != 0 ]; then echo "docker_bench: --runtime $1: exit $rc: $(head -c 300 "$WORK/err")" >&2; return 1; fi
  echo $(( (${EPOCHREALTIME/./} - start) / 1000 ))
}
one ocistart >/dev/null && one runc >/dev/null || exit 1  # warm-up: caches, first-run setup
: >"$WORK/times"
for ((i = 1; i <= N; i++)); do
  if ((i % 2)); then order="ocistart runc"; else order="runc ocistart"; fi
  for rt in $order; do
    ms=$(one "$rt") || exit 1
    echo "$rt $ms" >>"$WORK/times"
  done
done
/usr/bin/python3 - "$WORK/times" "$N" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    rt, ms = line.split()
    times.setdefault(rt, []).append(int(ms))
print(f"docker run --rm IMG true, {sys.argv[2]} runs each, interleaved (wall ms):")
print(f"{'runtime':10} {'median':>8} {'mean':>8} {'min':>8} {'max':>8}")
for rt in ("ocistart", "runc"):
    t = times[rt]
    print(f"{rt:10} {statistics.median(t):8.0f} {statistics.mean(t):8.0f} {min(t):8d} {max(t):8d}")
o, r = times["ocistart"], times["runc"]
print(f"ocistart / runc: median {statistics.median(o) / statistics.median(r):.2f}, "
      f"mean {statistics.mean(o) / statistics.mean(r):.2f}")
PY
