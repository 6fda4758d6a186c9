#!/bin/bash
# Escapes through the nodes the runtime binds from the container's /dev, which a hostile
# rootfs controls when the config mounts no tmpfs on /dev:
#  - CVE-2025-31133 class: /dev/null, the source of every maskedPaths bind, is a symlink to
#    another /proc file; a runtime that follows it binds that file, writable, over the
#    masked paths (here the container's own hostname file, harmless; core_pattern in the
#    attack);
#  - CVE-2025-52565 class: /dev/console, the target of the console pty's bind, is a symlink
#    into /proc; a runtime that follows it mounts the pty over that file instead.
# Each create must fail naming the node, and leave nothing. runc 1.1.5 (Debian 12) fails
# both checks: it runs the container with the hostname over /proc/keys, and with the pty
# over /proc/sys/kernel/hostname.
. "$(dirname "$0")/lifecycle_lib.sh"
RECEIVER=$(dirname "$(readlink -f "$0")")/lib/console_receiver.py

# A bundle whose /dev is the rootfs's own, NODE in it a symlink to /proc/sys/kernel/hostname,
# the hostname "pwned", and a process that writes what a masked path shows to /tmp/seen.
hostile_dev_bundle() {  # node terminal
  make_bundle "$BUNDLE"
  edit_config "$BUNDLE" 'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev"]
c["hostname"] = "pwned"; c["root"]["readonly"] = False; c["process"]["terminal"] = '"$2"
  set_args "$BUNDLE" sh -c 'echo "keys=[$(head -c 20 /proc/keys 2>&1)]" >/tmp/seen'
  ln -sf /proc/sys/kernel/hostname "$BUNDLE/rootfs/dev/$1"
}

# 1. /dev/null a symlink (CVE-2025-31133 class): no masked path may become that file.
hostile_dev_bundle null False
expect_create_fails "/dev/null a symlink to a /proc file" devnull '`/dev/null` is not the null device'
# What the naive runtime's container would see: its hostname through /proc/keys.
oci run --bundle "$BUNDLE" devnull-run >/dev/null 2>&1 </dev/null
CREATED_IDS="$CREATED_IDS devnull-run"
case "$(cat "$BUNDLE/rootfs/tmp/seen" 2>/dev/null)" in
  *"keys=[pwned"*) fail "a masked path (/proc/keys) shows the file /dev/null points to" ;;
  *) pass "run: no masked path shows the file /dev/null points to" ;;
esac

# 2. /dev/console a symlink (CVE-2025-52565 class): the pty must not land on its target.
hostile_dev_bundle console True
rm -f "$WORK/console.sock"
"$PY" "$RECEIVER" "$WORK/console.sock" "$WORK/console.out" 10 2>/dev/null &
receiver=$!
wait_until 10 "the console receiver's socket" test -S "$WORK/console.sock"
CREATED_IDS="$CREATED_IDS devconsole"
oci create --bundle "$BUNDLE" --console-socket "$WORK/console.sock" devconsole >"$WORK/create.out" 2>&1 </dev/null
rc=$?
if [ "$rc" = 0 ]; then
  init=$(oci state devconsole | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  fail "create with /dev/console a symlink succeeded; devpts is mounted on:" \
    "$(awk '$9 == "devpts" {print $5}' "/proc/$init/mountinfo" | sort -u | tr '\n' ' ')"
  oci delete --force devconsole >/dev/null 2>&1
  wait_job "$receiver" 15 "the console receiver"
else
  kill "$receiver" 2>/dev/null
  wait "$receiver" 2>/dev/null
  expect_contains "/dev/console a symlink: the error names it" "/dev/console" "$(cat "$WORK/create.out")"
  expect_eq "/dev/console a symlink: one error line" 1 "$(grep -c . "$WORK/create.out")"
fi
expect_no_leftovers "/dev/console a symlink" devconsole "$BUNDLE"
finish
