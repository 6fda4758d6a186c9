#!/bin/bash
# run --service and the timers (systemd-run's words) against a real systemd booted in
# private namespaces (lib/private-systemd.sh): systemd supervises the container as a
# transient service (limits on the service's cgroup, the container below it, restarts,
# stop), a timer starts it later, --wait reports how it ended, --collect unloads it, a
# bundle-less run is regenerated on restart; bad input starts nothing and leaves nothing.
OCISTART_TEST_TMP=/var/lib/ocistart-tests  # the private systemd has a fresh /tmp
. "$(dirname "$0")/lifecycle_lib.sh" "$@"
. "$(dirname "$0")/lib/private-systemd.sh"
psd_require
trap 'psd_stop; cleanup' EXIT
oci() { bounded "$OCI_TIMEOUT" nsenter -t "$PSD_PID" -m -p -- "$OCISTART" --root "$ROOT" "$@"; }
show() { psd_exec systemctl show -p "$2" --value "$1"; }
state_of() { oci state "$1" 2>/dev/null | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["pid"])'; }
journal_has() { psd_exec journalctl -q -o cat -u "$1" | grep -q -- "$2"; }
memory_cgroup() { psd_exec cat "/proc/$1/cgroup" | sed -n 's/^[0-9]*:memory://p'; }
# Nothing of the service's container: no state dir, no private bundle, no cgroup below the service.
expect_service_gone() {  # what id unit
  expect_eq "$1: no state dir" "" "$(ls -A "$ROOT")"
  local left
  left=$(psd_exec sh -c "ls -d /sys/fs/cgroup/*/system.slice/$3/$2 2>/dev/null")
  expect_eq "$1: no container cgroup" "" "$left"
}

make_bundle "$BUNDLE"
# PID 1 of a pid namespace ignores SIGTERM without a handler: the shell traps it.
set_args "$BUNDLE" sh -c 'echo "web says hello"; trap "exit 0" TERM; sleep 1000 & wait'
psd_boot || { echo "FAIL: boot a private systemd"; exit 1; }

# 1. A bundle as a service with a memory limit: the limit is the service's, the container
#    lives below it, and ExecStart names the real binary (not the sealed copy run executes).
out=$(oci run --service -p MemoryMax=64M -p Environment=A=1 --bundle "$BUNDLE" web 2>&1)
expect_eq "run --service returns at once" 0 $?
expect_eq "it prints the unit, as systemd-run" "Running as unit: web.service" "$out"
expect_eq "the service is active (READY=1 from the container's run)" active "$(psd_exec systemctl is-active web.service)"
read -r status pid <<<"$(state_of web)"
expect_eq "ocistart state sees the container (same --root)" running "$status"
expect_eq "the container's cgroup is below the service's (Delegate=yes)" "/system.slice/web.service/web" \
  "$(memory_cgroup "$pid")"
expect_eq "MemoryMax is the service's limit" 67108864 \
  "$(psd_exec cat /sys/fs/cgroup/memory/system.slice/web.service/memory.limit_in_bytes)"
expect_eq "the container's cgroup sees it as its hierarchical limit" 67108864 \
  "$(psd_exec sed -n 's/^hierarchical_memory_limit //p' /sys/fs/cgroup/memory/system.slice/web.service/web/memory.stat)"
expect_contains "ExecStart runs this binary's path" "path=$OCISTART ; argv[]=$OCISTART --root $ROOT run --bundle=$BUNDLE web" \
  "$(show web.service ExecStart)"
expect_eq "the service settings of the service" "notify all yes mixed A=1" \
  "$(echo $(show web.service Type) $(show web.service NotifyAccess) $(show web.service Delegate) \
    $(show web.service KillMode) $(show web.service Environment))"
expect_contains "ocistart list sees it" web "$(oci list -q)"
expect_contains "ocistart status sees it" "running" "$(oci status web 2>&1)"
wait_until 10 "ocistart logs reads the service's output (SyslogIdentifier=web)" sh -c \
  "nsenter -t $PSD_PID -m -p -- $OCISTART --root $ROOT logs web | grep -q 'web says hello'"

# 2. systemctl stop: the container is stopped and deleted (ExecStopPost), nothing is left.
bounded 60 nsenter -t "$PSD_PID" -m -p -- systemctl stop web.service
expect_eq "systemctl stop returns" 0 $?
expect_eq "the service is gone" inactive "$(psd_exec systemctl is-active web.service)"
expect_service_gone "after systemctl stop" web web.service
expect_no_leftovers "after systemctl stop" web "$BUNDLE"

# 3. Restart=on-failure: the container exits 1 once; systemd starts a new one, same name.
set_args "$BUNDLE" sh -c 'trap "exit 0" TERM; if [ -e /ran-once ]; then sleep 1000 & wait; else touch /ran-once; exit 1; fi'
edit_config "$BUNDLE" 'c["root"]["readonly"]=False'
oci run --service -q -p Restart=on-failure -p RestartSec=1 --bundle "$BUNDLE" rs
expect_eq "run --service -p Restart=on-failure" 0 $?
wait_until 20 "the restarted service is active" sh -c \
  "[ \"\$(nsenter -t $PSD_PID -m -p -- systemctl show -p NRestarts --value rs.service)\" = 1 ] &&
   nsenter -t $PSD_PID -m -p -- systemctl is-active -q rs.service"
expect_eq "systemd restarted it once" 1 "$(show rs.service NRestarts)"
[ -e "$BUNDLE/rootfs/ran-once" ] && pass "the first container ran (and exited 1)" || fail "no trace of the first container"
read -r status pid2 <<<"$(state_of rs)"
expect_eq "the new container runs under the same name" running "$status"
expect_eq "the new container is below the service" "/system.slice/rs.service/rs" "$(memory_cgroup "$pid2")"
bounded 60 nsenter -t "$PSD_PID" -m -p -- systemctl stop rs.service
expect_service_gone "Restart= service stopped" rs rs.service
rm -f "$BUNDLE/rootfs/ran-once"
edit_config "$BUNDLE" 'c["root"]["readonly"]=True'

# 4. A timer: the service runs 1 s later; its output is in the journal. (A timer's default
#    AccuracySec is 1 min, and nothing else wakes this systemd: --timer-property sets it.)
set_args "$BUNDLE" sh -c 'echo "hello from the timer"'
out=$(oci run --on-active=1s --timer-property=AccuracySec=100ms --bundle "$BUNDLE" tm 2>&1)
expect_eq "run --on-active returns" 0 $?
expect_eq "it names both units, as systemd-run" "Running timer as unit: tm.timer|Will run service as unit: tm.service" \
  "$(printf '%s\n' "$out" | paste -sd '|')"
expect_eq "the service waits for its timer" inactive "$(psd_exec systemctl is-active tm.service)"
wait_until 20 "the timer's container wrote to the journal" journal_has tm.service "hello from the timer"
journal_has tm.service "hello from the timer" && pass "journalctl -u tm.service has the container's output"
wait_until 20 "the timer's service finished" sh -c "[ -z \"\$(ls -A $ROOT)\" ]"
expect_eq "its service succeeded" "success" "$(show tm.service Result)"
expect_service_gone "the timer's service finished" tm tm.service

# 5. --wait: the result as systemd-run prints it, and the container's exit status.
set_args "$BUNDLE" sh -c 'exit 3'
oci run --service --wait --bundle "$BUNDLE" wt >"$WORK/wait.out" 2>&1
expect_eq "run --wait exits with the container's status" 3 $?
out=$(cat "$WORK/wait.out")
expect_contains "it prints the unit" "Running as unit: wt.service" "$out"
expect_contains "it prints the result" "Finished with result: exit-code" "$out"
expect_contains "it prints how the main process ended" "Main processes terminated with: code=exited/status=3" "$out"
expect_contains "it prints the runtime" "Service runtime: " "$out"
expect_eq "without --collect the failed service stays loaded" "failed" "$(psd_exec systemctl is-active wt.service)"
expect_service_gone "after --wait" wt wt.service
psd_exec systemctl reset-failed wt.service

# 6. --collect: the failed service is unloaded (CollectMode=inactive-or-failed).
oci run --service --collect --bundle "$BUNDLE" cl >/dev/null 2>&1
expect_eq "run --collect starts" 0 $?
wait_until 20 "the failed --collect service is unloaded" sh -c \
  "[ \"\$(nsenter -t $PSD_PID -m -p -- systemctl show -p LoadState --value cl.service)\" = not-found ]"
expect_service_gone "after --collect" cl cl.service

# 7. Bundle-less: --rootfs and a command whose `$` systemd must not expand; a restart makes
#    a new container from a regenerated config.
oci run --service -q --rootfs "$BUNDLE/rootfs" --name bl -- \
  sh -c 'X=kept; echo "dollar ${X}"; trap "exit 0" TERM; sleep 1000 & wait'
expect_eq "run --service --rootfs" 0 $?
read -r status pid <<<"$(state_of bl)"
expect_eq "the bundle-less container runs" running "$status"
wait_until 10 "its output is in the journal, \${X} unexpanded by systemd" journal_has bl.service "dollar kept"
bounded 60 nsenter -t "$PSD_PID" -m -p -- systemctl restart bl.service
expect_eq "systemctl restart" 0 $?
read -r status pid2 <<<"$(state_of bl)"
expect_eq "after restart a container of the same name runs" running "$status"
[ -n "$pid2" ] && [ "$pid2" != "$pid" ] && pass "it is a new container (pid $pid -> $pid2)" || fail "same pid after restart: $pid2"
bounded 60 nsenter -t "$PSD_PID" -m -p -- systemctl stop bl.service
expect_service_gone "bundle-less service stopped" bl bl.service

# 8. Bad input: one line, non-zero, no unit, no state dir, no cgroup.
expect_refused() {  # what id needle args...
  local what=$1 id=$2 needle=$3 rc out
  shift 3
  oci run "$@" >"$WORK/bad.out" 2>&1 </dev/null; rc=$?
  out=$(cat "$WORK/bad.out")
  echo "  ($what) $out"
  [ "$rc" != 0 ] && pass "$what: fails" || fail "$what: exit 0"
  expect_contains "$what: the error names it" "$needle" "$out"
  expect_eq "$what: one line" 1 "$(printf '%s\n' "$out" | grep -c .)"
  expect_eq "$what: no unit" "" "$(psd_exec systemctl list-units --all --no-legend "$id.*")"
  expect_service_gone "$what" "$id" "$id.service"
}
set_args "$BUNDLE" sh -c 'sleep 1000'
expect_refused "a bad -p value" bad1 "MemoryMax=lots" --service -p MemoryMax=lots --bundle "$BUNDLE" bad1
expect_refused "an unknown -p" bad2 "Bogus" --service -p Bogus=1 --bundle "$BUNDLE" bad2
expect_refused "--wait with --no-block" bad3 "--wait and --no-block" --service --wait --no-block --bundle "$BUNDLE" bad3
expect_refused "--wait with a timer" bad4 "--wait: not with a timer" --on-active=5s --wait --bundle "$BUNDLE" bad4
expect_refused "an unknown image" bad5 "--image \`nope\`" --service --image nope --name bad5 sh
expect_refused "a timer property for a service" bad8 "--timer-property: only with a timer" \
  --service --timer-property=AccuracySec=1s --bundle "$BUNDLE" bad8
expect_refused "a bad --on-active" bad6 "--on-active \`soon\`" --on-active=soon --bundle "$BUNDLE" bad6
edit_config "$BUNDLE" 'c["process"]["terminal"]=True'
expect_refused "a bundle whose process wants a terminal" bad9 "/process/terminal is true" --service --bundle "$BUNDLE" bad9
edit_config "$BUNDLE" 'c["process"]["terminal"]=False'
expect_refused "a bad --on-calendar (systemd refuses it)" bad7 "Invalid calendar spec" --on-calendar=whenever --bundle "$BUNDLE" bad7

finish
