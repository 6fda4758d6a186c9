# Sourced by integration tests that need a real systemd. Boots one in private mount+pid
# namespaces with the safe recipe of DESIGN.md ("On this kind of machine"):
#  - new mount+pid namespace, / made rprivate before anything is mounted, so nothing
#    propagates to the host;
#  - fresh proc, fresh tmpfs on /run, /tmp and /var/tmp (systemd's tmpfiles would otherwise
#    wipe the host's /tmp), a fresh tmpfs on /sys/fs/cgroup with the v1 controllers,
#    name=systemd and cgroup2 mounted again inside it (so a remount by systemd changes our
#    tmpfs, never the host's superblock);
#  - tmpfiles, gettys, remount-fs and binfmt masked in /run/systemd/system;
#  - no cgroup namespace (commands run through nsenter must land inside its tree).
# Only one at a time (they share the v1 hierarchies), and never with a dockerd or
# containerd: lib/exclusive.sh's lock serializes them all; the older per-systemd lock is
# still taken for copies of this file that only know that one.
# psd_boot sets PSD_PID (host pid of that systemd); psd_exec runs a command inside it;
# psd_stop SIGKILLs that one pid. Callers `trap psd_stop EXIT`.

# shellcheck source=exclusive.sh
. "$(dirname "${BASH_SOURCE[0]}")/exclusive.sh"

PSD_PID=
PSD_LOCK_FD=
PSD_UNSHARE_PID=

# psd_require [strace]: exits 77 (SKIP) without /lib/systemd/systemd, with a build of
# $OCISTART without systemd, or (given "strace") without strace. (The work dir of a test
# must be outside /tmp, /run and /var/tmp, where the private systemd mounts fresh tmpfs:
# OCISTART_TEST_TMP=/var/lib/ocistart-tests before lifecycle_lib.sh.)
psd_require() {
  [ -x /lib/systemd/systemd ] || { echo "SKIP: no /lib/systemd/systemd"; exit 77; }
  [ "${1:-}" != strace ] || command -v strace >/dev/null || { echo "SKIP: no strace"; exit 77; }
  "$OCISTART" --version | grep -q '+systemd' || { echo "SKIP: built without systemd"; exit 77; }
}

psd_exec() {
  nsenter -t "$PSD_PID" -m -p -- "$@"
}

# psd_unit_prop UNIT NAME: a property of a unit, as that systemd has it.
psd_unit_prop() { psd_exec systemctl show -p "$2" --value "$1"; }

# psd_cg_dir CONTROLLER CGROUP: the directory of CGROUP (a path as systemd's
# ControlGroup=) in the v1 hierarchy of CONTROLLER when there is one, else in cgroup2.
psd_cg_dir() {
  if [ -d "/sys/fs/cgroup/$1" ]; then echo "/sys/fs/cgroup/$1$2"; else echo "/sys/fs/cgroup$2"; fi
}

# psd_cg_read CONTROLLER CGROUP FILE_V1 FILE_V2: a value of CGROUP, from FILE_V1 in the v1
# hierarchy of CONTROLLER when there is one, else from FILE_V2 in cgroup2.
psd_cg_read() {
  local file=$4
  [ -d "/sys/fs/cgroup/$1" ] && file=$3
  psd_exec cat "$(psd_cg_dir "$1" "$2")/$file"
}

# own_cgroup < /proc/PID/cgroup: the process's cgroup, from the memory line (v1) or the
# cgroup2 line.
own_cgroup() { sed -n 's/^[0-9]*:memory://p; s/^0:://p' | head -1; }

psd_boot() {
  local lock=/run/lock/ocistart-test-systemd.lock
  exclusive_lock 600 psd_boot || return 1
  mkdir -p /run/lock
  exec {PSD_LOCK_FD}>"$lock"
  flock -w 600 "$PSD_LOCK_FD" || { echo "psd_boot: another test systemd holds $lock" >&2; return 1; }
  [ -x /lib/systemd/systemd ] || { echo "psd_boot: /lib/systemd/systemd missing" >&2; return 1; }

  local masked="systemd-tmpfiles-setup.service systemd-tmpfiles-setup-dev.service
    systemd-tmpfiles-clean.timer systemd-tmpfiles-clean.service getty.target getty@.service
    console-getty.service container-getty@.service serial-getty@.service getty-static.service
    systemd-remount-fs.service proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount
    systemd-binfmt.service systemd-logind.service systemd-firstboot.service
    systemd-update-utmp.service systemd-journal-flush.service
    docker.socket docker.service containerd.service"
  local controllers
  # Exactly the v1 hierarchies the host has mounted (co-mounts keep their "cpu,cpuacct" name).
  controllers=$(findmnt -rn -t cgroup -o TARGET | sed -n 's|^/sys/fs/cgroup/||p' | grep -vx systemd | tr '\n' ' ')

  unshare --mount --pid --fork --propagation private -- /bin/bash -c '
    set -e
    mount --make-rprivate /
    mount -t proc proc /proc
    mount -t tmpfs -o mode=755 tmpfs /run
    mount -t tmpfs -o mode=1777 tmpfs /tmp
    mount -t tmpfs -o mode=1777 tmpfs /var/tmp
    mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup
    for c in '"$controllers"'; do
      mkdir -p /sys/fs/cgroup/$c
      mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c
    done
    mkdir -p /sys/fs/cgroup/systemd /sys/fs/cgroup/unified
    mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
    mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
    mkdir -p /run/systemd/system
    for u in '"$(echo $masked)"'; do ln -sf /dev/null /run/systemd/system/$u; done
    exec env -i container=ocistart-test PATH=/usr/sbin:/usr/bin:/sbin:/bin \
      /lib/systemd/systemd --unit=basic.target --log-target=null </dev/null >/dev/null 2>&1
  ' &
  PSD_UNSHARE_PID=$!

  local i
  for i in $(seq 1 100); do
    PSD_PID=$(cat /proc/$PSD_UNSHARE_PID/task/$PSD_UNSHARE_PID/children 2>/dev/null | awk '{print $1}')
    if [ -n "$PSD_PID" ] && [ "$(cat /proc/$PSD_PID/comm 2>/dev/null)" = systemd ]; then break; fi
    sleep 0.1
  done
  [ -n "$PSD_PID" ] || { echo "psd_boot: systemd did not start" >&2; psd_stop; return 1; }
  for i in $(seq 1 300); do
    state=$(psd_exec systemctl is-system-running 2>/dev/null || true)
    case "$state" in running|degraded) return 0 ;; esac
    sleep 0.1
  done
  echo "psd_boot: systemd not ready after 30 s (state: ${state:-none})" >&2
  psd_stop
  return 1
}

psd_stop() {
  if [ -n "$PSD_PID" ]; then
    kill -KILL "$PSD_PID" 2>/dev/null || true
  fi
  if [ -n "$PSD_UNSHARE_PID" ]; then
    local i
    for ((i = 0; i < 100; i++)); do kill -0 "$PSD_UNSHARE_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$PSD_UNSHARE_PID" 2>/dev/null; then
      echo "psd_stop: unshare (pid $PSD_UNSHARE_PID) still running 10 s after its systemd was killed" >&2
      kill -KILL "$PSD_UNSHARE_PID" 2>/dev/null
    fi
    wait "$PSD_UNSHARE_PID" 2>/dev/null || true
  fi
  PSD_PID=
  PSD_UNSHARE_PID=
  if [ -n "$PSD_LOCK_FD" ]; then
    exec {PSD_LOCK_FD}>&-
    PSD_LOCK_FD=
  fi
  exclusive_unlock
}
