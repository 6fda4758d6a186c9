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
json_get() { python3 -c 'import json,sys; e=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null || echo invalid; }
one_line() {  # what output
  local lines; lines=$(printf '%s\n' "$2" | grep -c .)
  if [ "$lines" = 1 ] && [ "${2#ocistart: }" != "$2" ]; then pass "$1: one line"; else fail "$1: [$2]"; fi
}
# wait_pid PID SECONDS: waits for our background job; kills it (by its pid) after SECONDS.
wait_pid() {
  local pid=$1 i
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    [ "$pid" -gt 0 ] && kill "$pid"
    wait "$pid"
    return 124
  fi
  wait "$pid"
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
n=$(grep -c '"type":"stats"' "$WORK/stream")
if [ "$n" -ge 2 ]; then pass "stream: $n stats events in 0.7s"; else fail "stream: $n stats events in 0.7s: $(cat "$WORK/stream")"; fi
bad=$(while read -r line; do [ "$(json_get "$line" 'e["id"]')" = ev-a ] || echo "$line"; done < "$WORK/stream")
expect_eq "every streamed line is an event of ev-a" "" "$bad"
oci kill ev-a KILL
wait_pid "$events_pid" 10; expect_eq "stream ends with status 0 when the container stops" 0 $?

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
for _ in $(seq 30); do grep -q '"type":"oom"' "$WORK/oom" && break; sleep 0.1; done
expect_contains "oom event" '{"type":"oom","id":"ev-oom"}' "$(cat "$WORK/oom")"
oci kill ev-oom KILL
wait_pid "$events_pid" 10; expect_eq "oom stream ends with status 0" 0 $?
oci delete ev-oom

finish
