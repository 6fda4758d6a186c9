#!/bin/bash
# --root must be ours alone (issue 9, item 7): a root that group or others may write, one
# that another user owns, or a symlink is refused with one line naming it, before any
# state.json in it is read (another user could have forged one whose pid `kill` would
# signal). A missing root is made 0700; the modes engines use (0700, 0711, 0755) work.
# And a state.json's pid is signalled only while its start time is the recorded one.
. "$(dirname "$0")/lifecycle_lib.sh"

make_bundle "$BUNDLE"
set_args "$BUNDLE" sleep 1000

# A victim of ours that must survive, and a state.json naming it exactly (its start time
# too), as a forger would write it. Taken from a real container's state, pid swapped.
sleep 1000 </dev/null >/dev/null 2>&1 &
VICTIM=$!
oci create --bundle "$BUNDLE" model </dev/null >/dev/null 2>&1; expect_eq "create a model container" 0 $?
CREATED_IDS="model"
start_time=$(cut -d' ' -f22 "/proc/$VICTIM/stat")
forge() {  # dir start-time: a state.json for the victim in dir/fake
  mkdir -p "$1/fake"
  "$PY" - "$ROOT/model/state.json" "$1/fake/state.json" "$VICTIM" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["id"], s["status"], s["pid"], s["pidStartTime"] = "fake", "running", int(sys.argv[3]), int(sys.argv[4])
s["cgroupPath"] = "/i9-forged-nothing"
json.dump(s, open(sys.argv[2], "w"))
PY
  chmod 0600 "$1/fake/state.json"
  chmod 0700 "$1/fake"
}
grep -q pidStartTime "$ROOT/model/state.json" || fail "state.json has no pidStartTime"

# refused what dir: every command refuses the root with one line naming it; the victim lives.
refused() {
  local what=$1 dir=$2 cmd out
  for cmd in "kill fake KILL" "state fake" "delete --force fake" "list"; do
    # shellcheck disable=SC2086
    out=$(bounded 20 "$OCISTART" --root "$dir" $cmd 2>&1) && fail "$what: \`$cmd\` succeeded: $out"
    expect_contains "$what: \`$cmd\` names the root" "state root \`$dir\`" "$out"
    expect_eq "$what: \`$cmd\`: one line" 1 "$(printf '%s\n' "$out" | grep -c .)"
  done
  if kill -0 "$VICTIM" 2>/dev/null; then pass "$what: the pid in the forged state.json was not signalled"
  else fail "$what: the pid in the forged state.json was killed"; fi
  [ -e "$dir/fake/state.json" ] || fail "$what: the forged state was removed"
}

mkdir -m 1777 "$WORK/sticky"; chmod 1777 "$WORK/sticky"
forge "$WORK/sticky" "$start_time"
chown -R nobody "$WORK/sticky/fake"
refused "a world-writable root (1777) with another user's state.json" "$WORK/sticky"
out=$("$OCISTART" --root "$WORK/sticky" kill fake KILL 2>&1)
expect_contains "the error says why" "writable by group or others (mode 1777)" "$out"

mkdir "$WORK/groupw"; chmod 0770 "$WORK/groupw"
forge "$WORK/groupw" "$start_time"
refused "a group-writable root (0770)" "$WORK/groupw"

mkdir "$WORK/notours"; chmod 0700 "$WORK/notours"
forge "$WORK/notours" "$start_time"
chown -R nobody "$WORK/notours"
refused "a root owned by another user" "$WORK/notours"
out=$("$OCISTART" --root "$WORK/notours" state fake 2>&1)
expect_contains "the error names the owner" "is owned by uid $(id -u nobody)" "$out"

mkdir "$WORK/real"; chmod 0700 "$WORK/real"
forge "$WORK/real" "$start_time"
ln -s "$WORK/real" "$WORK/link"
refused "a symlink as the root" "$WORK/link"

# A missing root is made 0700 (its missing parents too).
out=$(bounded 20 "$OCISTART" --root "$WORK/new/root" list 2>&1); expect_eq "list in a missing root" 0 $?
expect_eq "a missing root is made 0700" 700 "$(stat -c %a "$WORK/new/root" 2>&1)"

# The modes engines and runc's tests use work: create, state, kill, delete.
for mode in 0700 0711 0755; do
  r=$WORK/mode$mode
  mkdir "$r"; chmod "$mode" "$r"
  # Not in $(...): the init would hold its pipe open.
  "$OCISTART" --root "$r" create --bundle "$BUNDLE" m </dev/null >/dev/null 2>"$WORK/err"; rc=$?
  expect_eq "a root of mode $mode: create" 0 "$rc"
  [ "$rc" = 0 ] || echo "  $(cat "$WORK/err")"
  out=$("$OCISTART" --root "$r" state m 2>&1); expect_contains "a root of mode $mode: state" '"created"' "$out"
  "$OCISTART" --root "$r" delete --force m; expect_eq "a root of mode $mode: delete --force" 0 $?
done

# In a good root, a state.json whose start time is not the process's: that pid is another
# process now (reused), so kill does not signal it.
forge "$ROOT" $((start_time + 1))
out=$(oci kill fake KILL 2>&1); rc=$?
expect_eq "a pid with another start time: kill fails" 1 "$rc"
expect_contains "a pid with another start time: not running" "not running" "$out"
if kill -0 "$VICTIM" 2>/dev/null; then pass "a pid with another start time: not signalled"
else fail "a pid with another start time: signalled"; fi
rm -rf "${ROOT:?}/fake"

oci delete --force model; expect_eq "delete the model" 0 $?
kill "$VICTIM"; wait "$VICTIM" 2>/dev/null
expect_no_leftovers "state root checks" model "$BUNDLE"
finish
