#!/bin/bash
# The systemd module with the systemd driver, against a real systemd booted in private
# namespaces (lib/private-systemd.sh): `run --systemd-cgroup` loads the module once (in a
# thread, while it parses); exec, ps and kill of that container only read or join the
# unit's cgroup and do not look for it; delete (StopUnit) loads it again; nothing is left.
HERE=$(dirname "$(readlink -f "$0")")
OCISTART_TEST_TMP=/var/lib/ocistart-tests  # the private systemd has a fresh /tmp
# shellcheck source=lifecycle_lib.sh
. "$HERE/lifecycle_lib.sh"
# shellcheck source=lib/private-systemd.sh
. "$HERE/lib/private-systemd.sh"
psd_require strace
MODULE=$(dirname "$OCISTART")/ocistart-systemd.so

cleanup() {
  if [ -n "$PSD_PID" ]; then
    timeout -k 5 30 nsenter -t "$PSD_PID" -m -p -- "$OCISTART" --root "$ROOT" delete --force sm1 >/dev/null 2>&1
  fi
  psd_stop
  rm -rf "$WORK"
}
trap cleanup EXIT

# traced NAME ARGS...: ocistart ARGS inside the private systemd under strace (file calls;
# -f but for run -d, whose container outlives it), the trace in $WORK/NAME.trace.
traced() {
  local name=$1 follow=-f; shift
  [ "$name" = run ] && follow=
  bounded "$OCI_TIMEOUT" nsenter -t "$PSD_PID" -m -p -- "${STRACE[@]}" $follow -qq -e trace=%file \
    -o "$WORK/$name.trace" "$OCISTART" --root "$ROOT" "$@" >"$WORK/$name.out" 2>&1 </dev/null
  RC=$?
}
module_opens() { grep -c "openat(AT_FDCWD, \"$MODULE\"" "$WORK/$1.trace"; }
looks() { grep -c 'ocistart-systemd' "$WORK/$1.trace"; }

psd_boot || { echo "FAIL: boot a private systemd"; exit 1; }
make_bundle "$BUNDLE"
set_args "$BUNDLE" sleep 100

# The module loads in a thread of its own while the config is parsed (host_module.h):
# traced with -f, so a foreground run of a container that exits.
set_args "$BUNDLE" true
traced run0 --systemd-cgroup run --bundle "$BUNDLE" sm0
expect_eq "run --systemd-cgroup succeeds ($(cat "$WORK/run0.out"))" "0" "$RC"
expect_eq "run --systemd-cgroup loads the module once" "1" "$(module_opens run0)"
# That thread: another task than the runtime's main one, gone before the init is cloned
# (a clone must not inherit a lock of the C library it may hold).
bounded "$OCI_TIMEOUT" nsenter -t "$PSD_PID" -m -p -- "${STRACE[@]}" -f -qq -e trace=openat,clone,clone3,exit \
  -o "$WORK/order.trace" "$OCISTART" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" sm2 >/dev/null 2>&1 </dev/null
expect_eq "the traced run succeeds" "0" "$?"
main=$(grep -m1 'openat(AT_FDCWD, "[^"]*config.json"' "$WORK/order.trace" | cut -d' ' -f1)
loader=$(grep -m1 "openat(AT_FDCWD, \"$MODULE\"" "$WORK/order.trace" | cut -d' ' -f1)
expect_eq "the module is opened by a thread, not by the main task ($loader, $main)" 1 \
  "$([ -n "$loader" ] && [ -n "$main" ] && [ "$loader" != "$main" ] && echo 1 || echo 0)"
thread_exit=$(grep -n "^$loader  *$STRACE_EXIT0" "$WORK/order.trace" | head -1 | cut -d: -f1)
init_clone=$(grep -n "^$main  *clone3(" "$WORK/order.trace" | grep -v CLONE_THREAD | head -1 | cut -d: -f1)
expect_eq "the thread exits before the init is cloned (lines $thread_exit, $init_clone)" 1 \
  "$([ -n "$thread_exit" ] && [ -n "$init_clone" ] && [ "$thread_exit" -lt "$init_clone" ] && echo 1 || echo 0)"

set_args "$BUNDLE" sleep 100
traced run --systemd-cgroup run -d --bundle "$BUNDLE" sm1
expect_eq "run -d --systemd-cgroup succeeds ($(cat "$WORK/run.out"))" "0" "$RC"
unit=$(psd_exec systemctl show ocistart-sm1.scope -p ActiveState --value 2>&1)
expect_eq "its scope is active" "active" "$unit"

traced exec exec sm1 true
expect_eq "exec into it succeeds ($(cat "$WORK/exec.out"))" "0" "$RC"
expect_eq "exec does not look for the module" "0" "$(looks exec)"
traced ps ps sm1
expect_contains "ps lists its process" "sleep" "$(cat "$WORK/ps.out")"
expect_eq "ps does not look for the module" "0" "$(looks ps)"
traced kill kill sm1 KILL
expect_eq "kill succeeds ($(cat "$WORK/kill.out"))" "0" "$RC"
expect_eq "kill does not look for the module" "0" "$(looks kill)"
bounded 10 sh -c "until nsenter -t $PSD_PID -m -p -- $OCISTART --root $ROOT state sm1 | grep -q stopped; do sleep 0.05; done" ||
  fail "sm1 did not stop after kill"

traced delete delete sm1
expect_eq "delete succeeds ($(cat "$WORK/delete.out"))" "0" "$RC"
expect_eq "delete (StopUnit) loads the module" "1" "$(module_opens delete)"
unit=$(psd_exec systemctl show ocistart-sm1.scope -p LoadState --value 2>&1)
expect_eq "the scope is gone" "not-found" "$unit"
expect_eq "the state root is empty" "" "$(ls -A "$ROOT")"
finish
