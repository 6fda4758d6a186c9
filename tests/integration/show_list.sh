#!/bin/bash
# `ocistart show` and `ocistart list --format machinectl` on the cgroupfs driver: a running
# container's properties equal its config and its cgroup files; -p, --value, --all; a
# stopped container; an unknown id; the rootfs's os-release read inside the root, never
# the host's file a hostile symlink points at.
. "$(dirname "$0")/lifecycle_lib.sh" "$@"

make_bundle "$BUNDLE"
set_args "$BUNDLE" sleep 1000
edit_config "$BUNDLE" 'c["linux"]["resources"]={"memory":{"limit":67108864},"pids":{"limit":32},
  "cpu":{"shares":512,"quota":50000,"period":100000}}; c["linux"]["cgroupsPath"]="/ocistart/show1"'
printf 'NAME="Test"\nID=testos\nVERSION_ID="4.2"\n' >"$BUNDLE/rootfs/etc/os-release"

CREATED_IDS="show1"
oci --cgroup-manager cgroupfs run -d --bundle "$BUNDLE" show1 || { fail "run -d show1"; finish; }
pid=$(oci state show1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
show=$(oci show show1)
expect_eq "show exits 0" 0 $?
val() { printf '%s\n' "$show" | sed -n "s/^$1=//p"; }
expect_eq "Id, Status, Pid (the state's pid)" "show1 running $pid" "$(val Id) $(val Status) $(val Pid)"
expect_eq "Bundle, Rootfs" "$BUNDLE $BUNDLE/rootfs" "$(val Bundle) $(val Rootfs)"
expect_eq "ControlGroup, CgroupDriver" "/ocistart/show1 cgroupfs" "$(val ControlGroup) $(val CgroupDriver)"
expect_eq "no Unit= line without a unit (empty values are skipped)" "" "$(printf '%s\n' "$show" | grep '^Unit=')"
created=$(oci state show1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["created"])')
expect_eq "Created as systemctl writes a timestamp" "$(date -d "$created" '+%a %Y-%m-%d %H:%M:%S %Z')" "$(val Created)"
# The limits: the config's, and what the cgroup files hold.
expect_eq "MemoryMax= the config's limit" 67108864 "$(val MemoryMax)"
expect_eq "MemoryMax= memory.limit_in_bytes" "$(cat /sys/fs/cgroup/memory/ocistart/show1/memory.limit_in_bytes)" \
  "$(val MemoryMax)"
expect_eq "TasksMax= the config's limit and pids.max" "32 32" "$(val TasksMax) $(cat /sys/fs/cgroup/pids/ocistart/show1/pids.max)"
expect_eq "CPUShares= cpu.shares" "$(cat /sys/fs/cgroup/cpu/ocistart/show1/cpu.shares)" "$(val CPUShares)"
expect_eq "CPUQuotaPerSecUSec= 50% of a second, as systemctl writes it" 500ms "$(val CPUQuotaPerSecUSec)"
expect_eq "no swap limit: MemorySwapMax=infinity" infinity "$(val MemorySwapMax)"
# The use now.
mem=$(val MemoryCurrent)
[ "${mem:-0}" -gt 0 ] 2>/dev/null && pass "MemoryCurrent=$mem > 0" || fail "MemoryCurrent=[$mem]"
expect_eq "TasksCurrent= pids.current" "$(cat /sys/fs/cgroup/pids/ocistart/show1/pids.current)" "$(val TasksCurrent)"
[ "$(val TasksCurrent)" -ge 1 ] 2>/dev/null && pass "TasksCurrent >= 1" || fail "TasksCurrent=[$(val TasksCurrent)]"
cpu=$(val CPUUsageNSec)
[ "${cpu:-0}" -gt 0 ] 2>/dev/null && pass "CPUUsageNSec=$cpu" || fail "CPUUsageNSec=[$cpu]"

# -p, --value, --all.
expect_eq "-p A -p B: the properties' order, not -p's" "Pid=$pid|TasksMax=32|" \
  "$(oci show show1 -p TasksMax -p Pid | tr '\n' '|')"
expect_eq "-p A,B --value" "$pid|32|" "$(oci show show1 -p TasksMax,Pid --value | tr '\n' '|')"
expect_eq "-p of an empty property prints it empty" "Unit=" "$(oci show show1 -p Unit)"
out=$(oci show show1 -p NoSuchThing)
expect_eq "-p of an unknown property prints nothing, exit 0" "|0" "$out|$?"
expect_contains "--all prints the empty ones too" "Unit=" "$(oci show show1 --all)"

# list --format machinectl: the rootfs's os-release.
out=$(oci list --format machinectl)
expect_eq "list --format machinectl" "MACHINE CLASS     SERVICE  OS     VERSION ADDRESSES|show1   container ocistart testos 4.2     -||1 machines listed.|" \
  "$(printf '%s\n' "$out" | tr '\n' '|')"
expect_eq "--no-legend" "show1 container ocistart testos 4.2 -" "$(oci list --format machinectl --no-legend)"
expect_eq "-q stays runc's" show1 "$(oci list --format machinectl -q)"
expect_eq "runc's table is unchanged" "ID PID STATUS BUNDLE CREATED OWNER" "$(oci list | head -1 | tr -s ' ')"

# A hostile rootfs: etc/os-release links to a host file (absolute, and climbing out with ..).
HOSTFILE=$WORK/host-os-release
printf 'ID=hostsecret\nVERSION_ID=666\n' >"$HOSTFILE"
rm -f "$BUNDLE/rootfs/etc/os-release"
ln -s "$HOSTFILE" "$BUNDLE/rootfs/etc/os-release"
out=$(oci list --format machinectl --no-legend)
expect_eq "an absolute symlink out of the root is not followed to the host" "show1 container ocistart - - -" "$out"
rm -f "$BUNDLE/rootfs/etc/os-release"
ln -s "../../../../../../../../../..$HOSTFILE" "$BUNDLE/rootfs/etc/os-release"
out=$(oci list --format machinectl --no-legend)
expect_eq "a ../ symlink out of the root is not followed to the host" "show1 container ocistart - - -" "$out"
mkdir -p "$BUNDLE/rootfs/usr/lib"
printf 'ID=inner\nVERSION_ID=7\n' >"$BUNDLE/rootfs/usr/lib/os-release"
rm -f "$BUNDLE/rootfs/etc/os-release"
ln -s /usr/lib/os-release "$BUNDLE/rootfs/etc/os-release"
expect_eq "an absolute symlink is the root's own file" "show1 container ocistart inner 7 -" \
  "$(oci list --format machinectl --no-legend)"
mkfifo "$BUNDLE/rootfs/etc/fifo"
rm -f "$BUNDLE/rootfs/etc/os-release" "$BUNDLE/rootfs/usr/lib/os-release"
ln -s fifo "$BUNDLE/rootfs/etc/os-release"
expect_eq "a FIFO as os-release neither blocks nor is read" "show1 container ocistart - - -" \
  "$(oci list --format machinectl --no-legend)"

# Stopped: no pid, no counters, the limits still the config's.
oci kill show1 KILL
for ((i = 0; i < 50; i++)); do
  [ "$(oci state show1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = stopped ] && break
  sleep 0.1
done
expect_eq "a stopped container" "Status=stopped|Pid=0|MemoryCurrent=[not set]|TasksCurrent=[not set]|MemoryMax=67108864|" \
  "$(oci show show1 -p Status,Pid,MemoryCurrent,TasksCurrent,MemoryMax | tr '\n' '|')"
expect_eq "list --format machinectl lists no stopped container" "No machines." "$(oci list --format machinectl)"
oci delete show1
expect_no_leftovers "show1" show1 "$BUNDLE"

# An unknown id: one line, exit 1.
out=$(oci show nosuch 2>&1)
rc=$?
expect_eq "unknown id: exit 1" 1 "$rc"
expect_eq "unknown id: one line" "ocistart: show \`nosuch\`: container \`nosuch\` does not exist" "$out"
out=$(oci show ../x 2>&1)
expect_eq "invalid id: exit 1, one line" "1 1" "$? $(printf '%s\n' "$out" | grep -c .)"

finish
