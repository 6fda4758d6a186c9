#!/bin/bash
# events: --stats prints one runc-shaped stats event; the stream prints stats every
# interval, an oom event when the container hits its memory limit, and ends (status 0)
# when the container stops; a missing or stopped container fails with one line.
. "$(dirname "$0")/lifecycle_lib.sh"

LIMIT=33554432
make_bundle "$BUNDLE"
edit_config "$BUNDLE" "c['linux']['resources']={'memory':{'limit':$LIMIT},'pids':{'limit':100}}"
set_args "$BUNDLE" sleep 300

# json_get JSON EXPR: EXPR evaluated on the parsed event `e` (python), or "invalid".
json_get() { "$PY" -c 'import json,sys; e=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null || echo invalid; }
one_line() {  # what output
  local lines; lines=$(printf '%s\n' "$2" | grep -c .)
  if [ "$lines" = 1 ] && [ "${2#ocistart: }" != "$2" ]; then pass "$1: one line"; else fail "$1: [$2]"; fi
}
# --- --stats ---
CREATED_IDS="ev-a"
oci run -d --bundle "$BUNDLE" ev-a </dev/null; expect_eq "run -d" 0 $?
out=$(oci events --stats ev-a); rc=$?
expect_eq "events --stats exits 0" 0 $rc
expect_eq "one line" 1 "$(printf '%s\n' "$out" | grep -c .)"
expect_eq "type and id" "stats ev-a" "$(json_get "$out" 'e["type"] + " " + e["id"]')"
expect_eq "memory.usage.limit is the configured limit" "$LIMIT" "$(json_get "$out" 'e["data"]["memory"]["usage"]["limit"]')"
expect_eq "pids.current >= 1, limit 100" "True 100" \
  "$(json_get "$out" 'str(e["data"]["pids"]["current"] >= 1) + " " + str(e["data"]["pids"]["limit"])')"
expect_eq "cpu usage and memory.stat present" "True True" \
  "$(json_get "$out" 'str(e["data"]["cpu"]["usage"]["total"] > 0) + " " + str("rss" in e["data"]["memory"]["raw"])')"

# --- stream: stats every interval, status 0 once the container stops ---
oci events --interval 200ms ev-a > "$WORK/stream" 2>&1 &
events_pid=$!
sleep 0.7
# The stream is still being written: read it once, and judge only its complete lines.
cp "$WORK/stream" "$WORK/stream.snapshot"
n=$(grep -c '"type":"stats"' "$WORK/stream.snapshot")
if [ "$n" -ge 2 ]; then pass "stream: $n stats events in 0.7s"; else fail "stream: $n stats events in 0.7s: $(cat "$WORK/stream.snapshot")"; fi
bad=$("$PY" - "$WORK/stream.snapshot" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().split("\n")[:-1]  # the last one may be half written
for line in lines:
    try:
        ok = json.loads(line)["id"] == "ev-a"
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        print(line)
PY
)
expect_eq "every streamed line is an event of ev-a" "" "$bad"
oci kill ev-a KILL
wait_job "$events_pid" 10 "events --interval 200ms ev-a after the container was killed"
expect_eq "stream ends with status 0 when the container stops" 0 $?

# --- stopped and missing containers ---
out=$(oci events --stats ev-a 2>&1); rc=$?
expect_eq "stopped: exit 1" 1 $rc
one_line "stopped" "$out"
expect_contains "stopped: says not running" "container not running" "$out"
oci delete ev-a
out=$(oci events --stats ev-missing 2>&1); rc=$?
expect_eq "missing: exit 1" 1 $rc
one_line "missing" "$out"
out=$(oci events ev-missing 2>&1); rc=$?
expect_eq "missing (stream): exit 1" 1 $rc
one_line "missing (stream)" "$out"

# --- OOM: a process that outgrows an 8 MiB limit (no swap to escape to) ---
edit_config "$BUNDLE" "c['linux']['resources']={'memory':{'limit':8388608,'swap':8388608}}"
CREATED_IDS="ev-a ev-oom"
oci run -d --bundle "$BUNDLE" ev-oom </dev/null; expect_eq "run -d (oom)" 0 $?
oci events --interval 1s ev-oom > "$WORK/oom" 2>&1 &
events_pid=$!
sleep 0.3
# busybox tail keeps the whole newline-free input: 64 MiB does not fit in 8.
oci exec ev-oom sh -c 'head -c 64m /dev/zero | tail' >/dev/null 2>&1
# (grep reads what is there at each poll; the poll itself is bounded)
wait_until 5 "an oom event from events --interval 1s ev-oom" grep -q '"type":"oom"' "$WORK/oom"
oci kill ev-oom KILL
wait_job "$events_pid" 10 "events --interval 1s ev-oom after the container was killed"
expect_eq "oom stream ends with status 0" 0 $?
expect_contains "oom event" '{"type":"oom","id":"ev-oom"}' "$(cat "$WORK/oom")"
oci delete ev-oom

finish
