#!/bin/bash
# The cgroupfs drivers put no pid into a cgroup (linux/cgroup_entry.h, issue 11): the
# runtime makes the cgroup before the clone, the init (and exec's joiner) is born in the
# cgroup2 one with clone3(CLONE_INTO_CGROUP) and writes "0" to each v1 hierarchy's `tasks`
# itself. A pid written by the runtime costs an RCU grace period (ms) in the kernel.
# Checked here: the container's processes are in every hierarchy's cgroup, with the limits;
# strace shows the runtime writing no pid to a cgroup.procs and the new process entering by
# itself; the container holds no fd of the host's cgroup tree; a failed entry is one line
# and leaves nothing behind. strace -f may split a line in two: a write is matched
# without its result, the command's exit status says it worked. Needs root; exit 77 when
# it cannot run here.
. "$(dirname "$0")/lifecycle_lib.sh" "$@"
command -v strace >/dev/null || { echo "SKIP: no strace"; exit 77; }
[ -d /sys/fs/cgroup/memory ] || { echo "SKIP: needs the v1 memory hierarchy"; exit 77; }

# The v1 hierarchies mounted under /sys/fs/cgroup (one `tasks` each), and the cgroup2 one.
V1_COUNT=$(awk '$9 == "cgroup" && $5 ~ "^/sys/fs/cgroup/" {n++} END {print n+0}' /proc/self/mountinfo)
UNIFIED=$(awk '$9 == "cgroup2" && $5 ~ "^/sys/fs/cgroup" {print $5; exit}' /proc/self/mountinfo)
echo "  v1 hierarchies: $V1_COUNT, cgroup2: ${UNIFIED:-none}"

make_bundle "$BUNDLE"
edit_config "$BUNDLE" 'c["linux"].setdefault("resources", {})["memory"] = {"limit": 67108864}'

# 1. What the container sees: its cgroup in every hierarchy, no fd of the host's cgroups.
set_args "$BUNDLE" sh -c 'cat /proc/self/cgroup; echo fds; ls -l /proc/1/fd /proc/self/fd'
oci --cgroup-manager cgroupfs run --bundle "$BUNDLE" e1 >"$WORK/e1.out" 2>&1 </dev/null
expect_eq "run e1 exits 0" 0 $?
out=$(cat "$WORK/e1.out")
expect_eq "e1 is in /ocistart/e1 in each v1 hierarchy" "$V1_COUNT" \
  "$(sed -n '/^fds$/q; p' "$WORK/e1.out" | grep -c '^[1-9][0-9]*:[^:]*:/ocistart/e1$')"
if [ -n "$UNIFIED" ]; then
  expect_contains "e1 is in the cgroup2 one too" "0::/ocistart/e1" "$out"
fi
expect_eq "no fd of the container (init or child) is a cgroup file" "" "$(sed -n '/^fds$/,$p' "$WORK/e1.out" | grep cgroup)"

# 2. run under strace: the runtime writes no pid to a cgroup.procs; the init writes "0" to
# every v1 `tasks` and is born in the cgroup2 one.
set_args "$BUNDLE" true
bounded "$OCI_TIMEOUT" "${STRACE[@]}" -f -qq -y -e trace=write,clone3 -e signal=none -o "$WORK/run.trace" \
  "$OCISTART" --root "$ROOT" --cgroup-manager cgroupfs run --bundle "$BUNDLE" e2 >"$WORK/e2.out" 2>&1 </dev/null
expect_eq "traced run e2 exits 0 ($(head -c 300 "$WORK/e2.out"))" 0 $?
expect_eq "no pid is written to a cgroup.procs" "" \
  "$(grep -E 'write\([0-9]+</sys/fs/cgroup/[^>]*/cgroup\.procs>, "[1-9]' "$WORK/run.trace" | head -3)"
expect_eq "\"0\" is written to each v1 hierarchy's tasks of e2" "$V1_COUNT" \
  "$(grep -cE 'write\([0-9]+</sys/fs/cgroup/[^>]*/ocistart/e2/tasks>, "0", 1' "$WORK/run.trace")"
if [ -n "$UNIFIED" ]; then
  expect_contains "the init is cloned into the cgroup2 cgroup" "CLONE_INTO_CGROUP" "$(grep clone3 "$WORK/run.trace")"
fi

# 3. exec: the joiner enters the same way; the exec'd process is in the container's cgroup.
set_args "$BUNDLE" sleep 1000
CREATED_IDS="e3"
oci --cgroup-manager cgroupfs run -d --bundle "$BUNDLE" e3 >/dev/null 2>&1 </dev/null
expect_eq "run -d e3 exits 0" 0 $?
bounded "$OCI_TIMEOUT" "${STRACE[@]}" -f -qq -y -e trace=write,clone3 -e signal=none -o "$WORK/exec.trace" \
  "$OCISTART" --root "$ROOT" exec e3 cat /proc/self/cgroup >"$WORK/e3.out" 2>&1 </dev/null
expect_eq "traced exec exits 0" 0 $?
expect_contains "the exec'd process is in e3's memory cgroup" ":memory:/ocistart/e3" "$(cat "$WORK/e3.out")"
expect_eq "exec writes no pid to a cgroup.procs" "" \
  "$(grep -E 'write\([0-9]+</sys/fs/cgroup/[^>]*/cgroup\.procs>, "[1-9]' "$WORK/exec.trace" | head -3)"
expect_eq "exec's joiner writes \"0\" to each v1 tasks of e3" "$V1_COUNT" \
  "$(grep -cE 'write\([0-9]+</sys/fs/cgroup/[^>]*/ocistart/e3/tasks>, "0", 1' "$WORK/exec.trace")"
expect_eq "the limit is the container's: memory.limit_in_bytes" "67108864" \
  "$(cat /sys/fs/cgroup/memory/ocistart/e3/memory.limit_in_bytes)"
oci delete --force e3 >/dev/null 2>&1
expect_no_leftovers "e3 deleted" e3 "$BUNDLE"

# 4. A failed entry: a SCHED_FIFO init cannot join a v1 cpu cgroup without real-time
# runtime (a new one has cpu.rt_runtime_us 0): one line naming the file, nothing left.
if [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] && command -v chrt >/dev/null; then
  set_args "$BUNDLE" true
  CREATED_IDS="e4"
  bounded "$OCI_TIMEOUT" chrt -f 1 "$OCISTART" --root "$ROOT" --cgroup-manager cgroupfs run --bundle "$BUNDLE" e4 \
    >"$WORK/e4.out" 2>&1 </dev/null
  rc=$?
  out=$(cat "$WORK/e4.out")
  echo "  (rt init) $out"
  expect_eq "a real-time init's run fails" 1 "$rc"
  expect_contains "the error names the cpu hierarchy's tasks" "/sys/fs/cgroup/cpu/ocistart/e4/tasks" "$out"
  expect_eq "one error line" 1 "$(printf '%s\n' "$out" | grep -c .)"
  expect_no_leftovers "failed entry" e4 "$BUNDLE"
fi
finish
