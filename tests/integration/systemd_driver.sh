#!/bin/bash
# The systemd cgroup driver end to end, against a real systemd booted in private
# namespaces (lib/private-systemd.sh): properties as systemd shows them and as the
# container's cgroup files hold them, create/start/delete leaving nothing, a
# "slice:prefix:name" cgroupsPath, and a stopped systemd failing within the D-Bus
# deadline (OCISTART_DBUS_TIMEOUT_MS). Prints TAP-style `ok -` / `not ok -` lines.
set -u
OCISTART=$(readlink -f "${1:?usage: $0 /path/to/ocistart}")
if [ "$(id -u)" != 0 ]; then echo "SKIP: not root"; exit 77; fi
[ -x /bin/busybox ] || { echo "SKIP: no /bin/busybox (busybox-static)"; exit 77; }
# Debian's interpreter by its path: the first one on PATH may be a slow version-manager shim.
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "SKIP: no /usr/bin/python3"; exit 77; }
HERE=$(dirname "$(readlink -f "$0")")
TOOLS=$HERE/../../tools
# shellcheck source=lib/private-systemd.sh
. "$HERE/lib/private-systemd.sh"
psd_require

# Not under /tmp, /run or /var/tmp: the private systemd has fresh tmpfs there.
mkdir -p /var/lib/ocistart-tests
WORK=$(mktemp -d /var/lib/ocistart-tests/systemd-driver.XXXXXX)
ROOT=$WORK/root
BUNDLE=$WORK/bundle
FAILS=0
N=0
STOPPED=""

cleanup() {
  if [ -n "$STOPPED" ] && [ -n "$PSD_PID" ]; then kill -CONT "$PSD_PID" 2>/dev/null; fi
  if [ -n "$PSD_PID" ]; then
    for id in c0 c1 c2 c3 c4 c5 c6; do timeout -k 5 30 nsenter -t "$PSD_PID" -m -p -- "$OCISTART" --root "$ROOT" delete --force "$id" >/dev/null 2>&1; done
  fi
  psd_stop
  rm -rf "$WORK"
}
trap cleanup EXIT

ok() { N=$((N + 1)); echo "ok - $*"; }
not_ok() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok - $*"; }
expect_eq() {  # what expected actual
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected [$2], got [$3]"; fi
}
expect_contains() {  # what needle haystack
  case "$3" in *"$2"*) ok "$1" ;; *) not_ok "$1: [$2] not in [$3]" ;; esac
}
fail() { not_ok "$@"; }
# shellcheck source=lib/bounded.sh
. "$HERE/lib/bounded.sh"
oci() { bounded 60 nsenter -t "$PSD_PID" -m -p -- "$OCISTART" --root "$ROOT" "$@"; }

edit_config() {  # python statements (c is the config)
  "$PY" - "$BUNDLE/config.json" "$1" <<'PY'
import json, sys
path, code = sys.argv[1], sys.argv[2]
c = json.load(open(path))
exec(code)
json.dump(c, open(path, "w"), indent=1)
PY
}

# The container records its cgroups and the limits it sees in /sys/fs/cgroup, then waits
# for /tmp/stop (created by the harness through the bundle's rootfs).
make_test_bundle() {  # cgroupsPath
  rm -rf "$BUNDLE"
  "$TOOLS/make-bundle" "$BUNDLE" >/dev/null || { echo "make-bundle failed"; exit 1; }
  (cd "$BUNDLE" && "$OCISTART" spec) || { echo "ocistart spec failed"; exit 1; }
  edit_config '
c["process"]["terminal"] = False
c["process"]["capabilities"].pop("ambient", None)
c["root"]["readonly"] = False
c["process"]["args"] = ["sh", "-c",
  "cat /proc/self/cgroup > /tmp/cg; "
  "for f in memory/memory.limit_in_bytes pids/pids.max cpu/cpu.shares cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us; "
  "do echo \"$f=$(cat /sys/fs/cgroup/$f)\"; done > /tmp/inside.tmp; mv /tmp/inside.tmp /tmp/inside; "
  "while [ ! -e /tmp/stop ]; do sleep 0.1; done"]
r = c["linux"].setdefault("resources", {})
r["memory"] = {"limit": 64 * 1024 * 1024}
r["pids"] = {"limit": 50}
r["cpu"] = {"shares": 512, "quota": 50000, "period": 100000}
c.setdefault("annotations", {})["org.systemd.property.TimeoutStopSec"] = "uint64 5"
c["linux"]["cgroupsPath"] = "'"$1"'"
'
}

wait_for_file() { wait_until 10 "the container to write $1" test -e "$1"; }  # path

# systemctl show and the cgroup files (seen from inside, and through the host path).
check_unit_and_cgroups() {  # what unit
  local what=$1 unit=$2 show path c
  show=$(psd_exec systemctl show "$unit" -p MemoryLimit -p TasksMax -p CPUShares -p CPUQuotaPerSecUSec \
    -p TimeoutStopUSec -p ActiveState | sort | tr '\n' ' ')
  expect_eq "$what: systemctl show $unit" \
    "ActiveState=active CPUQuotaPerSecUSec=500ms CPUShares=512 MemoryLimit=67108864 TasksMax=50 TimeoutStopUSec=5s " \
    "$show"
  if wait_for_file "$BUNDLE/rootfs/tmp/inside"; then
    expect_eq "$what: cgroup files seen inside the container" \
      "memory/memory.limit_in_bytes=67108864 pids/pids.max=50 cpu/cpu.shares=512 cpu/cpu.cfs_quota_us=50000 cpu/cpu.cfs_period_us=100000 " \
      "$(tr '\n' ' ' <"$BUNDLE/rootfs/tmp/inside")"
  else
    not_ok "$what: the container did not report its cgroup files"
  fi
  path=$(sed -n 's/^[0-9]*:memory://p' "$BUNDLE/rootfs/tmp/cg")
  expect_eq "$what: the container's memory cgroup is the unit's" "$(psd_exec systemctl show "$unit" -p ControlGroup --value)" "$path"
  local got=""
  for c in memory/memory.limit_in_bytes pids/pids.max cpu/cpu.shares cpu/cpu.cfs_quota_us; do
    got="$got${c#*/}=$(psd_exec cat "/sys/fs/cgroup/${c%%/*}$path/${c#*/}" 2>&1) "
  done
  expect_eq "$what: cgroup files through the host path $path" \
    "memory.limit_in_bytes=67108864 pids.max=50 cpu.shares=512 cpu.cfs_quota_us=50000 " "$got"
  # Hierarchies systemd does not manage on v1 (cpuset, freezer) hold the container too.
  for c in cpuset freezer; do
    if [ -n "$(psd_exec cat "/sys/fs/cgroup/$c$path/cgroup.procs" 2>/dev/null)" ]; then
      ok "$what: the $c cgroup holds the container"
    else
      not_ok "$what: no process in /sys/fs/cgroup/$c$path"
    fi
  done
}

# update: SetUnitProperties on the unit (systemctl show) and the cgroup files the container
# reads; what is not given keeps its value; a quota or period alone keeps the other one.
check_update() {  # id unit
  local id=$1 unit=$2 err
  show() { psd_exec systemctl show "$unit" "$@" | sort | tr '\n' ' '; }
  inside() { oci exec "$id" cat "$@" 2>&1 | tr '\n' ' '; }
  if err=$(oci update --memory 128m --pids-limit 30 "$id" 2>&1); then ok "update --memory 128m --pids-limit 30"
  else not_ok "update --memory 128m --pids-limit 30: $err"; fi
  expect_eq "update: systemctl show $unit" "MemoryLimit=134217728 TasksMax=30 " "$(show -p MemoryLimit -p TasksMax)"
  expect_eq "update: the container sees the new limits" "134217728 30 " \
    "$(inside /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max)"
  expect_eq "update: CPU settings not given are unchanged" "CPUQuotaPerSecUSec=500ms CPUShares=512 " \
    "$(show -p CPUShares -p CPUQuotaPerSecUSec)"
  oci update --cpu-quota 20000 "$id" || not_ok "update --cpu-quota 20000"
  expect_eq "update: a quota alone is per the current period" "CPUQuotaPerSecUSec=200ms " "$(show -p CPUQuotaPerSecUSec)"
  expect_eq "update: quota alone, cgroup files" "20000 100000 " \
    "$(inside /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us)"
  oci update --cpu-period 50000 "$id" || not_ok "update --cpu-period 50000"
  expect_eq "update: a period alone keeps the quota" "CPUQuotaPerSecUSec=400ms " "$(show -p CPUQuotaPerSecUSec)"
  expect_eq "update: period alone, cgroup files" "20000 50000 " \
    "$(inside /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us)"
  err=$(oci update --cpuset-cpus 0-x "$id" 2>&1)
  expect_eq "update: a bad value fails with one line naming the flag" \
    "ocistart: update \`$id\`: --cpuset-cpus: \"0-x\" is not a CPU list like \"0-3,7\"" "$err"
  expect_eq "update: the unit is still active" active "$(psd_exec systemctl is-active "$unit")"
}

# Nothing left: no unit (loaded, failed or otherwise), no cgroup dir, no state.
check_nothing_left() {  # what unit cgroup-path
  local what=$1 unit=$2 path=$3 left="" d
  if psd_exec systemctl list-units --all --no-legend | grep -q "$unit"; then
    left="$left unit:$(psd_exec systemctl list-units --all --no-legend | grep "$unit" | tr -s ' ')"
  fi
  if [ -n "$path" ]; then
    for d in /sys/fs/cgroup/*"$path"; do [ -e "$d" ] && left="$left cgroup:$d"; done
  fi
  [ -z "$(ls -A "$ROOT" 2>/dev/null | grep -v '^\.systemd-unsupported-properties$')" ] || left="$left state:$(ls -A "$ROOT")"
  if [ -z "$left" ]; then ok "$what: nothing left behind"; else not_ok "$what: left behind:$left"; fi
}

psd_boot || { echo "not ok - boot a private systemd"; exit 1; }
ok "private systemd booted (pid $PSD_PID)"
mkdir -p "$ROOT"

# --- 1. run (foreground) with --systemd-cgroup, empty cgroupsPath -> ocistart-c0.scope ---
make_test_bundle ""
psd_exec "$OCISTART" --debug --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" c0 \
  >"$WORK/run.out" 2>"$WORK/run.err" &
RUN_PID=$!
if wait_for_file "$BUNDLE/rootfs/tmp/inside"; then
  state=$(cat "$ROOT/c0/state.json" 2>/dev/null)
  expect_contains "run: state.json records the driver" '"cgroupDriver":"systemd"' "$state"
  expect_contains "run: state.json records the unit" '"systemdUnit":"ocistart-c0.scope"' "$state"
  expect_contains "run: state.json records the unit's cgroup" '"cgroupPath":"/system.slice/ocistart-c0.scope"' "$state"
  check_unit_and_cgroups run ocistart-c0.scope
else
  not_ok "run: container did not start: $(cat "$WORK/run.err")"
fi
touch "$BUNDLE/rootfs/tmp/stop"
wait_job "$RUN_PID" 30 "run c0 after the container was told to stop"
expect_eq "run: exit status" 0 $?
calls=$(grep -o '[0-9]* D-Bus calls' "$WORK/run.err" | tr '\n' ',')
echo "# D-Bus calls per run (create, delete): $calls"
check_nothing_left "run" ocistart-c0.scope /system.slice/ocistart-c0.scope

# --- 2. create/start/delete, cgroupsPath "system.slice:test:c1" under --cgroup-manager auto ---
make_test_bundle "system.slice:test:c1"
if oci create --bundle "$BUNDLE" c1 2>"$WORK/create.err"; then
  ok "create with cgroupsPath system.slice:test:c1 (auto)"
  expect_eq "create: unit test-c1.scope is active" active "$(psd_exec systemctl is-active test-c1.scope)"
  oci start c1 && ok "start" || not_ok "start"
  check_unit_and_cgroups "create/start" test-c1.scope
  expect_eq "exec joins the unit's cgroup" "/system.slice/test-c1.scope" \
    "$(oci exec c1 cat /proc/self/cgroup 2>&1 | sed -n 's/^[0-9]*:memory://p')"
  # The same unit name while test-c1.scope runs: as runc, the newcomer joins the running
  # unit (its cgroup is not empty: a warning), and deleting it leaves the unit and c1 alone.
  procs=/sys/fs/cgroup/systemd/system.slice/test-c1.scope/cgroup.procs
  before=$(grep -c . $procs)
  if oci --cgroup-manager systemd create --bundle "$BUNDLE" c3 2>"$WORK/exists.err"; then
    ok "a second container on an active unit name joins it, as runc"
    expect_contains "unit name in use: runc's warning" "container's cgroup is not empty: $before process(es) found" \
      "$(cat "$WORK/exists.err")"
    expect_eq "unit name in use: c3's init joined the unit" $((before + 1)) "$(grep -c . $procs)"
    oci delete --force c3 2>"$WORK/exists.err"; expect_eq "unit name in use: c3 deleted" 0 $?
  else
    not_ok "a second container on an active unit name: $(cat "$WORK/exists.err")"
  fi
  expect_eq "unit name in use: the running unit is untouched" active "$(psd_exec systemctl is-active test-c1.scope)"
  expect_contains "unit name in use: c1 still runs" '"status": "running"' "$(oci state c1 2>&1)"
  [ -e "$ROOT/c3" ] && not_ok "unit name in use: state dir of c3 left" || ok "unit name in use: no state dir left"
  check_update c1 test-c1.scope
  touch "$BUNDLE/rootfs/tmp/stop"
  c1_stopped() { [ "$(oci state c1 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null)" = stopped ]; }
  wait_until 5 "c1 to stop after /tmp/stop" c1_stopped
  if oci delete c1 2>"$WORK/delete.err"; then ok "delete"; else not_ok "delete: $(cat "$WORK/delete.err")"; fi
else
  not_ok "create with cgroupsPath system.slice:test:c1: $(cat "$WORK/create.err")"
fi
check_nothing_left "create/start/delete" test-c1.scope /system.slice/test-c1.scope

# --- 3. delete --force of a running container stops the unit ---
make_test_bundle "system.slice:test:c1"
if oci create --bundle "$BUNDLE" c1 2>"$WORK/create.err" && oci start c1; then
  wait_for_file "$BUNDLE/rootfs/tmp/inside"
  if oci delete --force c1 2>"$WORK/delete.err"; then ok "delete --force"; else not_ok "delete --force: $(cat "$WORK/delete.err")"; fi
else
  not_ok "create+start for delete --force: $(cat "$WORK/create.err")"
fi
check_nothing_left "delete --force" test-c1.scope /system.slice/test-c1.scope

# --- 4. a property this systemd does not know: dropped, remembered, not sent again ---
make_test_bundle ""
edit_config 'c["process"]["args"] = ["true"]; c["annotations"]["org.systemd.property.NoSuchPropertyX"] = "uint64 1"'
rm -f "$ROOT/.systemd-unsupported-properties"
for round in 1 2; do
  # Round 2 without a flag: --cgroup-manager auto picks systemd because systemd runs this "host".
  flag=$([ $round = 1 ] && echo --systemd-cgroup || echo --cgroup-manager=auto)
  if oci --debug "$flag" run --bundle "$BUNDLE" c0 >"$WORK/prop.out" 2>"$WORK/prop.err"; then
    ok "unknown property, run $round: succeeds"
  else
    not_ok "unknown property, run $round: $(cat "$WORK/prop.err")"
  fi
  calls=$(grep -o "create .*: [0-9]* D-Bus calls" "$WORK/prop.err" | grep -o '[0-9]* D-Bus' | cut -d' ' -f1)
  # Run 1: StartTransientUnit refused for the property, then again without it. Run 2: the
  # remembered property is left out at once. The cgroup path comes from /proc, not the bus.
  expect_eq "unknown property, run $round: D-Bus calls of create" "$([ $round = 1 ] && echo 2 || echo 1)" "$calls"
  expect_eq "unknown property, run $round: remembered in the root" "NoSuchPropertyX" \
    "$(cat "$ROOT/.systemd-unsupported-properties" 2>&1)"
done
check_nothing_left "unknown property" ocistart-c0.scope /system.slice/ocistart-c0.scope
rm -f "$ROOT/.systemd-unsupported-properties"

# --- 6. systemd-run style: --unit and -p (unit-file syntax) win over the config ---
make_test_bundle ""
if oci run -d --bundle "$BUNDLE" --unit web -p MemoryLimit=96M -p TasksMax=33 -p CPUQuota=25% \
     -p "Description=the web container" c4 2>"$WORK/p.err"; then
  ok "run -d --unit web -p ... (no --systemd-cgroup: -p asks for the systemd driver)"
  expect_eq "-p: systemctl show web.scope" \
    "CPUQuotaPerSecUSec=250ms Description=the web container MemoryLimit=100663296 TasksMax=33 " \
    "$(psd_exec systemctl show web.scope -p MemoryLimit -p TasksMax -p CPUQuotaPerSecUSec -p Description | sort | tr '\n' ' ')"
  expect_eq "-p: the container's cgroup files hold the -p values" "100663296 33 25000 " \
    "$(oci exec c4 cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max \
         /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>&1 | tr '\n' ' ')"
  oci delete --force c4 || not_ok "delete --force c4"
else
  not_ok "run -d --unit web -p ...: $(cat "$WORK/p.err")"
fi
check_nothing_left "--unit web" web.scope /system.slice/web.scope
err=$(oci run -d --bundle "$BUNDLE" -p MemoryLimit=lots c5 2>&1)
expect_eq "-p with a bad value: one line naming it" \
  "ocistart: run \`c5\`: -p \`MemoryLimit=lots\`: MemoryLimit: \`lots\` is not a size (bytes, or with K, M, G, T, P, E)" "$err"
check_nothing_left "-p with a bad value" ocistart-c5.scope /system.slice/ocistart-c5.scope

# --- 6. a create killed once its unit exists (issue 9, item 6): SIGKILL runs none of its
# undo, but it recorded the unit before starting it, so a plain delete removes it all ---
make_test_bundle ""
edit_config 'c["hooks"] = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "kill -KILL $PPID"]}]}'
oci --systemd-cgroup create --bundle "$BUNDLE" c6 >/dev/null 2>&1
# The unit was made; with its init gone (killed with the create) systemd may already have
# stopped it, but maybe not yet: delete's StopUnit must do for either.
echo "# killed create: ocistart-c6.scope is $(psd_exec systemctl is-active ocistart-c6.scope 2>&1)"
expect_contains "killed create: its state names the unit" '"systemdUnit":"ocistart-c6.scope"' \
  "$(cat "$ROOT/c6/state.json" 2>&1)"
err=$(oci delete c6 2>&1); expect_eq "killed create: delete succeeds, silently" "" "$err"
check_nothing_left "killed create, after delete" ocistart-c6.scope /system.slice/ocistart-c6.scope
make_test_bundle ""
oci --systemd-cgroup create --bundle "$BUNDLE" c6 >/dev/null 2>"$WORK/again.err"
expect_eq "killed create: the id is free again" "" "$(cat "$WORK/again.err")"
oci delete --force c6 || not_ok "delete --force c6"
check_nothing_left "killed create, the id again" ocistart-c6.scope /system.slice/ocistart-c6.scope

# --- 5. a stopped systemd: create fails within the deadline and leaves nothing ---
make_test_bundle ""
kill -STOP "$PSD_PID" && STOPPED=1
start_ns=$(date +%s%N)
psd_exec env OCISTART_DBUS_TIMEOUT_MS=2000 "$OCISTART" --root "$ROOT" --systemd-cgroup create --bundle "$BUNDLE" c2 \
  >"$WORK/stopped.out" 2>"$WORK/stopped.err"
status=$?
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
err=$(cat "$WORK/stopped.err")
if [ "$status" -ne 0 ] && [ "$elapsed_ms" -ge 1800 ] && [ "$elapsed_ms" -le 4000 ]; then
  ok "stopped systemd: create failed after ${elapsed_ms} ms (deadline 2000 ms)"
else
  not_ok "stopped systemd: create exit $status after ${elapsed_ms} ms (deadline 2000 ms)"
fi
expect_contains "stopped systemd: the error names the deadline" "no answer within the deadline" "$err"
echo "# error: $err"
[ -e "$ROOT/c2" ] && not_ok "stopped systemd: state dir left" || ok "stopped systemd: no state dir"
left=""
for p in /proc/[0-9]*; do
  r=$(readlink "$p/root" 2>/dev/null) || continue
  case "$r" in "$BUNDLE"/*) left="$left ${p#/proc/}" ;; esac
done
expect_eq "stopped systemd: no container process left" "" "$left"
kill -CONT "$PSD_PID" && STOPPED=""
# systemd now reads the queued StartTransientUnit, whose PID is gone: it must not leave a unit.
sleep 1
check_nothing_left "stopped systemd, after SIGCONT" ocistart-c2.scope /system.slice/ocistart-c2.scope

report_hangs
echo "1..$N"
if [ "$FAILS" -ne 0 ]; then echo "# $FAILS failure(s)"; exit 1; fi
exit 0
