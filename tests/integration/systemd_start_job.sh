#!/bin/bash
# The systemd driver's start job (cgroups/migration_lock.h, issue 11): systemd's move of
# the init into its new scope waits for an RCU grace period (8-15 ms here), unless one is
# under way. A systemd-driver create starts it early: a helper process (clone(CLONE_VM),
# not a thread) writes "0" to cgroup.procs of the runtime's own cgroup before the D-Bus
# connection to systemd. Checked in a real systemd (lib/private-systemd.sh):
# - strace: the helper's write, into our own cgroup, before the connect to the bus;
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

# 1. The order, traced: the helper's write of "0" to our own cgroup.procs, then the bus.
inside "${STRACE[@]}" -f -qq -y -e trace=clone,write,connect -e signal=none -o "$WORK/run.trace" \
  "$OCISTART" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" sj-traced >"$WORK/run.out" 2>&1 </dev/null
expect_eq "traced run exits 0 ($(head -c 300 "$WORK/run.out"))" 0 $?
# (strace -f may split a line in two, "<unfinished ...>": nothing below needs its result.)
expect_contains "a helper process shares our memory (clone CLONE_VM, no thread)" "CLONE_VM" \
  "$(grep -m1 'clone(' "$WORK/run.trace")"
write_line=$(grep -n 'write([0-9]*</sys/fs/cgroup/[^>]*cgroup.procs>, "0", 1' "$WORK/run.trace" | head -1)
expect_contains "the helper writes \"0\" to a cgroup.procs" "cgroup.procs" "$write_line"
main_pid=$(head -1 "$WORK/run.trace" | cut -d' ' -f1)
writer_pid=$(echo "${write_line#*:}" | cut -d' ' -f1)
expect_eq "the writer is another process than the runtime's ($writer_pid, $main_pid)" 1 \
  "$([ -n "$writer_pid" ] && [ "$writer_pid" != "$main_pid" ] && echo 1 || echo 0)"
bus_line=$(grep -n 'connect(.*system_bus_socket' "$WORK/run.trace" | head -1)
expect_eq "the helper's write comes before the connection to systemd" 1 \
  "$([ -n "$write_line" ] && [ -n "$bus_line" ] && [ "${write_line%%:*}" -lt "${bus_line%%:*}" ] && echo 1 || echo 0)"
# The cgroup it writes to is the runtime's own: the unified (or name=systemd) line of its
# /proc/self/cgroup, here the one nsenter put us in.
own=$(inside cat /proc/self/cgroup | sed -n 's/^0:://p')
expect_contains "it is the runtime's own cgroup ($own)" "${own%/}/cgroup.procs>" "$write_line"

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
