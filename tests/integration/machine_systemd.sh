#!/bin/bash
# A container registered with systemd-machined (--register-machine, systemd driver) in a
# real systemd booted in private namespaces (lib/private-systemd.sh): `ocistart show`
# names its unit and cgroup as systemd does; `machinectl status` shows its unit and
# processes; `machinectl kill --signal` reaches the container's processes; `machinectl
# terminate` stops it, after which ocistart says it is stopped and `delete` leaves nothing;
# a foreground `run` whose machine is terminated exits and cleans up.
OCISTART_TEST_TMP=/var/lib/ocistart-tests  # the private systemd has a fresh /tmp
. "$(dirname "$0")/lifecycle_lib.sh" "$@"
[ -x /lib/systemd/systemd-machined ] || { echo "SKIP: no systemd-machined (systemd-container)"; exit 77; }
. "$(dirname "$0")/lib/private-systemd.sh"
psd_require
trap 'psd_stop; cleanup' EXIT
oci() { bounded "$OCI_TIMEOUT" nsenter -t "$PSD_PID" -m -p -- "$OCISTART" --root "$ROOT" "$@"; }
state_of() { oci state "$1" 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["'"$2"'"])'; }
make_bundle "$BUNDLE"
# USR1 leaves a mark in the rootfs (visible from the host); TERM ends it.
set_args "$BUNDLE" sh -c 'trap "echo usr1 >> /tmp/usr1" USR1; trap "exit 0" TERM; while :; do sleep 1 & wait; done'
edit_config "$BUNDLE" 'c["linux"]["resources"]={"memory":{"limit":67108864},"pids":{"limit":32}}; c["root"]["readonly"]=False'
psd_boot || { echo "FAIL: boot a private systemd"; exit 1; }

# ---- show under the systemd driver ----
if ! oci --systemd-cgroup run -d --bundle "$BUNDLE" --register-machine m1 2>"$WORK/m1.err"; then
  fail "run --register-machine m1: $(cat "$WORK/m1.err")"
  finish
fi
CREATED_IDS="$CREATED_IDS m1"
pid=$(state_of m1 pid)
show=$(oci show m1)
val() { printf '%s\n' "$show" | sed -n "s/^$1=//p"; }
expect_eq "show: Unit= is the container's scope" ocistart-m1.scope "$(val Unit)"
expect_eq "show: ControlGroup= is the scope's, as systemd says" \
  "$(psd_exec systemctl show -p ControlGroup --value ocistart-m1.scope)" "$(val ControlGroup)"
expect_eq "show: CgroupDriver=systemd, Machine=m1, Pid= state's" "systemd m1 $pid" \
  "$(val CgroupDriver) $(val Machine) $(val Pid)"
expect_eq "show: TasksMax= as systemd has it" "$(psd_exec systemctl show -p TasksMax --value ocistart-m1.scope)" \
  "$(val TasksMax)"
expect_eq "show: MemoryMax= the config's limit" 67108864 "$(val MemoryMax)"
tasks=$(val TasksCurrent)
[ "${tasks:-0}" -ge 1 ] 2>/dev/null && pass "show: TasksCurrent=$tasks" || fail "show: TasksCurrent=[$tasks]"

# ---- machinectl status ----
st=$(psd_exec machinectl status m1 --no-pager -l 2>&1)
printf '%s\n' "$st" | head -20 | sed 's/^/  # /'
expect_contains "machinectl status: its unit" "Unit: ocistart-m1.scope" "$st"
expect_contains "machinectl status: service and class" "Service: ocistart; class container" "$st"
expect_contains "machinectl status: its root directory" "Root: $BUNDLE/rootfs" "$st"
expect_contains "machinectl status: the container's process in the tree" "$pid sh -c" "$st"
# The rootfs has no os-release and the container no address: machinectl's table to the byte.
expect_eq "list --format machinectl prints what machinectl list prints" "$(psd_exec machinectl list)" \
  "$(oci list --format machinectl)"

# ---- machinectl kill --signal ----
rm -f "$BUNDLE/rootfs/tmp/usr1"
psd_exec machinectl kill m1 --signal=SIGUSR1
expect_eq "machinectl kill returns" 0 $?
wait_until 10 "machinectl kill --signal=SIGUSR1 reaches the container's shell" test -s "$BUNDLE/rootfs/tmp/usr1" &&
  pass "machinectl kill --signal=SIGUSR1 reached the container's shell"
expect_eq "the container still runs after SIGUSR1" running "$(state_of m1 status)"

# ---- machinectl terminate ----
psd_exec machinectl terminate m1
expect_eq "machinectl terminate returns" 0 $?
stopped() { [ "$(state_of m1 status)" = stopped ]; }
wait_until 20 "after machinectl terminate ocistart says stopped" stopped && pass "after machinectl terminate: stopped"
expect_eq "show after terminate: stopped, no pid" "Status=stopped Pid=0 " \
  "$(oci show m1 -p Status -p Pid | tr '\n' ' ')"
gone() { [ -z "$(psd_exec machinectl list --no-legend | awk '$1 == "m1"')" ]; }
wait_until 10 "machinectl forgets the terminated machine" gone && pass "machinectl no longer lists m1"
oci delete m1
expect_eq "delete after terminate succeeds" 0 $?
expect_eq "no scope is left" "" "$(psd_exec systemctl list-units --all --no-legend | grep -o 'ocistart-m1.scope')"
expect_no_leftovers "terminated machine" m1 "$BUNDLE"

# ---- a foreground run whose machine is terminated ----
nsenter -t "$PSD_PID" -m -p -- timeout -k 5 60 "$OCISTART" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" \
  --register-machine m2 </dev/null >"$WORK/m2.out" 2>&1 &
runner=$!
CREATED_IDS="$CREATED_IDS m2"
listed() { psd_exec machinectl list --no-legend | awk '$1 == "m2"' | grep -q .; }
if wait_until 20 "the foreground run's machine appears" listed; then
  psd_exec machinectl terminate m2
  expect_eq "machinectl terminate m2 returns" 0 $?
  ended() { ! kill -0 "$runner" 2>/dev/null; }
  wait_until 20 "the foreground run exits after terminate" ended
fi
wait "$runner"
echo "  (foreground run exited with $?: $(head -c 300 "$WORK/m2.out"))"
expect_eq "the foreground run deleted its container" "" "$(ls -A "$ROOT")"
expect_no_leftovers "terminated foreground run" m2 "$BUNDLE"

finish
