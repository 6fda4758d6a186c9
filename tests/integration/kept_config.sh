#!/bin/bash
# After create, every command uses the config create validated, kept in the state
# directory, never the bundle's config.json again (issue 9, item 5): an edit of that file
# after `run -d` gives exec no capability and does not turn no_new_privs off, its hooks
# are not the ones run, and with the file gone exec, ps, kill, update, pause and delete
# still work. The kept copy is root's, 0600, and the serialized spec (not the raw input).
. "$(dirname "$0")/lifecycle_lib.sh"

make_bundle "$BUNDLE"
set_args "$BUNDLE" sleep 1000
# Few capabilities and no_new_privs; the hooks leave a mark naming the config they came from.
edit_config "$BUNDLE" '
caps = ["CAP_KILL", "CAP_NET_BIND_SERVICE"]
c["process"]["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
c["process"]["noNewPrivileges"] = True
mark = lambda what: {"path": "/bin/sh", "args": ["sh", "-c", "echo " + what + " >> '"$WORK"'/hooks"]}
c["hooks"] = {"poststart": [mark("created-poststart")], "poststop": [mark("created-poststop")]}
# Padding the parser skips: the kept copy is what was parsed, not these bytes.
c["annotations"] = {"org.example.note": "kept"}
'
cp "$BUNDLE/config.json" "$WORK/config.good"
printf '%*s\n' 1000000 '' >>"$BUNDLE/config.json"

oci create --bundle "$BUNDLE" kc </dev/null >/dev/null 2>"$WORK/err"; expect_eq "create" 0 $?
[ -s "$WORK/err" ] && echo "  $(cat "$WORK/err")"
CREATED_IDS="kc"
kept=$ROOT/kc/config.json
expect_eq "the kept config: root's, mode 600" "0 600" "$(stat -c '%u %a' "$kept" 2>&1)"
size=$(stat -c %s "$kept" 2>/dev/null || echo 0)
if [ "$size" -gt 0 ] && [ "$size" -lt 100000 ]; then pass "the kept config is the parsed spec ($size bytes)"
else fail "the kept config has $size bytes (the bundle's has $(stat -c %s "$BUNDLE/config.json"))"; fi

# Edited between create and start: all capabilities, no_new_privs off, other hooks.
edit_config "$BUNDLE" '
import subprocess
allcaps = ["CAP_" + n.upper() for n in ("chown dac_override dac_read_search fowner fsetid kill setgid setuid "
  "setpcap linux_immutable net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner sys_module "
  "sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice sys_resource sys_time "
  "sys_tty_config mknod lease audit_write audit_control setfcap").split()]
c["process"]["capabilities"] = {k: allcaps for k in ("bounding", "effective", "permitted", "inheritable")}
c["process"]["noNewPrivileges"] = False
mark = lambda what: {"path": "/bin/sh", "args": ["sh", "-c", "echo " + what + " >> '"$WORK"'/hooks"]}
c["hooks"] = {"poststart": [mark("edited-poststart")], "poststop": [mark("edited-poststop")]}
'
oci start kc; expect_eq "start" 0 $?
expect_eq "start ran the poststart hook create validated" "created-poststart" "$(cat "$WORK/hooks" 2>&1)"

out=$(oci exec kc sh -c 'grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status' 2>&1)
# CAP_KILL (5) and CAP_NET_BIND_SERVICE (10): 0x420.
expect_contains "exec after an edit: the capabilities create validated" "CapEff:	0000000000000420" "$out"
expect_contains "exec after an edit: the bounding set create validated" "CapBnd:	0000000000000420" "$out"
expect_contains "exec after an edit: no_new_privs stays on" "NoNewPrivs:	1" "$out"

# The bundle's config.json gone: nothing after create needs it.
mv "$BUNDLE/config.json" "$WORK/config.moved"
out=$(oci exec kc echo still-here 2>&1); expect_eq "exec without the bundle's config.json" "still-here" "$out"
out=$(oci ps kc 2>&1); expect_contains "ps without the bundle's config.json" "sleep" "$out"
out=$(oci update --pids-limit 100 kc 2>&1); expect_eq "update without the bundle's config.json" "" "$out"
oci pause kc && oci resume kc; expect_eq "pause and resume without the bundle's config.json" 0 $?
oci kill kc KILL; expect_eq "kill without the bundle's config.json" 0 $?
wait_until 10 "the killed container to stop" sh -c "'$OCISTART' --root '$ROOT' state kc | grep -q '\"stopped\"'"
out=$(oci delete kc 2>&1); expect_eq "delete without the bundle's config.json: no warning" "" "$out"
expect_eq "delete ran the poststop hook create validated" "created-poststart created-poststop" \
  "$(tr '\n' ' ' <"$WORK/hooks" | sed 's/ $//')"
cp "$WORK/config.good" "$BUNDLE/config.json"
expect_no_leftovers "the kept config" kc "$BUNDLE"

# A kept config that is not root's (or that others may write) is refused, never applied.
oci run -d --bundle "$BUNDLE" kc2 </dev/null >/dev/null 2>"$WORK/err"; expect_eq "run -d" 0 $?
[ -s "$WORK/err" ] && echo "  $(cat "$WORK/err")"
CREATED_IDS="kc2"
chmod 0666 "$ROOT/kc2/config.json"
out=$(oci exec kc2 true 2>&1); rc=$?
expect_eq "exec with a kept config others may write: refused" 1 "$([ $rc != 0 ] && echo 1 || echo 0)"
expect_contains "exec with a kept config others may write: says so" "writable by group or others" "$out"
chmod 0600 "$ROOT/kc2/config.json"
oci delete --force kc2; expect_eq "delete --force" 0 $?
expect_no_leftovers "the kept config refused" kc2 "$BUNDLE"

finish
