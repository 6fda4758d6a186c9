#!/bin/bash
# The systemd driver's start job (cgroups/migration_lock.h, issue 11): systemd's move of
# the init into its new scope waits for an RCU grace period (5-16 ms here), unless one is
# under way. A systemd-driver create starts it early and keeps it passed: a helper process
# writes "0" to cgroup.procs of the runtime's own cgroup every few ms until systemd's move
# is done. The launcher forks it for `--systemd-cgroup create|run`; the runtime run
# directly starts its own (clone(CLONE_VM), not a thread). Checked in a real systemd
# (lib/private-systemd.sh):
# - strace: the launcher's fork before the runtime, the helper's writes into our own
#   cgroup before the connect to the bus and after, its end (killed by the runtime; the
#   runtime's own helper exits when told);
# - a forged helper pid in the environment names a process that stays alone;
# - a run that fails early takes its helper with it;
# - strace: the runtime reads mountinfo once and makes the scope's cgroup directories with
#   one mkdir each;
# - 20 runs in a row all finish (a thread in its place left inits hung on a lock of the C
#   library they inherited held, 6 runs of 20);
# - the foreground `run` reaps the helper: no zombie child while its container runs.
HERE=$(dirname "$(readlink -f "$0")")
OCISTART_TEST_TMP=/var/lib/ocistart-tests  # the private systemd has a fresh /tmp
# shellcheck source=lifecycle_lib.sh
. "$HERE/lifecycle_lib.sh"
# shellcheck source=lib/private-systemd.sh
. "$HERE/lib/private-systemd.sh"
psd_require strace
cleanup() {
  if [ -n "$PSD_PID" ]; then
    for id in sj-fg; do
      timeout -k 5 30 nsenter -t "$PSD_PID" -m -p -- "$OCISTART" --root "$ROOT" delete --force "$id" >/dev/null 2>&1
    done
  fi
  psd_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
inside() { bounded "$OCI_TIMEOUT" nsenter -t "$PSD_PID" -m -p -- "$@"; }

psd_boot || { echo "FAIL: boot a private systemd"; exit 1; }
make_bundle "$BUNDLE"
set_args "$BUNDLE" true

# 1. Through the launcher (--systemd-cgroup run): it forks the helper before it executes
# the runtime; the helper writes "0" to the runtime's own cgroup.procs, before the bus
# connection and again every 3 ms, 5 times at most; the runtime kills it once systemd's
# move is done (under strace the helper may have run out by then).
inside "${STRACE[@]}" -f -qq -y -e trace=clone,clone3,execveat,write,connect,kill,exit -e signal=none \
  -o "$WORK/run.trace" "$OCISTART" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" sj-traced \
  >"$WORK/run.out" 2>&1 </dev/null
expect_eq "traced run exits 0 ($(head -c 300 "$WORK/run.out"))" 0 $?
# (strace -f may split a line in two, "<unfinished ...>": nothing below needs its result.)
main_pid=$(head -1 "$WORK/run.trace" | cut -d' ' -f1)
fork_line=$(grep -n "^$main_pid  *clone(" "$WORK/run.trace" | head -1)
exec_line=$(grep -n "^$main_pid  *execveat(" "$WORK/run.trace" | head -1)
expect_eq "the launcher forks the helper before it executes the runtime" 1 \
  "$([ -n "$fork_line" ] && [ -n "$exec_line" ] && [ "${fork_line%%:*}" -lt "${exec_line%%:*}" ] && echo 1 || echo 0)"
helper=$(echo "$fork_line" | sed -n 's/.*= \([0-9][0-9]*\)$/\1/p')
[ -n "$helper" ] || helper=$(grep -m1 -v "^$main_pid " "$WORK/run.trace" | cut -d' ' -f1)
expect_eq "a fork, not a thread or a shared address space (no CLONE_VM)" "" \
  "$(echo "$fork_line" | grep -o 'CLONE_VM\|CLONE_THREAD')"
write_line=$(grep -n "^$helper  *write([0-9]*</sys/fs/cgroup/[^>]*cgroup.procs>, \"0\", 1" "$WORK/run.trace" | head -1)
expect_contains "the helper writes \"0\" to a cgroup.procs" "cgroup.procs" "$write_line"
bus_line=$(grep -n 'connect(.*system_bus_socket' "$WORK/run.trace" | head -1)
expect_eq "the helper's write comes before the connection to systemd" 1 \
  "$([ -n "$write_line" ] && [ -n "$bus_line" ] && [ "${write_line%%:*}" -lt "${bus_line%%:*}" ] && echo 1 || echo 0)"
# The cgroup it writes to is the runtime's own: the unified (or name=systemd) line of its
# /proc/self/cgroup, here the one nsenter put us in.
own=$(inside cat /proc/self/cgroup | sed -n 's/^0:://p')
expect_contains "it is the runtime's own cgroup ($own)" "${own%/}/cgroup.procs>" "$write_line"
# It ends one of two ways: killed by the runtime after the bus connection (systemd's move
# is done), or by itself after its 5 writes; never more than 5 writes.
writes=$(grep -c "^$helper  *write(.*cgroup.procs>, \"0\", 1" "$WORK/run.trace")
kill_line=$(grep -n "^$main_pid  *kill($helper, SIGKILL)" "$WORK/run.trace" | head -1)
ran_out=$(grep -c "^$helper  *$STRACE_EXIT0" "$WORK/run.trace")
if [ -n "$kill_line" ]; then
  expect_eq "the runtime kills it after the bus connection ($kill_line)" 1 \
    "$([ -n "$bus_line" ] && [ "${kill_line%%:*}" -gt "${bus_line%%:*}" ] && echo 1 || echo 0)"
  after_kill=$(tail -n +"$(( ${kill_line%%:*} + 1 ))" "$WORK/run.trace" | grep -c "^$helper  *write(")
  expect_eq "no more writes of the helper's after the kill (one may be under way: $after_kill)" 1 \
    "$([ "$after_kill" -le 1 ] && echo 1 || echo 0)"
else
  expect_eq "not killed: it ran out by itself after its 5 writes ($writes)" "1 5" "$ran_out $writes"
fi
expect_eq "5 writes at most ($writes)" 1 "$([ "$writes" -ge 1 ] && [ "$writes" -le 5 ] && echo 1 || echo 0)"

# 1b. The runtime run directly (no launcher): a helper of its own, sharing its memory, told
# to stop (it exits by itself: not killed).
inside "${STRACE[@]}" -f -qq -y -e trace=clone,write,connect,kill,exit -e signal=none -o "$WORK/own.trace" \
  "$OCISTART_RUNTIME" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" sj-own >"$WORK/own.out" 2>&1 </dev/null
expect_eq "the runtime run directly exits 0 ($(head -c 300 "$WORK/own.out"))" 0 $?
own_main=$(head -1 "$WORK/own.trace" | cut -d' ' -f1)
expect_contains "its helper shares its memory (clone CLONE_VM, no thread)" "CLONE_VM" \
  "$(grep "^$own_main  *clone(" "$WORK/own.trace" | grep -v CLONE_THREAD | head -1)"
# The helper: the task other than the runtime that writes "0" to a cgroup.procs (its clone's
# result may sit on a line of its own, "<... clone resumed>", beside the loader thread).
own_line=$(grep -v "^$own_main " "$WORK/own.trace" | grep -m1 'write([0-9]*</sys/fs/cgroup/[^>]*cgroup.procs>, "0", 1')
own_helper=$(echo "$own_line" | cut -d' ' -f1)
expect_contains "that helper writes \"0\" to the runtime's own cgroup" "${own%/}/cgroup.procs>, \"0\", 1" "$own_line"
expect_eq "it exits by itself, told to stop or run out" 1 \
  "$([ -n "$own_helper" ] && grep -c "^$own_helper  *$STRACE_EXIT0" "$WORK/own.trace")"

# 1c. A pid in the variable that is not our helper (a stale or forged environment): the
# runtime leaves that process alone, directly and through the launcher (which drops a
# variable it did not set).
bystander=$(inside sh -c 'sleep 60 </dev/null >/dev/null 2>&1 & echo $!')
for how in runtime launcher; do
  bin=$OCISTART_RUNTIME
  [ "$how" = launcher ] && bin=$OCISTART
  inside env "_OCISTART_GRACE_HELPER=$bystander" "$bin" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" \
    "sj-forged-$how" >/dev/null 2>&1 </dev/null
  expect_eq "$how: a run with a forged helper pid exits 0" 0 $?
  expect_eq "$how: the process that pid names still runs" 1 "$(inside kill -0 "$bystander" 2>/dev/null && echo 1 || echo 0)"
done
inside kill "$bystander" 2>/dev/null

# 1d. A run that fails early (no bundle) leaves no helper running: it dies with the
# runtime (PR_SET_PDEATHSIG, tests/unit/test_grace_helper.cc), or, when strace slowed the
# runtime more than the helper, it ran out by itself: 5 writes at most either way.
inside "${STRACE[@]}" -f -e trace=clone,write,exit -e signal=none -o "$WORK/fail.trace" \
  "$OCISTART" --root "$ROOT" --systemd-cgroup run --bundle "$WORK/no-such-bundle" sj-fail >/dev/null 2>&1 </dev/null
expect_eq "the run without a bundle fails" 1 $?
fail_helper=$(grep -m1 "clone(" "$WORK/fail.trace" | sed -n 's/.*= \([0-9][0-9]*\)$/\1/p')
fail_writes=$(grep -c "^$fail_helper  *write(" "$WORK/fail.trace")
expect_eq "its helper (pid $fail_helper) wrote 5 times at most ($fail_writes) and is gone" "1 gone" \
  "$([ -n "$fail_helper" ] && [ "$fail_writes" -le 5 ] && echo 1 || echo 0) $(inside kill -0 "${fail_helper:-0}" 2>/dev/null && echo running || echo gone)"

# 1e. The cgroupfs part of a systemd create (cgroups/systemd_driver.cc, fs_common.cc): the
# runtime reads mountinfo once, for its checks before create and its own part after (one
# cgroupfs driver), and makes the scope's directory in each hierarchy with one mkdir of
# the whole path, not level by level from the slice down.
inside "${STRACE[@]}" -f -qq -e trace=openat,mkdirat -e signal=none -o "$WORK/cg.trace" \
  "$OCISTART" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" sj-cg >"$WORK/cg.out" 2>&1 </dev/null
expect_eq "traced run sj-cg exits 0 ($(head -c 300 "$WORK/cg.out"))" 0 $?
cg_main=$(head -1 "$WORK/cg.trace" | cut -d' ' -f1)
expect_eq "the runtime reads /proc/self/mountinfo once" 1 \
  "$(grep -c "^$cg_main  *openat(AT_FDCWD, \"/proc/self/mountinfo\"" "$WORK/cg.trace")"
expect_eq "no mkdir of the slice on its own" 0 "$(grep -c "^$cg_main  *mkdirat([0-9]*, \"system.slice\"" "$WORK/cg.trace")"
expect_eq "the scope's directory made by one mkdir of the whole path" 1 \
  "$([ "$(grep -c "^$cg_main  *mkdirat([0-9]*, \"system.slice/ocistart-sj-cg.scope\"" "$WORK/cg.trace")" -ge 1 ] && echo 1 || echo 0)"

# 2. Twenty runs in a row, each bounded: none hangs.
done_ok=0
for i in $(seq 1 20); do
  inside "$OCISTART" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" "sj-$i" >/dev/null 2>&1 </dev/null &&
    done_ok=$((done_ok + 1))
done
expect_eq "20 systemd-driver runs in a row finish" 20 "$done_ok"

# 3. A foreground run keeps no zombie of the helper while its container runs.
set_args "$BUNDLE" sleep 3
nsenter -t "$PSD_PID" -m -p -- "$OCISTART" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" sj-fg \
  >/dev/null 2>&1 </dev/null &
fg=$!
wait_until 10 "sj-fg to run" sh -c "nsenter -t $PSD_PID -m -p -- '$OCISTART' --root '$ROOT' state sj-fg 2>/dev/null | grep -q running"
runner=$(pgrep -P "$fg" -x ocistart | head -1)
if [ -n "$runner" ]; then
  expect_eq "the foreground run has no zombie child" "" "$(ps --ppid "$runner" -o pid=,stat= 2>/dev/null | grep Z)"
else
  fail "no foreground run process under nsenter ($fg)"
fi
wait_job "$fg" 20 "run sj-fg"
expect_eq "run sj-fg exits 0" 0 "$?"
finish
