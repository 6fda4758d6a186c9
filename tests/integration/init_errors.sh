#!/bin/bash
# An init that fails early reports its own error (issue 9, item 9), whatever the moment
# it dies at: never "receive from the sync socket: connection reset by peer", which is
# what the kernel says when the init exits with a message of ours still unread.
. "$(dirname "$0")/lifecycle_lib.sh"

make_bundle "$BUNDLE"
set_args "$BUNDLE" true
cp "$BUNDLE/config.json" "$WORK/config.good"

# creates_fail_with what count needle: `count` creates in a row (nothing in between that
# would change their timing) each fail with one line naming `needle`; nothing is left.
creates_fail_with() {
  local what=$1 count=$2 needle=$3 i out rc
  local -a outs=() rcs=()
  for ((i = 1; i <= count; i++)); do
    out=$(oci create --bundle "$BUNDLE" "$what$i" 2>&1); rc=$?
    outs+=("$out"); rcs+=("$rc")
  done
  for ((i = 1; i <= count; i++)); do
    out=${outs[i-1]}
    if [ "${rcs[i-1]}" = 0 ]; then
      fail "$what $i: create succeeded"
      oci delete --force "$what$i" >/dev/null 2>&1
      continue
    fi
    expect_contains "$what $i: the init's error" "$needle" "$out"
    case "$out" in *"onnection reset"*) fail "$what $i: the sync socket's reset, not the init's error: $out" ;; esac
    expect_eq "$what $i: one error line" 1 "$(printf '%s\n' "$out" | grep -c .)"
    expect_no_leftovers "$what $i" "$what$i" "$BUNDLE"
  done
}

# The missing bind source first: the init fails while the runtime sets up its cgroup and
# then sends `placed`, which the dying init may never read (about half the runs on main got
# ECONNRESET then). Ten in a row: the race goes one way or the other each time.
edit_config "$BUNDLE" 'c["mounts"][0:0] = [{"source":"/nonexistent","destination":"/x","options":["bind"]}]'
creates_fail_with early 10 "mount \`/x\`: stat \`/nonexistent\`: no such file or directory"
# Last: the init fails after `placed`, mounting.
cp "$WORK/config.good" "$BUNDLE/config.json"
edit_config "$BUNDLE" 'c["mounts"].append({"source":"/nonexistent","destination":"/x","options":["bind"]})'
creates_fail_with late 3 "mount \`/x\`: stat \`/nonexistent\`: no such file or directory"

finish
