#!/bin/bash
# --log-driver journald, `ocistart logs` and `ocistart status`, against a real systemd and
# journald booted in private namespaces (lib/private-systemd.sh): the container's output is
# in the journal under its id and its unit, logs reads it back (after delete too; -n, -o
# json, --since, -f), status shows a running container with its unit, pid, tasks and lines.
HERE=$(dirname "$(readlink -f "$0")")
# OCISTART, the root/busybox/python3 checks, the busybox bundle and the assertions.
# shellcheck source=lifecycle_lib.sh
. "$HERE/lifecycle_lib.sh"
# shellcheck source=lib/private-systemd.sh
. "$HERE/lib/private-systemd.sh"
psd_require
command -v journalctl >/dev/null || { echo "SKIP: no journalctl"; exit 77; }

# The private systemd mounts fresh tmpfs on /tmp, /run and /var/tmp: the bundle and the
# state root must live elsewhere to be seen from inside it.
rm -rf "$WORK"
mkdir -p /var/lib/ocistart-tests
WORK=$(mktemp -d /var/lib/ocistart-tests/journald.XXXXXX)
ROOT=$WORK/root
BUNDLE=$WORK/bundle
mkdir -p "$ROOT"
FOLLOW_PID=""

cleanup() {
  if [ -n "$FOLLOW_PID" ]; then kill -KILL "$FOLLOW_PID" 2>/dev/null; wait_job "$FOLLOW_PID" 5 "logs -f (after SIGKILL)"; fi
  if [ -n "$PSD_PID" ]; then
    for id in j1 j2; do timeout -k 5 30 nsenter -t "$PSD_PID" -m -p -- "$OCISTART" --root "$ROOT" delete --force "$id" >/dev/null 2>&1; done
  fi
  psd_stop
  rm -rf "$WORK"
}
trap cleanup EXIT

oci() { bounded "$OCI_TIMEOUT" nsenter -t "$PSD_PID" -m -p -- "$OCISTART" --root "$ROOT" "$@"; }
journal() { bounded 30 nsenter -t "$PSD_PID" -m -p -- journalctl --no-pager "$@" 2>&1; }

# Waits until `journalctl ARGS` prints a line containing `needle` (journald writes
# asynchronously). Returns 1 after 10 s.
wait_for_journal() {  # needle journalctl-args...
  local needle=$1 _
  shift
  for _ in $(seq 1 100); do
    case "$(journal "$@")" in *"$needle"*) return 0 ;; esac
    sleep 0.1
  done
  return 1
}

# The pid of the first process named `name` below `pid` (psd_exec forks nsenter, which forks).
descendant_named() {  # pid name
  local name=$2 p c
  local -a queue=("$1")
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
      if [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$name" ]; then echo "$c"; return 0; fi
      queue+=("$c")
    done
  done
  return 1
}

psd_boot || { echo "FAIL: boot a private systemd"; exit 1; }
pass "private systemd booted (pid $PSD_PID)"

# --- 1. a foreground run: both streams land in the journal, under the id and the unit ---
make_bundle "$BUNDLE"
set_args "$BUNDLE" sh -c 'echo out-line; echo err-line >&2'
oci --systemd-cgroup run --log-driver journald --bundle "$BUNDLE" j1 </dev/null >"$WORK/run.out" 2>"$WORK/run.err"
expect_eq "run --log-driver journald: exit status" "0" "$?"
expect_eq "run --log-driver journald: nothing on the runtime's own stdout/stderr" "" \
  "$(cat "$WORK/run.out" "$WORK/run.err")"
if wait_for_journal err-line -t j1 -o cat && wait_for_journal out-line -t j1 -o cat; then
  pass "journalctl -t j1 shows both lines"
else
  fail "journalctl -t j1: [$(journal -t j1 -o cat)]"
fi
expect_eq "journalctl -u ocistart-j1.scope: the lines belong to the container's unit" "err-line out-line" \
  "$(journal -u ocistart-j1.scope -o cat | grep -x -e out-line -e err-line | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "journalctl -t j1 -p err: only stderr" "err-line" "$(journal -t j1 -p err -o cat)"

# --- 2. logs after the container is gone ---
if [ -e "$ROOT/j1" ]; then fail "j1 still exists after its foreground run"; else pass "j1 deleted after its run"; fi
out=$(oci logs j1 2>&1)
expect_eq "logs: exit status" 0 "$?"
expect_eq "logs: two lines" 2 "$(printf '%s\n' "$out" | grep -c .)"
if printf '%s\n' "$out" | grep -Eq '^[A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} j1\[[0-9]+\]: out-line$'; then
  pass "logs: short format \"Mon DD HH:MM:SS j1[pid]: out-line\""
else
  fail "logs: short format: [$out]"
fi
expect_eq "logs -o cat: both lines" "err-line out-line" "$(oci logs -o cat j1 | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "logs -n 1: only the newest line" "$(oci logs -o cat j1 | tail -n 1)" "$(oci logs -n 1 -o cat j1)"
expect_eq "logs -n 0: nothing" "" "$(oci logs -n 0 j1)"
json=$(oci logs -o json j1)
check=$(printf '%s\n' "$json" | "$PY" -c '
import json, sys
entries = [json.loads(line) for line in sys.stdin if line.strip()]
by = {e["MESSAGE"]: e for e in entries}
assert sorted(by) == ["err-line", "out-line"], sorted(by)
assert by["out-line"]["PRIORITY"] == "6" and by["err-line"]["PRIORITY"] == "3"
for e in entries:
    assert e["SYSLOG_IDENTIFIER"] == "j1", e
    assert e["_SYSTEMD_UNIT"] == "ocistart-j1.scope", e
    assert int(e["_PID"]) > 0 and int(e["__REALTIME_TIMESTAMP"]) > 0, e
print("good")
' 2>&1)
expect_eq "logs -o json: one object per line, MESSAGE/PRIORITY/_PID/_SYSTEMD_UNIT right" good "$check"
expect_eq "logs --since -1h: both lines" 2 "$(oci logs --since -1h -o cat j1 | grep -c -e out-line -e err-line)"
expect_eq "logs --since today --until now: both lines" 2 \
  "$(oci logs --since today --until now -o cat j1 | grep -c -e out-line -e err-line)"
expect_eq "logs --until -1h: nothing" "" "$(oci logs --until -1h j1)"
expect_eq "logs --since tomorrow: nothing" "" "$(oci logs --since tomorrow j1)"
err=$(oci logs --since soon j1 2>&1)
status=$?
expect_eq "logs --since soon: exit status 1" 1 "$status"
expect_eq "logs --since soon: one error line" 1 "$(printf '%s\n' "$err" | wc -l)"
expect_contains "logs --since soon: names the flag" "--since: invalid time \`soon\`" "$err"
expect_eq "logs of an id without output: nothing, exit 0" "0:" "$(out=$(oci logs never-ran); echo "$?:$out")"

# --- 3. a detached container: logs -f follows, status shows it ---
set_args "$BUNDLE" sh -c 'i=0; while true; do echo tick-$i; i=$((i + 1)); sleep 0.2; done'
if oci --systemd-cgroup run -d --log-driver journald --bundle "$BUNDLE" j2 </dev/null >/dev/null 2>"$WORK/run2.err"; then
  pass "run -d --log-driver journald j2"
else
  fail "run -d j2: $(cat "$WORK/run2.err")"
fi
wait_for_journal tick-2 -t j2 -o cat || fail "j2 wrote nothing: [$(journal -t j2 -o cat)]"
before=$(oci logs -o cat j2 | grep -c tick-)
psd_exec "$OCISTART" --root "$ROOT" logs -f -o cat j2 >"$WORK/follow.out" 2>"$WORK/follow.err" &
FOLLOW_PID=$!
sleep 1.5
follower=$(descendant_named "$FOLLOW_PID" ocistart)
if [ -n "$follower" ] && [ "$follower" -gt 0 ]; then
  kill -TERM "$follower"
  wait_job "$FOLLOW_PID" 10 "logs -f after SIGTERM"
  expect_eq "logs -f: exits 0 on SIGTERM" 0 "$?"
else
  fail "logs -f: its process is gone: $(cat "$WORK/follow.err")"
  kill -KILL "$FOLLOW_PID" 2>/dev/null
  wait_job "$FOLLOW_PID" 5 "logs -f (after SIGKILL)"
fi
FOLLOW_PID=""
after=$(grep -c tick- "$WORK/follow.out")
if [ "$after" -ge $((before + 3)) ]; then
  pass "logs -f: new lines arrive ($before before, $after printed in 1.5 s)"
else
  fail "logs -f: $before lines before, $after printed: [$(tail -n 3 "$WORK/follow.out")] $(cat "$WORK/follow.err")"
fi
expect_eq "logs -f: nothing printed twice" "" "$(sort "$WORK/follow.out" | uniq -d)"

pid=$(oci state j2 | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["pid"])')
status_out=$(oci status j2 2>&1)
expect_eq "status j2: exit status" 0 "$?"
printf '%s\n' "$status_out" | sed 's/^/# /'
expect_contains "status j2: running" "Status: running" "$status_out"
expect_contains "status j2: pid" "PID: $pid" "$status_out"
expect_contains "status j2: unit" "Unit: ocistart-j2.scope" "$status_out"
expect_contains "status j2: driver" "Driver: systemd" "$status_out"
expect_contains "status j2: cgroup" "CGroup: /system.slice/ocistart-j2.scope" "$status_out"
tasks=$(printf '%s\n' "$status_out" | sed -n 's/^ *Tasks: \([0-9]*\).*/\1/p')
if [ -n "$tasks" ] && [ "$tasks" -ge 1 ]; then pass "status j2: tasks ($tasks)"; else fail "status j2: tasks: [$status_out]"; fi
expect_contains "status j2: memory" "Memory: " "$status_out"
expect_contains "status j2: init listed under CGroup" "$pid sh -c i=0; while true" "$status_out"
expect_eq "status j2: the last 10 journal lines" 10 "$(printf '%s\n' "$status_out" | grep -c "j2\[$pid\]: tick-")"
expect_eq "status -n 2: two journal lines" 2 "$(oci status -n 2 j2 | grep -c ']: tick-')"
if oci delete --force j2; then pass "delete --force j2"; else fail "delete --force j2"; fi
expect_contains "logs j2 after delete" "tick-0" "$(oci logs -o cat j2 | head -n 1)"

# --- 4. status of a missing container: one line, exit 1 ---
err=$(oci status j2 2>&1 >"$WORK/status.out")
expect_eq "status of a missing container: exit status 1" 1 "$?"
expect_eq "status of a missing container: one line" "ocistart: status \`j2\`: container \`j2\` does not exist" "$err"
expect_eq "status of a missing container: no stdout" "" "$(cat "$WORK/status.out")"

finish
