#!/bin/bash
# run --notify=container as ExecStart= of a Type=notify service, in a real systemd booted in
# private namespaces (lib/private-systemd.sh): the container's own sd_notify messages reach
# systemd through the runtime's relay with MAINPID= the container's init. Start waits for
# the container's READY=1, STATUS= shows, WATCHDOG=1 keeps it alive and its absence fails
# it, the container's exit status is the service's; --notify=runtime (the default) is
# still ready once the process runs. Nothing is left after stop.
OCISTART_TEST_TMP=/var/lib/ocistart-tests  # the private systemd has a fresh /tmp
. "$(dirname "$0")/lifecycle_lib.sh" "$@"
command -v gcc >/dev/null || { echo "SKIP: no gcc for the notify client"; exit 77; }
. "$(dirname "$0")/lib/private-systemd.sh"
psd_require
trap 'psd_stop; cleanup' EXIT
oci() { bounded "$OCI_TIMEOUT" nsenter -t "$PSD_PID" -m -p -- "$OCISTART" --root "$ROOT" "$@"; }
host_oci() { bounded "$OCI_TIMEOUT" "$OCISTART" --root "$ROOT" "$@"; }
json_field() { "$PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

make_bundle "$BUNDLE"
gcc -static -O2 -o "$BUNDLE/rootfs/bin/notify_client" "$(dirname "$0")/lib/notify_client.c" ||
  { echo "FAIL: build the notify client"; exit 1; }
# A read-only rootfs without /run: the runtime makes the mount point before it seals it.
edit_config "$BUNDLE" 'c["root"]["readonly"]=True'

# Outside systemd first (no lock needed): --notify=container without $NOTIFY_SOCKET is a
# no-op, and with --detach a clear error.
set_args "$BUNDLE" sh -c 'echo "socket=[$NOTIFY_SOCKET]"; ls /run 2>&1 | head -1'
out=$(env -u NOTIFY_SOCKET "$OCISTART" --root "$ROOT" run --notify=container --bundle "$BUNDLE" nosock 2>&1)
expect_contains "--notify=container without \$NOTIFY_SOCKET: the container gets no socket" "socket=[]" "$out"
expect_eq "--notify=container without \$NOTIFY_SOCKET: not even a /run/notify" "" "$(printf '%s\n' "$out" | grep notify)"
out=$(host_oci run -d --notify=container --bundle "$BUNDLE" detached 2>&1); rc=$?
expect_eq "--notify=container with --detach fails" 1 "$rc"
expect_contains "--notify=container with --detach: one line naming it" "--notify=container: only in the foreground" "$out"
out=$(host_oci run --notify=bogus --bundle "$BUNDLE" bogus 2>&1); rc=$?
[ "$rc" != 0 ] && pass "--notify=bogus is refused" || fail "--notify=bogus accepted"
expect_no_leftovers "without a service" nosock "$BUNDLE"

# A user namespace and a non-root container user, relayed to an abstract $NOTIFY_SOCKET
# (a stand-in for systemd that records each datagram): the 0777 socket in the read-only
# bind is connectable by container uid 1500 (host uid 301500 here).
UBUNDLE=$WORK/userns-bundle
make_bundle "$UBUNDLE"
cp "$BUNDLE/rootfs/bin/notify_client" "$UBUNDLE/rootfs/bin/"
edit_config "$UBUNDLE" '
c["root"]["readonly"] = True
c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 1000},
                             {"containerID": 1000, "hostID": 300000, "size": 1000}]
c["linux"]["gidMappings"] = c["linux"]["uidMappings"]
c["process"]["user"] = {"uid": 1500, "gid": 1500}'
chmod 755 "$WORK" "$UBUNDLE"
# As an image for this mapping is: owned by the container's root, who makes /run/notify.
chown -R 100000:100000 "$UBUNDLE/rootfs"
set_args "$UBUNDLE" /bin/notify_client $'READY=1\nSTATUS=from uid 1500' exit:0
FAKE="@ocistart-notify-test-$$"
"$PY" - "$FAKE" "$WORK/fake.out" "$WORK/fake.ready" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1][1:])
open(sys.argv[3], "w").close()
s.settimeout(0.5)
end = time.time() + 20
with open(sys.argv[2], "w") as out:
    while time.time() < end:
        try:
            out.write(repr(s.recv(8192).decode()) + "\n"); out.flush()
        except socket.timeout:
            pass
PY
FAKE_PID=$!
for ((i = 0; i < 50; i++)); do [ -e "$WORK/fake.ready" ] && break; sleep 0.1; done
[ -e "$WORK/fake.ready" ] || fail "the stand-in systemd socket did not come up"
NOTIFY_SOCKET=$FAKE host_oci run --notify=container --bundle "$UBUNDLE" --pid-file "$WORK/u.pid" userns1 \
  >"$WORK/u.out" 2>&1; rc=$?
expect_eq "userns: the container ran and exited 0" "0 " "$rc $(cat "$WORK/u.out")"
sleep 0.3
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null
upid=$(cat "$WORK/u.pid" 2>/dev/null)
expect_eq "userns, uid 1500, abstract \$NOTIFY_SOCKET: relayed with MAINPID=<init>" \
  "'READY=1\\nSTATUS=from uid 1500\\nMAINPID=$upid'" "$(sed -n 1p "$WORK/fake.out")"
case "$(sed -n 2p "$WORK/fake.out")" in
  "'MAINPID=$upid'" | "") fail "userns: no MAINPID hand-back: [$(cat "$WORK/fake.out")]" ;;
  "'MAINPID="[0-9]*"'") pass "userns: MAINPID handed back to the runtime once the init exited" ;;
  *) fail "userns: unexpected datagrams: [$(cat "$WORK/fake.out")]" ;;
esac
expect_no_leftovers "userns" userns1 "$UBUNDLE"

psd_boot || { echo "FAIL: boot a private systemd"; exit 1; }
# KillMode=control-group with --notify=container: systemd 252 cannot wait for a main
# process that is not its child, so under KillMode=mixed it skips SIGTERM and SIGKILLs at
# once (man ocistart-run, NOTIFY). The default mode keeps the template's mixed.
write_unit() {  # name notify-mode extra-service-lines (ExecStart runs container <name>)
  local mode=${2:+--notify=$2} kill_mode=mixed
  [ "${2:-}" = container ] && kill_mode=control-group
  psd_exec sh -c "cat > /run/systemd/system/$1.service" <<EOF2
[Service]
Type=notify
NotifyAccess=all
KillMode=$kill_mode
Delegate=yes
TimeoutStartSec=20
TimeoutStopSec=5
${3:-}
ExecStart=$OCISTART --root $ROOT run $mode --bundle $BUNDLE $1
ExecStopPost=-$OCISTART --root $ROOT delete --force $1
EOF2
  psd_exec systemctl daemon-reload
}
start_ms() {  # unit: starts it, prints how long `systemctl start` took (ms)
  local t0 rc
  t0=$(date +%s%N)
  bounded 60 nsenter -t "$PSD_PID" -m -p -- systemctl start "$1.service"; rc=$?
  expect_eq "systemctl start $1 returns" 0 "$rc" >&2
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
prop() { psd_exec systemctl show -p "$2" --value "$1.service"; }
wait_prop() {  # unit property value seconds: until it has that value
  local i
  for ((i = 0; i < $4 * 10; i++)); do
    [ "$(prop "$1" "$2")" = "$3" ] && return 0
    sleep 0.1
  done
  return 1
}
stop_unit() { bounded 60 nsenter -t "$PSD_PID" -m -p -- systemctl stop "$1.service"; }

# 1. The container says READY=1 after 1.5 s, with a status; MAINPID is its init.
set_args "$BUNDLE" /bin/notify_client sleep:1500 $'READY=1\nSTATUS=serving from the container\nMAINPID=1' \
  fd:STATUS=with-an-fd big $'FDSTORE=1\nFDNAME=x' wait
write_unit nf1 container
ms=$(start_ms nf1)
[ "$ms" -ge 1500 ] && pass "start waited for the container's READY=1 (${ms} ms)" ||
  fail "start returned after ${ms} ms, before the container's READY=1 at 1500 ms"
expect_eq "the service is active" active "$(prop nf1 ActiveState)"
pid=$(oci state nf1 | json_field pid)
expect_eq "MainPID is the container's init (host pid)" "$pid" "$(prop nf1 MainPID)"
sleep 0.5  # the messages after READY=1
expect_eq "STATUS= from the container; with an fd relayed without it, 8000 bytes dropped" \
  "with-an-fd" "$(prop nf1 StatusText)"
env=$(psd_exec cat "/proc/$pid/environ" | tr '\0' '\n')
expect_contains "the container's NOTIFY_SOCKET" "NOTIFY_SOCKET=/run/notify/notify.sock" "$env"
expect_eq "no WATCHDOG_USEC without a watchdog" "" "$(printf '%s\n' "$env" | grep WATCHDOG)"
[ -S "$ROOT/nf1/notify/notify.sock" ] && pass "the socket is in the state dir" || fail "no $ROOT/nf1/notify/notify.sock"
stop_unit nf1
expect_eq "systemctl stop: stopped cleanly (SIGTERM, exit 0, the runtime main again)" "inactive success 0" \
  "$(prop nf1 ActiveState) $(prop nf1 Result) $(prop nf1 ExecMainStatus)"
[ -e "$ROOT/nf1" ] && fail "state dir (and socket) left: $(find "$ROOT/nf1")" || pass "no socket left after stop"
expect_no_leftovers "after stop" nf1 "$BUNDLE"

# 2. The container's exit status is the service's (MAINPID handed back to the runtime).
set_args "$BUNDLE" /bin/notify_client READY=1 sleep:300 exit:3
write_unit nf2 container
start_ms nf2 >/dev/null
wait_prop nf2 ActiveState failed 10 || fail "nf2 did not fail after its container exited 3"
expect_eq "the container's exit 3 fails the service" "exit-code 3" "$(prop nf2 Result) $(prop nf2 ExecMainStatus)"
psd_exec systemctl reset-failed nf2.service
expect_no_leftovers "after the container exited" nf2 "$BUNDLE"

# 3. WatchdogSec=2: pinged every 0.5 s for 4 s it stays; then silent, it fails (watchdog).
set_args "$BUNDLE" /bin/notify_client READY=1 every:500:8:WATCHDOG=1 wait
write_unit nf3 container "WatchdogSec=2"
start_ms nf3 >/dev/null
pid=$(oci state nf3 | json_field pid)
env=$(psd_exec cat "/proc/$pid/environ" | tr '\0' '\n')
expect_contains "WATCHDOG_USEC passed to the container" "WATCHDOG_USEC=2000000" "$env"
expect_contains "WATCHDOG_PID=1: its init is pid 1 of its pid namespace" "WATCHDOG_PID=1" "$env"
sleep 3.5
expect_eq "pinged WATCHDOG=1: alive after 3.5 s (WatchdogSec=2)" "active" "$(prop nf3 ActiveState)"
wait_prop nf3 Result watchdog 10 && pass "silent, the watchdog fired (Result=watchdog)" ||
  fail "no watchdog result: $(prop nf3 ActiveState) $(prop nf3 Result)"
wait_prop nf3 ActiveState failed 15 || fail "nf3 did not stop after the watchdog"
psd_exec systemctl reset-failed nf3.service
expect_no_leftovers "after the watchdog" nf3 "$BUNDLE"

# 4. --notify=runtime (the default): ready once the process runs though it sends nothing.
set_args "$BUNDLE" sh -c 'trap "exit 0" TERM; sleep 1000 & wait'
write_unit nf4 ""
ms=$(start_ms nf4)
[ "$ms" -lt 10000 ] && pass "default: ready in ${ms} ms without a word from the container" || fail "start took ${ms} ms"
pid=$(oci state nf4 | json_field pid)
expect_eq "default: no NOTIFY_SOCKET in the container" "" \
  "$(psd_exec cat "/proc/$pid/environ" | tr '\0' '\n' | grep NOTIFY_SOCKET)"
[ -e "$ROOT/nf4/notify" ] && fail "default: a notify dir was made" || pass "default: no notify socket made"
stop_unit nf4
expect_no_leftovers "default, after stop" nf4 "$BUNDLE"

# 5. The same through `run --service --notify=container` (a transient service made by
# ocistart, KillMode=control-group for it): READY=1 after 1 s holds the start, STATUS=
# shows, MainPID is the init; silent after four pings, WatchdogSec=2 with
# Restart=on-watchdog makes systemd restart it: a new container of the same name. (The
# watchdog's SIGABRT does not end a pid namespace's init without a handler: systemd then
# waits TimeoutAbortSec=, by default TimeoutStopSec=, before its SIGKILL.)
set_args "$BUNDLE" /bin/notify_client sleep:1000 $'READY=1\nSTATUS=service nf5' every:500:4:WATCHDOG=1 wait
t0=$(date +%s%N)
out=$(oci run --service --notify=container -p WatchdogSec=2 -p Restart=on-watchdog -p RestartSec=1 -p TimeoutStopSec=3 \
  --bundle "$BUNDLE" nf5 2>&1); rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "run --service --notify=container" "0 Running as unit: nf5.service" "$rc $out"
[ "$ms" -ge 1000 ] && pass "run --service returned after the container's READY=1 (${ms} ms)" ||
  fail "run --service returned after ${ms} ms, before the container's READY=1 at 1000 ms"
expect_eq "the service kills its whole cgroup (--notify=container)" control-group "$(prop nf5 KillMode)"
expect_eq "the service's status is the container's" "service nf5" "$(prop nf5 StatusText)"
pid=$(oci state nf5 | json_field pid)
expect_eq "the service's MainPID is the container's init" "$pid" "$(prop nf5 MainPID)"
wait_prop nf5 NRestarts 1 15 && pass "silent, the watchdog restarted the service" ||
  fail "no restart after the watchdog: $(prop nf5 ActiveState) $(prop nf5 Result) NRestarts=$(prop nf5 NRestarts)"
newpid=
for ((i = 0; i < 100; i++)); do
  p=$(oci state nf5 2>/dev/null | json_field pid 2>/dev/null)
  [ -n "$p" ] && [ "$p" != "$pid" ] && [ "$p" != 0 ] && [ "$(prop nf5 MainPID)" = "$p" ] && { newpid=$p; break; }
  sleep 0.1
done
[ -n "$newpid" ] && pass "a new container nf5 (pid $pid -> $newpid) is the service's MainPID" ||
  fail "no new container nf5 after the restart"
stop_unit nf5
expect_eq "stopped" inactive "$(prop nf5 ActiveState)"
expect_no_leftovers "run --service, after stop" nf5 "$BUNDLE"

finish
