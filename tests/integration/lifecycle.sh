#!/bin/bash
# create/start/state/kill/delete and run of a busybox bundle: what the container sees.
. "$(dirname "$0")/lifecycle_lib.sh"

make_bundle "$BUNDLE"
edit_config "$BUNDLE" 'c["hostname"]="lifecycle-test"; c["linux"].setdefault("resources",{})["memory"]={"limit":67108864}'

# --- run in the foreground: what the container sees ---
set_args "$BUNDLE" sh -c 'hostname; id; grep CapEff /proc/self/status; cat /proc/1/cmdline | tr "\0" " "; echo; cat /proc/self/cgroup; cat /proc/self/mountinfo'
out=$(cd "$BUNDLE" && oci run seen 2>&1); rc=$?
expect_eq "run exits 0" 0 "$rc"
expect_contains "hostname" "lifecycle-test" "$out"
expect_contains "id" "uid=0(root) gid=0(root)" "$(echo "$out" | sed 's/uid=0 gid=0/uid=0(root) gid=0(root)/')"
expect_contains "CapEff (KILL, NET_BIND_SERVICE, AUDIT_WRITE)" "CapEff:	0000000020000420" "$out"
expect_contains "pid 1 is the process" "sh -c hostname;" "$out"
expect_contains "memory cgroup" "memory:/ocistart/seen" "$out"
echo "$out" | grep -Eq '^[0-9]+ [0-9]+ [^ ]+ / /proc [^ ]+ .*- proc ' && pass "/proc mounted" || fail "/proc not in mountinfo"
echo "$out" | grep -Eq '^[0-9]+ [0-9]+ [^ ]+ / /dev [^ ]+ .*- tmpfs ' && pass "/dev is a tmpfs" || fail "/dev not a tmpfs"
echo "$out" | grep -Eq '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / ' && pass "root mounted" || fail "no / in mountinfo"
expect_no_leftovers "run" seen "$BUNDLE"

# --- exit codes ---
set_args "$BUNDLE" sh -c 'exit 3'
(cd "$BUNDLE" && oci run code3 >/dev/null 2>&1); expect_eq "exit status passes through" 3 $?
# (pid 1 cannot SIGKILL itself from inside its pid namespace: kill it from outside)
set_args "$BUNDLE" sleep 100
"$OCISTART" --root "$ROOT" run --bundle "$BUNDLE" code137 >/dev/null 2>&1 & runner=$!
is_status() { oci state "$1" 2>/dev/null | grep -q "\"status\": \"$2\""; }
wait_until 5 "code137 to be running" is_status code137 running
oci kill code137 KILL
wait_job $runner 10 "run code137 after kill KILL"; expect_eq "killed by SIGKILL is 137" 137 $?
# SIGTERM to `run` reaches the process (pid 1 needs a handler to see it).
set_args "$BUNDLE" sh -c 'trap "exit 7" TERM; echo ready; while :; do sleep 0.1; done'
"$OCISTART" --root "$ROOT" run --bundle "$BUNDLE" relay >/dev/null 2>&1 & runner=$!
wait_until 5 "relay to be running" is_status relay running
sleep 0.3
kill -TERM $runner
wait_job $runner 10 "run relay after SIGTERM"; expect_eq "SIGTERM to run is relayed" 7 $?
expect_no_leftovers "exit codes" code137 "$BUNDLE"

# --- create / state / start / kill / delete ---
set_args "$BUNDLE" sleep 300
CREATED_IDS="life"
oci create --bundle "$BUNDLE" --pid-file "$WORK/life.pid" life; expect_eq "create" 0 $?
state=$(oci state life)
expect_contains "state created" '"status": "created"' "$state"
pid=$(cat "$WORK/life.pid")
expect_contains "pid file = state pid" "\"pid\": $pid" "$state"
expect_eq "memory limit" 67108864 "$(cat /sys/fs/cgroup/memory/ocistart/life/memory.limit_in_bytes)"
expect_eq "init waits on exec.fifo (not exec'd yet)" "ocistart" "$(cat /proc/$pid/comm)"
oci start life; expect_eq "start" 0 $?
sleep 0.2
expect_contains "state running" '"status": "running"' "$(oci state life)"
expect_eq "process is sleep" "sleep" "$(cat /proc/$pid/comm)"
oci start life 2>/dev/null; expect_eq "start twice fails" 1 $?
oci resume life 2>/dev/null; expect_eq "resume of a running container fails" 1 $?
oci pause life; expect_eq "pause" 0 $?
expect_contains "state paused" '"status": "paused"' "$(oci state life)"
expect_eq "freezer frozen" FROZEN "$(cat /sys/fs/cgroup/freezer/ocistart/life/freezer.state)"
expect_eq "process stopped by the freezer" D "$(awk '/^State:/ {print $2}' /proc/$pid/status)"
oci pause life 2>/dev/null; expect_eq "pause twice fails" 1 $?
oci resume life; expect_eq "resume" 0 $?
expect_contains "state running after resume" '"status": "running"' "$(oci state life)"
expect_eq "freezer thawed" THAWED "$(cat /sys/fs/cgroup/freezer/ocistart/life/freezer.state)"
oci delete life 2>/dev/null; expect_eq "delete running without --force fails" 1 $?
oci kill life KILL; expect_eq "kill" 0 $?
wait_until 5 "life to stop after kill KILL" is_status life stopped
expect_contains "state stopped" '"status": "stopped"' "$(oci state life)"
oci kill life KILL 2>/dev/null; expect_eq "kill stopped fails" 1 $?
oci delete life; expect_eq "delete" 0 $?
oci state life 2>/dev/null; expect_eq "state after delete fails" 1 $?
expect_no_leftovers "create/start/kill/delete" life "$BUNDLE"

# --- a created container paused (as runc): paused, not created, until resumed; start,
#     exec and delete without --force refuse it (exec would otherwise hang in the frozen
#     cgroup, and delete's SIGKILL could not land); delete --force thaws it ---
oci create --bundle "$BUNDLE" cpaused; expect_eq "create cpaused" 0 $?
oci pause cpaused; expect_eq "pause of a created container" 0 $?
expect_contains "state: paused" '"status": "paused"' "$(oci state cpaused)"
out=$(oci start cpaused 2>&1); expect_contains "start refuses it" "cannot start a container in the paused state" "$out"
out=$(OCI_TIMEOUT=10 oci exec cpaused true 2>&1); rc=$?
expect_eq "exec refuses it, at once ($out)" 1 "$([ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $rc -ne 137 ] && echo 1)"
expect_contains "exec's error says paused" "paused" "$out"
out=$(oci delete cpaused 2>&1); expect_contains "delete without --force refuses it" "not stopped: paused" "$out"
oci resume cpaused; expect_eq "resume" 0 $?
expect_contains "state: created again" '"status": "created"' "$(oci state cpaused)"
oci pause cpaused
start=${EPOCHREALTIME/./}
oci delete --force cpaused; expect_eq "delete --force of the paused created container" 0 $?
ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
expect_eq "delete --force took under 5 s ($ms ms)" 1 "$([ "$ms" -lt 5000 ] && echo 1)"
expect_no_leftovers "created, paused, delete --force" cpaused "$BUNDLE"

# --- delete --force of a running container, delete of a created one ---
oci create --bundle "$BUNDLE" forced && oci start forced
oci delete --force forced; expect_eq "delete --force running" 0 $?
oci create --bundle "$BUNDLE" created
oci delete created; expect_eq "delete created (killed, as runc)" 0 $?
expect_no_leftovers "delete --force" forced "$BUNDLE"

# --- exec ---
CREATED_IDS="ex"
oci run -d --bundle "$BUNDLE" ex; expect_eq "run --detach" 0 $?
out=$(oci exec ex sh -c 'echo pid=$$; cat /proc/self/cgroup | grep memory; exit 4'); rc=$?
expect_eq "exec exit status" 4 "$rc"
expect_contains "exec in the pid namespace" "pid=" "$out"
expect_contains "exec in the cgroup" "memory:/ocistart/ex" "$out"
out=$(oci exec --env FOO=bar --cwd /tmp ex sh -c 'echo $FOO $(pwd)')
expect_eq "exec --env --cwd" "bar /tmp" "$out"
oci exec ex /nonexistent 2>/dev/null; expect_eq "exec of a missing binary is 255" 255 $?
oci delete --force ex
expect_no_leftovers "exec" ex "$BUNDLE"
CREATED_IDS=""

finish
