# Sourced by integration tests that start daemons managing the host's cgroup hierarchies:
# dockerd, containerd and a private systemd must never run at the same time (they share
# the v1 hierarchies; systemd prunes cgroups it did not make). One lock file serializes
# them across worktrees and test runs: /root/.ocistart-exclusive.lock (flock).
#
# exclusive_lock SECONDS WHAT: holds the lock for the rest of this shell (its fd is kept
# open; closed by exit). When an ancestor already holds it, e.g.
#   flock /root/.ocistart-exclusive.lock tools/test
# that lock is ours: taking it again on a new open file would wait for ourselves.
# Returns 1, with a line naming the holder, when the lock is not free within SECONDS.

EXCLUSIVE_LOCK=${OCISTART_EXCLUSIVE_LOCK:-/root/.ocistart-exclusive.lock}
EXCLUSIVE_FD=

# Pids holding a lock on the lock file (/proc/locks: "N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE ...").
exclusive_holders() {
  local inode
  inode=$(stat -c %i "$EXCLUSIVE_LOCK" 2>/dev/null) || return 0
  awk -v ino="$inode" '{ n = split($6, f, ":"); if (f[n] == ino) print $5 }' /proc/locks 2>/dev/null | sort -u
}

exclusive_is_ancestor() {  # pid
  local p=$$
  while [ -n "$p" ] && [ "$p" -gt 1 ]; do
    [ "$p" = "$1" ] && return 0
    p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)
  done
  return 1
}

exclusive_lock() {
  local secs=$1 what=$2 fd target holder who=""
  # An inherited fd on the lock file: flock on it succeeds at once if its open file holds it.
  for fd in /proc/$$/fd/*; do
    target=$(readlink "$fd" 2>/dev/null) || continue
    if [ "$target" = "$EXCLUSIVE_LOCK" ] && flock -n "${fd##*/}" 2>/dev/null; then
      return 0
    fi
  done
  for holder in $(exclusive_holders); do
    exclusive_is_ancestor "$holder" && return 0
  done
  exec {EXCLUSIVE_FD}>>"$EXCLUSIVE_LOCK"
  if flock -w "$secs" "$EXCLUSIVE_FD"; then return 0; fi
  for holder in $(exclusive_holders); do
    who="$who pid $holder ($(tr '\0' ' ' <"/proc/$holder/cmdline" 2>/dev/null | cut -c1-120))"
  done
  echo "$what: waited $secs s for $EXCLUSIVE_LOCK, held by${who:- an unknown process}" >&2
  exec {EXCLUSIVE_FD}>&-
  EXCLUSIVE_FD=
  return 1
}

# exclusive_unlock: releases the lock if this shell took it (not an ancestor's).
exclusive_unlock() {
  if [ -n "$EXCLUSIVE_FD" ]; then
    exec {EXCLUSIVE_FD}>&-
    EXCLUSIVE_FD=
  fi
}
