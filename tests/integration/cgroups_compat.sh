#!/bin/bash
# What runc's cgroups.bats and real clients expect of the cgroup code, end to end, on the
# cgroupfs driver (the host's cgroups) and, when systemd is installed, the systemd driver
# (a private systemd, lib/private-systemd.sh; run it under the machine's exclusive lock):
# - the zeros and negatives clients write for "not set" (Docker 20.10's resources) are
#   accepted and change nothing; bad values fail with one line naming the JSON path;
# - a pre-existing frozen cgroup (or frozen parent) is refused AT ONCE: this used to hang
#   forever, so every command runs under a deadline (lib/bounded.sh), and a timeout fails
#   the test as "hung", naming the command;
# - a non-empty cgroup is a warning; unified resources on cgroup v1 "invalid configuration";
# - exec --ignore-paused waits for the resume; exec --cgroup joins sub-cgroups.
# Usage: cgroups_compat.sh /path/to/ocistart. Exit 77 when it cannot run here.
HERE=$(dirname "$(readlink -f "$0")")
. "$HERE/lifecycle_lib.sh"

V1=/sys/fs/cgroup
[ -d $V1/freezer ] && [ -d $V1/memory ] || { echo "SKIP: needs the v1 freezer and memory hierarchies"; exit 77; }
TAG=compat-$$
FROZEN_DIRS=""

# call SECS ARG...: ocistart ARG... (the command line in OCI; the systemd part changes it)
# under lib/bounded.sh's deadline: a hang fails the test, naming the command. Its output in
# $OUT (through a file: a container it starts keeps its stdout open), status in $RC.
OCI=("$OCISTART" --root "$ROOT")
call() {
  local secs=$1
  shift
  bounded "$secs" "${OCI[@]}" "$@" >"$WORK/out" 2>&1 </dev/null
  RC=$?
  OUT=$(cat "$WORK/out")
}

# freeze DIR: the cgroup DIR (made if missing) frozen by the v1 freezer, thawed at exit.
freeze() {
  mkdir -p "$1"
  echo FROZEN >"$1/freezer.state"
  FROZEN_DIRS="$1 $FROZEN_DIRS"
}

thaw_all() {
  local d p
  for d in $FROZEN_DIRS; do
    echo THAWED >"$d/freezer.state" 2>/dev/null
    for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
  for d in $FROZEN_DIRS; do rmdir "$d" 2>/dev/null; done
}

cleanup_compat() {
  thaw_all
  CREATED_IDS=$(ls -A "$ROOT" 2>/dev/null)  # also what a failed create left behind
  cleanup
  for d in $V1/*/$TAG; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
}
trap cleanup_compat EXIT

# The host's cgroup dirs under $TAG, one per line (what a failed create must not add).
tag_dirs() { find $V1/*/$TAG -type d 2>/dev/null | sort; }

make_bundle "$BUNDLE"
set_args "$BUNDLE" sleep 300

# --- zeros and negatives ---------------------------------------------------------------
edit_config "$BUNDLE" "c['linux']['cgroupsPath']='/$TAG/zeros'; c['linux']['resources']={
  'devices':[{'allow':False,'access':'rwm'}],'memory':{'disableOOMKiller':False},
  'cpu':{'shares':0,'quota':0,'period':0},'pids':{'limit':0},'blockIO':{'weight':0,'leafWeight':0}}"
CREATED_IDS="zeros"
call 30 run -d --bundle "$BUNDLE" zeros
expect_eq "Docker 20.10's zeros are accepted" "0 []" "$RC [$OUT]"
expect_eq "pids limit 0 is unset: pids.max stays max" max "$(cat $V1/pids/$TAG/zeros/pids.max 2>&1)"
expect_eq "shares 0 is unset" 1024 "$(cat $V1/cpu/$TAG/zeros/cpu.shares 2>&1)"
expect_eq "quota 0 is unset" -1 "$(cat $V1/cpu/$TAG/zeros/cpu.cfs_quota_us 2>&1)"
case "$(cat $V1/devices/$TAG/zeros/devices.list 2>&1)" in
  *"a *:* rwm"*) fail "the device rules were not applied" ;;
  *"c 1:3 rwm"*) pass "the device rules were applied" ;;
  *) fail "devices.list: $(cat $V1/devices/$TAG/zeros/devices.list 2>&1)" ;;
esac
call 30 delete -f zeros

before=$(tag_dirs)
for bad in "memory/limit=-2:{'memory':{'limit':-2}}" "blockIO/weight=5:{'blockIO':{'weight':5}}" \
           "cpu/shares=1:{'cpu':{'shares':1}}"; do
  field=${bad%%=*}
  res=${bad#*:}
  edit_config "$BUNDLE" "c['linux']['cgroupsPath']='/$TAG/bad'; c['linux']['resources']=$res"
  call 30 run -d --bundle "$BUNDLE" bad
  expect_eq "$field: refused" 1 "$RC"
  expect_eq "$field: one line" 1 "$(printf '%s\n' "$OUT" | grep -c .)"
  expect_contains "$field: names the JSON path" "config.json: /linux/resources/$field: " "$OUT"
  expect_eq "$field: no cgroup left" "$before" "$(tag_dirs)"
  expect_eq "$field: no state left" "" "$(ls -A "$ROOT")"
done

# --- unified on cgroup v1 ---------------------------------------------------------------
if [ "$(stat -fc %T $V1)" != cgroup2fs ]; then
  edit_config "$BUNDLE" "c['linux']['cgroupsPath']='/$TAG/unified'; c['linux']['resources']={'unified':{'memory.min':'131072'}}"
  call 30 run -d --bundle "$BUNDLE" unified
  expect_eq "unified on v1: refused" 1 "$RC"
  expect_contains "unified on v1: runc's words" "/linux/resources/unified: invalid configuration" "$OUT"
  expect_eq "unified on v1: nothing left" "$before " "$(tag_dirs) $(ls -A "$ROOT")"
fi

# --- a frozen cgroup is refused, quickly ---------------------------------------------------
edit_config "$BUNDLE" "c['linux']['cgroupsPath']='/$TAG/frozen'; c['linux'].pop('resources', None)"
freeze $V1/freezer/$TAG/frozen
before=$(tag_dirs)
for cmd in run create; do
  call 20 $cmd $([ $cmd = run ] && echo -d) --bundle "$BUNDLE" frozen
  expect_eq "$cmd in a frozen cgroup: refused" 1 "$RC"
  expect_contains "$cmd in a frozen cgroup: says why" "container's cgroup unexpectedly frozen" "$OUT"
  expect_eq "$cmd in a frozen cgroup: nothing made, no state" "$before " "$(tag_dirs) $(ls -A "$ROOT")"
done
edit_config "$BUNDLE" "c['linux']['cgroupsPath']='/$TAG/parent/child'"
freeze $V1/freezer/$TAG/parent
before=$(tag_dirs)
call 20 run -d --bundle "$BUNDLE" child
expect_eq "run under a frozen parent: refused" "1 container's cgroup unexpectedly frozen" "$RC ${OUT##*: }"
expect_eq "run under a frozen parent: nothing made" "$before" "$(tag_dirs)"
thaw_all
FROZEN_DIRS=""

# --- a non-empty cgroup is a warning ------------------------------------------------------
edit_config "$BUNDLE" "c['linux']['cgroupsPath']='/$TAG/shared'"
CREATED_IDS="c1 c2"
call 30 run -d --bundle "$BUNDLE" c1
expect_eq "c1 runs, no warning" "0 []" "$RC [$OUT]"
call 30 run -d --bundle "$BUNDLE" c2
expect_eq "c2 runs in c1's cgroup" 0 "$RC"
expect_contains "with runc's warning" "container's cgroup is not empty: 1 process(es) found" "$OUT"
call 30 delete -f c2
call 20 state c1
expect_contains "deleting c2 leaves c1 (own pid namespace) running" '"status": "running"' "$OUT"

# --- update: runc's template of zeros changes nothing; unified on v1 is refused ------------
echo 50 >$V1/pids/$TAG/shared/pids.max
echo '{"memory":{"limit":0,"reservation":0,"swap":0},"cpu":{"shares":0,"quota":0,"period":0},
       "pids":{"limit":0},"blockIO":{"weight":0}}' >"$WORK/zeros.json"
call 20 update -r "$WORK/zeros.json" c1
expect_eq "update with zeros: accepted, pids.max untouched" "0 [] 50" "$RC [$OUT] $(cat $V1/pids/$TAG/shared/pids.max)"
if [ "$(stat -fc %T $V1)" != cgroup2fs ]; then
  echo '{"unified":{"memory.min":"1"}}' >"$WORK/unified.json"
  call 20 update -r "$WORK/unified.json" c1
  expect_eq "update with unified on v1: refused by field" "1 /unified: invalid configuration: cannot use unified on cgroup v1" \
    "$RC ${OUT#*c1\`: }"
fi

# --- exec --ignore-paused -------------------------------------------------------------------
call 20 pause c1
call 20 exec c1 echo ok
expect_eq "exec in a paused container: refused" 255 "$RC"
expect_contains "exec in a paused container: says so" "cannot exec in a paused container" "$OUT"
(sleep 1; oci resume c1) &
resumer=$!
call 20 exec --ignore-paused c1 echo ok
expect_eq "exec --ignore-paused runs once resumed" "0 ok" "$RC $OUT"
wait $resumer

# --- exec --cgroup ----------------------------------------------------------------------------
mkdir -p $V1/memory/$TAG/shared/sub
call 20 exec --cgroup memory:sub c1 cat /proc/self/cgroup
expect_contains "exec --cgroup memory:sub joins it" ":memory:/$TAG/shared/sub" "$OUT"
expect_contains "exec --cgroup memory:sub: the rest stays" ":pids:/$TAG/shared
" "$OUT
"
call 20 exec --cgroup .. c1 true
expect_contains "exec --cgroup .. is refused" " .. is not a sub cgroup path" "$RC $OUT"
call 20 exec --cgroup nonexistent c1 true
expect_contains "exec --cgroup nonexistent: runc's words" "/nonexistent/cgroup.procs: no such file " "$OUT"
call 20 exec --cgroup whaaat:/ c1 true
expect_contains "exec --cgroup whaaat:/ is refused" "unknown controller " "$OUT"
call 30 delete -f c1
rmdir $V1/memory/$TAG/shared/sub 2>/dev/null
for id in $(ls -A "$ROOT"); do oci delete -f "$id" >/dev/null 2>&1; done  # also what a failed create left
CREATED_IDS=""

# --- the systemd driver --------------------------------------------------------------------------
if [ -x /lib/systemd/systemd ]; then
  . "$HERE/lib/private-systemd.sh"
  # Its /tmp is a fresh tmpfs: the bundle must live elsewhere.
  mkdir -p /var/lib/ocistart-tests
  SD=$(mktemp -d /var/lib/ocistart-tests/cgroups-compat.XXXXXX)
  cp -a "$BUNDLE" "$SD/bundle"
  BUNDLE=$SD/bundle
  ROOT=$SD/root
  oci() { bounded 60 nsenter -t "$PSD_PID" -m -p -- "$OCISTART" --systemd-cgroup --root "$ROOT" "$@"; }
  sd_cleanup() {
    thaw_all
    for id in s1 s2 s3 frozen; do oci delete -f "$id" >/dev/null 2>&1; done
    psd_stop
    rm -rf "$SD"
    cleanup_compat
  }
  trap sd_cleanup EXIT
  if psd_boot; then
    OCI=(nsenter -t "$PSD_PID" -m -p -- "$OCISTART" --systemd-cgroup --root "$ROOT")
    unit=compat-$$
    edit_config "$BUNDLE" "c['linux']['cgroupsPath']='machine.slice:compat:frozen$$'"
    freeze $V1/freezer/machine.slice/compat-frozen$$.scope
    call 30 run -d --bundle "$BUNDLE" frozen
    expect_eq "systemd: a frozen cgroup is refused" "1 container's cgroup unexpectedly frozen" "$RC ${OUT##*: }"
    expect_eq "systemd: no unit left" "" "$(psd_exec systemctl list-units --all --no-legend 'compat-frozen*' 2>&1)"
    thaw_all
    FROZEN_DIRS=""

    edit_config "$BUNDLE" "c['linux']['cgroupsPath']='machine.slice:compat:$unit'; c['linux']['resources']={
      'memory':{'limit':0,'reservation':0,'swap':0},'cpu':{'shares':0,'quota':0},'pids':{'limit':0},
      'blockIO':{'weight':0,'weightDevice':[{'major':8,'minor':0,'weight':0}]}}"
    call 30 run -d --bundle "$BUNDLE" s1
    expect_eq "systemd: zeros accepted" "0 []" "$RC [$OUT]"
    props=$(psd_exec systemctl show -p TasksMax -p MemoryLimit -p CPUShares -p BlockIOWeight compat-$unit.scope | tr '\n' ' ')
    case "$props" in
      *"TasksMax=1 "*|*"MemoryLimit=0 "*|*"CPUShares=0 "*|*"BlockIOWeight=0 "*) fail "systemd: a zero became a limit: $props" ;;
      *) pass "systemd: zeros set no property ($props)" ;;
    esac
    expect_eq "systemd: pids.max is not 1" "" "$(grep -x 1 $V1/pids/machine.slice/compat-$unit.scope/pids.max)"
    call 30 run -d --bundle "$BUNDLE" s2
    expect_eq "systemd: s2 joins s1's unit, as runc" 0 "$RC"
    expect_contains "systemd: with runc's warning" "container's cgroup is not empty" "$OUT"
    call 30 update --pids-limit -1 s1
    expect_eq "systemd: -1 is infinity" "TasksMax=infinity" \
      "$(psd_exec systemctl show -p TasksMax compat-$unit.scope)"
    call 30 delete -f s2
    call 30 delete -f s1
  else
    fail "systemd: psd_boot"
  fi
fi
finish
