#!/bin/bash
# A create killed at any step leaves only what `delete` removes (issue 9, item 6). SIGKILL
# runs none of create's undo, so create records what it will make before it makes it.
# strace kills the create (not its init, which is not traced) at its k-th syscall, for
# every k from the making of the state directory on (with a stride when there are many:
# CREATE_KILLED_STRIDE, default so that about 150 steps run), and at each syscall that
# makes or records something. After each kill, `delete --force` (even steps) or a plain
# `delete` (odd ones) leaves no state directory, cgroup (every v1 hierarchy and the
# unified one), mount or process, and the same id can be created and deleted again.
# cgroupfs driver only (no systemd here).
. "$(dirname "$0")/lifecycle_lib.sh"
command -v strace >/dev/null || { echo "SKIP: no strace"; exit 77; }
OCI_TIMEOUT=20

make_bundle "$BUNDLE"
set_args "$BUNDLE" sleep 1000
ID=killed
CREATED_IDS="$CREATED_IDS $ID"  # removed at exit, whatever step the test stops at
CG=/ocistart-killed-test/$ID
edit_config "$BUNDLE" 'c["linux"]["cgroupsPath"]="'"$CG"'"'

# Whatever is left of the container anywhere, as one line (empty: nothing).
leftovers() {
  local left="" c p r
  [ -z "$(ls -A "$ROOT")" ] || left="$left state:[$(ls -A "$ROOT")]"
  for c in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
    [ -e "$c$CG" ] && left="$left cgroup:$c$CG"
  done
  grep -q " $BUNDLE/" /proc/self/mountinfo && left="$left mount"
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    case "$r" in "$BUNDLE"/*) left="$left process:${p#/proc/}" ;; esac
  done
  echo "$left"
}

# One create traced in full: the sequence of its syscalls by name.
bounded 30 "${STRACE[@]}" -qq -o "$WORK/trace" -e trace=all -e signal=none "$OCISTART" --root "$ROOT" create --bundle "$BUNDLE" "$ID" \
  >/dev/null 2>&1 || { fail "create under strace failed"; finish; }
oci delete --force "$ID" >/dev/null 2>&1
[ -z "$(leftovers)" ] || fail "a create and delete under strace left: $(leftovers)"
mapfile -t NAMES < <(sed -nE 's/^([a-z_0-9]+)\(.*/\1/p' "$WORK/trace")
TOTAL=${#NAMES[@]}
# Steps before the state directory is made only read the bundle and the host: nothing of
# the container exists yet to be left behind.
FIRST=$(grep -m1 -n "^mkdir(\"$ROOT/$ID\"" "$WORK/trace" | cut -d: -f1)
[ -n "$FIRST" ] || { fail "no mkdir of the state directory in the trace"; finish; }
FIRST=$((FIRST - 1))
STRIDE=${CREATE_KILLED_STRIDE:-$(( (TOTAL - FIRST + 149) / 150 ))}
[ "$STRIDE" -ge 1 ] || STRIDE=1
echo "create makes $TOTAL syscalls; killing it at each of syscalls $((FIRST + 1))..$TOTAL with stride $STRIDE" \
  "and at every mkdir, rename, clone, write and cgroup.procs open"

declare -A SEEN=()
steps=0 bad=0 made=0
for ((k = 0; k < TOTAL; k++)); do
  name=${NAMES[k]}
  SEEN[$name]=$(( ${SEEN[$name]:-0} + 1 ))  # counted from the first syscall, as strace counts
  [ "$k" -ge "$FIRST" ] || continue
  case "$name" in
    mkdir | mkdirat | rename | renameat | renameat2 | clone | clone3 | write | pwrite64 | fsync | unlinkat | rmdir) ;;
    *) [ $(( (k - FIRST) % STRIDE )) = 0 ] || continue ;;
  esac
  steps=$((steps + 1))
  # The n-th call of this syscall is the k-th syscall of the create (the same sequence on
  # every run, up to retries of a wait; close enough to land in the same step).
  { timeout -k 5 30 "${STRACE[@]}" -qq -o /dev/null -e "inject=$name:signal=KILL:when=${SEEN[$name]}" \
    "$OCISTART" --root "$ROOT" create --bundle "$BUNDLE" "$ID" >/dev/null 2>&1; } 2>/dev/null  # no "Killed" line
  exists=0
  [ -e "$ROOT/$ID" ] && exists=1 && made=$((made + 1))
  if [ $((steps % 2)) = 0 ]; then
    out=$(oci delete --force "$ID" 2>&1) || fail "step $((k + 1)) ($name #${SEEN[$name]}): delete --force: $out"
  elif [ $exists = 1 ]; then
    out=$(oci delete "$ID" 2>&1) || fail "step $((k + 1)) ($name #${SEEN[$name]}): delete: $out"
  else  # killed before it made anything: there is no such container
    out=$(oci delete "$ID" 2>&1) && fail "step $((k + 1)) ($name #${SEEN[$name]}): delete of nothing succeeded"
  fi
  left=$(leftovers)
  if [ -n "$left" ]; then
    fail "step $((k + 1)) ($name #${SEEN[$name]}): left behind:$left"
    bad=$((bad + 1))
    # Clean by hand so that the next steps test their own kill, not this one's rest.
    oci delete --force "$ID" >/dev/null 2>&1
    rm -rf "${ROOT:?}/$ID"
    for c in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
      [ -d "$c$CG" ] && rmdir "$c$CG" 2>/dev/null
    done
  fi
  # Not in $(...): the init would hold its pipe open.
  oci create --bundle "$BUNDLE" "$ID" >/dev/null 2>"$WORK/err" || fail "step $((k + 1)) ($name #${SEEN[$name]}): the id again: $(cat "$WORK/err")"
  out=$(oci delete --force "$ID" 2>&1) || fail "step $((k + 1)) ($name #${SEEN[$name]}): delete again: $out"
  [ "$bad" -lt 5 ] || { fail "stopping after 5 steps that left something"; break; }
done
echo "$steps steps; the killed create had made its state directory in $made of them"
expect_eq "nothing left after any step" 0 "$bad"
[ "$made" -gt 0 ] || fail "no step killed the create after it made its state directory"
for c in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
  [ -d "$c/ocistart-killed-test" ] && rmdir "$c/ocistart-killed-test" 2>/dev/null
done
finish
