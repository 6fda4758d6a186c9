#!/bin/bash
# update on the cgroupfs driver: new limits reach the container's cgroup (read from inside),
# only the given ones change, bad input and stopped containers fail with one line.
. "$(dirname "$0")/lifecycle_lib.sh"

make_bundle "$BUNDLE"
edit_config "$BUNDLE" 'c["linux"]["resources"]={"memory":{"limit":33554432,"reservation":16777216},"cpu":{"shares":512},"pids":{"limit":100}}'
set_args "$BUNDLE" sleep 300

# inside ID FILE...: the files of the container's own cgroup, as the container sees them.
inside() { local id=$1; shift; oci exec "$id" cat "$@" 2>&1 | tr '\n' ' ' | sed 's/ $//'; }
mem=/sys/fs/cgroup/memory
cpu=/sys/fs/cgroup/cpu
pids=/sys/fs/cgroup/pids/pids.max
# one_line WHAT OUTPUT: exactly one line on stderr, starting "ocistart: ".
one_line() {
  local lines; lines=$(printf '%s\n' "$2" | grep -c .)
  if [ "$lines" = 1 ] && [ "${2#ocistart: }" != "$2" ]; then pass "$1: one line"; else fail "$1: [$2]"; fi
}

CREATED_IDS="up"
oci run -d --bundle "$BUNDLE" up; expect_eq "run -d" 0 $?
expect_eq "initial limits" "33554432 100 -1 100000 512" \
  "$(inside up $mem/memory.limit_in_bytes $pids $cpu/cpu.cfs_quota_us $cpu/cpu.cfs_period_us $cpu/cpu.shares)"

# --- flags ---
out=$(oci update --memory 64m --pids-limit 20 --cpu-quota 50000 --cpu-period 100000 up 2>&1)
expect_eq "update with flags" "0 []" "$? [$out]"
expect_eq "memory, pids, cpu quota/period seen inside" "67108864 20 50000 100000" \
  "$(inside up $mem/memory.limit_in_bytes $pids $cpu/cpu.cfs_quota_us $cpu/cpu.cfs_period_us)"
expect_eq "not given: reservation and shares keep their values" "16777216 512" \
  "$(inside up $mem/memory.soft_limit_in_bytes $cpu/cpu.shares)"

oci update --cpu-quota 25000 up; expect_eq "quota alone" 0 $?
expect_eq "quota alone keeps the period" "25000 100000" "$(inside up $cpu/cpu.cfs_quota_us $cpu/cpu.cfs_period_us)"
oci update --cpu-period 50000 up; expect_eq "period alone" 0 $?
expect_eq "period alone keeps the quota" "25000 50000" "$(inside up $cpu/cpu.cfs_quota_us $cpu/cpu.cfs_period_us)"
oci update --memory 48m --memory-swap 96m --memory-reservation 8m --cpu-share 256 --cpuset-cpus 0 up
expect_eq "memory + swap, reservation, shares, cpuset" "50331648 100663296 8388608 256 0" \
  "$(inside up $mem/memory.limit_in_bytes $mem/memory.memsw.limit_in_bytes $mem/memory.soft_limit_in_bytes \
      $cpu/cpu.shares /sys/fs/cgroup/cpuset/cpuset.cpus)"
# Raising the limit above the current memory+swap: the limit is written after memsw.
oci update --memory 200m --memory-swap 300m up; expect_eq "raise memory above the old memory+swap" 0 $?
expect_eq "raised" "209715200 314572800" "$(inside up $mem/memory.limit_in_bytes $mem/memory.memsw.limit_in_bytes)"
oci update --memory -1 --pids-limit -1 --cpu-quota -1 up; expect_eq "-1: unlimited" 0 $?
unlimited=$(inside up $mem/memory.limit_in_bytes $mem/memory.memsw.limit_in_bytes $pids $cpu/cpu.cfs_quota_us)
case "$unlimited" in
  "9223372036854771712 9223372036854771712 max -1") pass "memory -1 lifts memory+swap too; pids max; quota -1" ;;
  *) fail "-1 values: [$unlimited]" ;;
esac
err=$(oci update --kernel-memory 1m up 2>&1); rc=$?
expect_eq "--kernel-memory is accepted" 0 "$rc"
expect_contains "--kernel-memory warns" "--kernel-memory is obsolete, ignored" "$err"

# --- -r FILE and -r - ---
cat >"$WORK/r.json" <<'JSON'
{"memory": {"limit": 100663296, "swap": 201326592}, "cpu": {"quota": 30000, "period": 100000, "cpus": "0-1"},
 "pids": {"limit": 40}, "devices": [{"allow": false, "access": "rwm"}]}
JSON
out=$(oci update -r "$WORK/r.json" --memory 1g up 2>&1)
expect_eq "update -r FILE (other flags ignored)" "0 []" "$? [$out]"
expect_eq "-r values seen inside" "100663296 201326592 40 30000 100000 0-1" \
  "$(inside up $mem/memory.limit_in_bytes $mem/memory.memsw.limit_in_bytes $pids $cpu/cpu.cfs_quota_us \
      $cpu/cpu.cfs_period_us /sys/fs/cgroup/cpuset/cpuset.cpus)"
expect_eq "-r devices are not applied (the container still reads /dev/null)" "ok" \
  "$(oci exec up sh -c 'cat /dev/null && echo ok' 2>&1)"
echo '{"pids": {"limit": 44}}' | oci update -r - up; expect_eq "update -r -" 0 $?
expect_eq "-r - value seen inside" 44 "$(inside up $pids)"

# --- bad input fails with one line naming the flag or field, and changes nothing ---
before=$(inside up $mem/memory.limit_in_bytes $pids /sys/fs/cgroup/cpuset/cpuset.cpus)
err=$(oci update --memory 128m --cpuset-cpus 0-x up 2>&1); rc=$?
expect_eq "bad --cpuset-cpus fails" 1 "$rc"
one_line "bad --cpuset-cpus" "$err"
expect_contains "names the flag" "update \`up\`: --cpuset-cpus: " "$err"
err=$(oci update --memory 128m --memory-swap 64m up 2>&1); rc=$?
expect_eq "swap below memory fails" 1 "$rc"
expect_contains "names --memory-swap" "--memory-swap: " "$err"
err=$(oci update --pids-limit 50 --memory 12x up 2>&1); rc=$?
expect_eq "bad memory size fails" 1 "$rc"
expect_contains "names --memory" "--memory" "$err"
echo '{"pids": {"limit": 50}, "memory": {"limit": "128m"}}' >"$WORK/bad.json"
err=$(oci update -r "$WORK/bad.json" up 2>&1); rc=$?
expect_eq "bad -r field fails" 1 "$rc"
one_line "bad -r field" "$err"
expect_contains "names the JSON pointer" "/memory/limit: expected an integer, got string" "$err"
err=$(oci update -r "$WORK/missing.json" up 2>&1); rc=$?
expect_eq "missing -r file fails" 1 "$rc"
one_line "missing -r file" "$err"
err=$(oci update --l3-cache-schema L3:0=f up 2>&1); rc=$?
expect_eq "--l3-cache-schema is refused" 1 "$rc"
one_line "--l3-cache-schema" "$err"
expect_eq "nothing changed by the failures" "$before" \
  "$(inside up $mem/memory.limit_in_bytes $pids /sys/fs/cgroup/cpuset/cpuset.cpus)"
# A value the kernel refuses: memory+swap below the current memory limit (96m).
err=$(oci update --memory-swap 32m up 2>&1); rc=$?
expect_eq "kernel-refused value fails" 1 "$rc"
one_line "kernel-refused value" "$err"
expect_contains "names the file" "memory.memsw.limit_in_bytes" "$err"

# --- paused, stopped, missing ---
oci pause up
oci update --pids-limit 33 up; expect_eq "update of a paused container" 0 $?
expect_eq "paused: new pids.max" 33 "$(cat /sys/fs/cgroup/pids/ocistart/up/pids.max)"
oci resume up
oci kill up KILL
for i in $(seq 50); do oci state up | grep -q '"stopped"' && break; sleep 0.1; done
err=$(oci update --memory 64m up 2>&1); rc=$?
expect_eq "update of a stopped container fails" 1 "$rc"
one_line "stopped container" "$err"
expect_eq "stopped: the message" "ocistart: update \`up\`: container not running" "$err"
oci delete up; expect_eq "delete" 0 $?
err=$(oci update --memory 64m up 2>&1); rc=$?
expect_eq "update of a missing container fails" 1 "$rc"
one_line "missing container" "$err"
expect_no_leftovers "update" up "$BUNDLE"

# --- created (not started) containers can be updated too ---
CREATED_IDS="cr"
oci create --bundle "$BUNDLE" cr
oci update --memory 40m cr; expect_eq "update of a created container" 0 $?
expect_eq "created: new limit" 41943040 "$(cat /sys/fs/cgroup/memory/ocistart/cr/memory.limit_in_bytes)"
oci delete --force cr
expect_no_leftovers "update created" cr "$BUNDLE"

finish
