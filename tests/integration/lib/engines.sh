# Sourced by docker.sh and ctr.sh: Debian's containerd (and dockerd) started privately for
# one test, driving the ocistart binary given as the test's first argument, and everything
# they made removed again.
#
#  - One temp dir WORK holds every root, state dir, socket, pid file and log; one cgroup
#    path CG_TOP (/ocistart-engines-XXXXXX in every hierarchy) holds the daemons
#    (CG_TOP/daemons, pids hierarchy: the shims they fork stay there) and the containers
#    (CG_TOP/docker/<id>, CG_TOP/ctr/<id>).
#  - The daemons are started as children of this shell and stopped by their pids; what is
#    left in CG_TOP (shims, container processes) is killed by the pids in its cgroup.procs.
#  - /root/.ocistart-exclusive.lock (lib/exclusive.sh) is held while they run: dockerd and
#    containerd must never run alongside a private systemd (same host cgroup hierarchies).
#  - Every client call is bounded (lib/bounded.sh): a hang fails a check naming what hung.
# Prints TAP: `ok N - what`, `not ok N - what: why`, then `1..N`.
set -u
OCISTART=$(readlink -f "${1:?usage: $0 /path/to/ocistart}")
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)  # tests/integration
SRC=$(cd "$HERE/../.." && pwd)
TEST_NAME=$(basename "$0" .sh)

if [ "$(id -u)" != 0 ]; then echo "SKIP: not root"; exit 77; fi
engines_need() {  # path... : SKIP unless each is an executable
  local p
  for p in "$@"; do
    [ -x "$p" ] || { echo "SKIP: $p missing (tools/deps installs docker.io, containerd, busybox-static)"; exit 77; }
  done
}
engines_need /usr/bin/containerd /usr/bin/ctr /usr/bin/containerd-shim-runc-v2 /bin/busybox /usr/bin/script \
  /usr/bin/timeout /usr/bin/flock
[ -x "$OCISTART" ] || { echo "Bail out! $OCISTART is not an executable"; exit 1; }

WORK=$(mktemp -d "/tmp/ocistart-$TEST_NAME.XXXXXX")
HUNG_LOG=$WORK.hung  # outlives WORK: cleanup's own hangs are reported too
CG_TOP=/ocistart-engines-${WORK##*.}
FAILS=0
N=0
CONTAINERD_PID=
DOCKERD_PID=
CONTAINERD_SOCK=$WORK/containerd.sock
# Run-time state (containerd's state dir, dockerd's exec root, the runtimes' roots in it) on
# a tmpfs, as /run is on real hosts: here /run is on the disk, where a docker run took 2 s
# instead of 0.6 (ENGINES_RUN_TMPFS=no keeps it on the disk).
RUN_DIR=$WORK/run
# The runc shim keeps its sockets in /run/containerd/s whatever the config says.
RUN_CONTAINERD_EXISTED=$([ -e /run/containerd ] && echo yes)
SHIM_SOCKETS_BEFORE=$(ls /run/containerd/s 2>/dev/null | sort)
ETC_DOCKER_KEY_EXISTED=$([ -e /etc/docker/key.json ] && echo yes)
SYSCTLS="/proc/sys/kernel/keys/root_maxkeys /proc/sys/kernel/keys/root_maxbytes /proc/sys/net/ipv4/ip_forward"
SYSCTLS_BEFORE=$(cat $SYSCTLS 2>/dev/null | tr '\n' ' ')
LINKS_BEFORE=$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sort | tr '\n' ' ')

ok() { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }
fail() { not_ok "$@"; }
expect_eq() {  # what expected actual
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected [$2], got [$3]"; fi
}
expect_contains() {  # what needle haystack
  case "$3" in *"$2"*) ok "$1" ;; *) not_ok "$1: [$2] not in [$3]" ;; esac
}
# shellcheck source=bounded.sh
. "$HERE/lib/bounded.sh"
# shellcheck source=exclusive.sh
. "$HERE/lib/exclusive.sh"
# shellcheck source=containerd_toml.sh
. "$HERE/lib/containerd_toml.sh"

# The cgroup files the tests read are v1's (this kind of machine is hybrid: controllers
# on v1); on a v2-only host those checks are skipped (`ok N - ... # SKIP`).
CGROUP_V1=$([ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/freezer ] && echo yes)
skip_unless_v1() {  # what
  [ -n "$CGROUP_V1" ] && return 0
  ok "$1 # SKIP no cgroup v1 memory and freezer hierarchies"
  return 1
}

# Every cgroup hierarchy mounted here (v1 controllers, name=systemd, the cgroup2 one).
cg_mounts() { findmnt -rn -t cgroup,cgroup2 -o TARGET; }
# The hierarchy that lists every process of a subtree: pids on v1, else the first one.
cg_pids_mount() {
  if [ -d /sys/fs/cgroup/pids ]; then echo /sys/fs/cgroup/pids; else cg_mounts | head -n 1; fi
}
# Mount points under WORK (findmnt -r escapes blanks, WORK has none).
mounts_in_work() { findmnt -rn -o TARGET | awk -v w="$WORK/" 'index($0, w) == 1'; }
# Processes whose root directory is under WORK: containers (a runtime that put one outside
# CG_TOP would leave it there).
pids_rooted_in_work() {
  local p r
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    case "$r" in "$WORK"/*) echo "${p#/proc/}" ;; esac
  done
}
# Pids in CG_TOP's subtree, across all hierarchies.
cg_top_pids() {
  local m
  for m in $(cg_mounts); do
    [ -d "$m$CG_TOP" ] && find "$m$CG_TOP" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -un
}

# A busybox rootfs at DIR (tools/make-bundle), plus a user with a home for the HOME checks.
engines_rootfs() {  # dir
  "$SRC/tools/make-bundle" "$1" >/dev/null || return 1
  echo 'app:x:1000:1000:app:/home/app:/bin/sh' >>"$1/rootfs/etc/passwd"
  echo 'app:x:1000:' >>"$1/rootfs/etc/group"
  mkdir -p "$1/rootfs/home/app" && chown 1000:1000 "$1/rootfs/home/app"
}

# start_containerd: our own containerd (own config, root, state, sockets), in CG_TOP/daemons.
start_containerd() {
  mkdir -p "$WORK/containerd/root" "$RUN_DIR" "$(cg_pids_mount)$CG_TOP/daemons"
  if [ "${ENGINES_RUN_TMPFS:-yes}" = yes ] && ! mountpoint -q "$RUN_DIR"; then
    mount -t tmpfs -o mode=700 tmpfs "$RUN_DIR" || return 1
  fi
  mkdir -p "$RUN_DIR/containerd"
  containerd_toml "$WORK/containerd/root" "$RUN_DIR/containerd" "$CONTAINERD_SOCK" >"$WORK/containerd.toml"
  (
    echo "$BASHPID" >"$(cg_pids_mount)$CG_TOP/daemons/cgroup.procs"
    exec /usr/bin/containerd --config "$WORK/containerd.toml"
  ) </dev/null >"$WORK/containerd.log" 2>&1 &
  CONTAINERD_PID=$!
  if ! wait_until 30 "containerd (pid $CONTAINERD_PID) to answer on $CONTAINERD_SOCK" \
       /usr/bin/ctr --address "$CONTAINERD_SOCK" version; then
    echo "# containerd log:"; tail -n 20 "$WORK/containerd.log" | sed 's/^/#   /'
    return 1
  fi
}

# Docker: Debian's client (/usr/local/bin/docker may be a newer one that shadows it on
# PATH), talking to our dockerd only, with its own config dir (not ~/.docker).
DOCKER_SOCK=$WORK/docker.sock
DOCKER_CMD=(/usr/bin/docker -H "unix://$DOCKER_SOCK")
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
export DOCKER_CONFIG=$WORK/client
# dk ARGS...: the docker client, bounded (DK_TIMEOUT seconds, default 20; with runc no
# call in these tests takes more than 5).
dk() { bounded "${DK_TIMEOUT:-20}" "${DOCKER_CMD[@]}" "$@"; }

# start_dockerd: our own dockerd on our containerd (start_containerd first), in
# CG_TOP/daemons, with runtime `ocistart` = OCISTART. Nothing on the host changes: its own
# config file, data root, exec root, pid file and socket; vfs; no bridge, iptables or ip
# forwarding; containers under CG_TOP/docker.
start_dockerd() {
  mkdir -p "$WORK/docker" "$WORK/client"
  echo '{}' >"$WORK/daemon.json"  # not the host's /etc/docker/daemon.json
  (
    echo "$BASHPID" >"$(cg_pids_mount)$CG_TOP/daemons/cgroup.procs"
    exec /usr/sbin/dockerd --config-file "$WORK/daemon.json" \
      --data-root "$WORK/docker/data" --exec-root "$RUN_DIR/docker" \
      --pidfile "$WORK/docker/dockerd.pid" -H "unix://$DOCKER_SOCK" --containerd "$CONTAINERD_SOCK" \
      --storage-driver vfs --bridge none --iptables=false --ip6tables=false --ip-forward=false \
      --ip-masq=false --userland-proxy=false --cgroup-parent "$CG_TOP/docker" --shutdown-timeout 5 \
      --add-runtime "ocistart=$OCISTART"
  ) </dev/null >"$WORK/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  if ! wait_until 60 "dockerd (pid $DOCKERD_PID) to answer on $DOCKER_SOCK" "${DOCKER_CMD[@]}" version; then
    echo "# dockerd log:"; tail -n 20 "$WORK/dockerd.log" | sed 's/^/#   /'
    return 1
  fi
}

# stop_daemon NAME PID: SIGTERM to that pid, SIGKILL after 20 s, reaped.
stop_daemon() {
  local name=$1 pid=$2
  [ -n "$pid" ] && [ "$pid" -gt 1 ] || return 0
  kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  wait_job "$pid" 20 "$name (pid $pid) after SIGTERM"
}

# engines_cleanup: run from the EXIT trap (also after a failure or a signal): stop what
# this test started, by pid, and remove everything it made. Idempotent.
engines_cleanup() {
  local p m d i f v left
  [ -n "${DOCKERD_PID:-}" ] && stop_daemon dockerd "$DOCKERD_PID" >/dev/null
  DOCKERD_PID=
  [ -n "${CONTAINERD_PID:-}" ] && stop_daemon containerd "$CONTAINERD_PID" >/dev/null
  CONTAINERD_PID=
  # Shims and container processes left in CG_TOP: thaw what is frozen, then SIGKILL by pid.
  for d in $(find "/sys/fs/cgroup/freezer$CG_TOP" -name freezer.state 2>/dev/null); do
    echo THAWED >"$d" 2>/dev/null
  done
  for i in 1 2 3 4 5 6 7 8 9 10; do
    left="$(cg_top_pids) $(pids_rooted_in_work)"
    [ -z "${left// /}" ] && break
    for p in $left; do [ "$p" -gt 1 ] && kill -KILL "$p" 2>/dev/null; done
    sleep 0.2
  done
  # A shim killed above could not remove its socket (in /run/containerd/s, not in WORK):
  # each task's bundle names it in `address`.
  for f in "$RUN_DIR"/containerd/io.containerd.runtime.v2.task/*/*/address; do
    [ -f "$f" ] || continue
    p=$(sed -n 's|^unix://||p' "$f")
    case "$p" in /run/containerd/s/*) [ -S "$p" ] && rm -f "$p" ;; esac
  done
  # Mounts under WORK (vfs/overlay layers, netns, shm), innermost first.
  for i in 1 2 3; do
    left=$(mounts_in_work | sort -r)
    [ -z "$left" ] && break
    for m in $left; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
  done
  # CG_TOP in every hierarchy, children first.
  for m in $(cg_mounts); do
    [ -d "$m$CG_TOP" ] && find "$m$CG_TOP" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  rm -rf "$WORK" 2>/dev/null
  if [ -z "$RUN_CONTAINERD_EXISTED" ] && [ -d /run/containerd ]; then
    find /run/containerd -depth -type d -empty -delete 2>/dev/null
  fi
  if [ -z "$ETC_DOCKER_KEY_EXISTED" ]; then rm -f /etc/docker/key.json; fi
  # Host sysctls dockerd may raise (keys quota, ip_forward): put back what we found.
  set -- $SYSCTLS_BEFORE
  for f in $SYSCTLS; do
    v=${1:-}; shift
    [ -n "$v" ] && [ "$(cat "$f" 2>/dev/null)" != "$v" ] && echo "$v" >"$f" 2>/dev/null
  done
}

# What engines_cleanup must have removed; a list of leftovers, empty when clean.
engines_leftovers() {
  local left="" m p
  [ -e "$WORK" ] && left="$left $WORK"
  for m in $(cg_mounts); do [ -e "$m$CG_TOP" ] && left="$left cgroup:$m$CG_TOP"; done
  for m in $(cg_mounts); do [ -e "$m/docker" ] && left="$left cgroup:$m/docker"; done
  [ -n "$(mounts_in_work)" ] && left="$left mounts:$(mounts_in_work | tr '\n' ' ')"
  [ -n "$(pids_rooted_in_work)" ] && left="$left container-processes:$(pids_rooted_in_work | tr '\n' ' ')"
  for p in /proc/[0-9]*; do
    case "$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null)" in *"$WORK"*) left="$left process:${p#/proc/}" ;; esac
  done
  if [ -z "$RUN_CONTAINERD_EXISTED" ] && [ -e /run/containerd ]; then
    left="$left /run/containerd:[$(find /run/containerd | tr '\n' ' ')]"
  elif [ -n "$(comm -13 <(echo "$SHIM_SOCKETS_BEFORE") <(ls /run/containerd/s 2>/dev/null | sort))" ]; then
    left="$left shim-sockets:[$(comm -13 <(echo "$SHIM_SOCKETS_BEFORE") <(ls /run/containerd/s 2>/dev/null | sort) | tr '\n' ' ')]"
  fi
  [ -z "$ETC_DOCKER_KEY_EXISTED" ] && [ -e /etc/docker/key.json ] && left="$left /etc/docker/key.json"
  [ "$(cat $SYSCTLS 2>/dev/null | tr '\n' ' ')" = "$SYSCTLS_BEFORE" ] || left="$left sysctls:[$(cat $SYSCTLS | tr '\n' ' ')]"
  [ "$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sort | tr '\n' ' ')" = "$LINKS_BEFORE" ] ||
    left="$left links:[$(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')]"
  echo "${left# }"
}

# engines_finish: stop and remove everything, check that nothing is left, print the plan.
engines_finish() {
  engines_cleanup
  expect_eq "nothing left behind (daemons, shims, containers, cgroups $CG_TOP, mounts, $WORK, /run/containerd, /etc/docker/key.json, sysctls, links)" \
    "" "$(engines_leftovers)"
  exclusive_unlock
  report_hangs
  echo "1..$N"
  [ "$FAILS" = 0 ] || echo "# $FAILS failure(s)"
  trap - EXIT
  [ "$FAILS" = 0 ]
  exit
}

trap 'engines_cleanup; exclusive_unlock; rm -f "$HUNG_LOG"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
