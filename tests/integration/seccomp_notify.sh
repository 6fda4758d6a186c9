#!/bin/bash
# linux.seccomp.listenerPath: an agent on a unix socket gets the containerProcessState
# JSON and the seccomp notify fd, for run, create + start (the filter is loaded before
# create returns, as runc does) and exec; a listenerPath nobody listens on fails create
# cleanly.
. "$(dirname "$0")/lifecycle_lib.sh"

# shellcheck source=lib/seccomp_agent.sh
. "$(dirname "$0")/lib/seccomp_agent.sh"
AGENT_SOCK=$WORK/agent.sock
AGENT_LOG=$WORK/agent.log
# The agent closes each fd it gets: the notified syscall then fails with ENOSYS.
start_agent "$AGENT_SOCK" "$AGENT_LOG"

make_bundle "$BUNDLE"
# mkdir and mkdirat: which one busybox's libc calls depends on its version.
edit_config "$BUNDLE" "c['linux']['seccomp']={'defaultAction':'SCMP_ACT_ALLOW',
  'listenerPath':'$AGENT_SOCK', 'listenerMetadata':'hello',
  'syscalls':[{'names':['mkdir','mkdirat'],'action':'SCMP_ACT_NOTIFY'}]}"
MKDIR_SCRIPT='mkdir /tmp/notified 2>&1 || echo mkdir-failed; if [ -d /tmp/notified ]; then echo mkdir-made; fi'

# The agent's last message, one field a line: fds, metadata, state.id, pid, state.pid,
# state.status, the received fds' types.
last_message() {
  tail -n 1 "$AGENT_LOG" 2>/dev/null | "$PY" -c '
import json, sys
r = json.loads(sys.stdin.read())
m = r["message"]
print(json.dumps(m["fds"]), m.get("metadata"), m["state"]["id"], m["pid"], m["state"]["pid"],
      m["state"]["status"], json.dumps(r["fd_types"]), sep="\n")'
}

# expect_message what id pid status
expect_message() {
  local what=$1 id=$2 pid=$3 status=$4 fields
  mapfile -t fields < <(last_message)
  expect_eq "$what: fds" '["seccompFd"]' "${fields[0]:-}"
  expect_eq "$what: metadata" hello "${fields[1]:-}"
  expect_eq "$what: state.id" "$id" "${fields[2]:-}"
  expect_eq "$what: pid" "$pid" "${fields[3]:-}"
  expect_eq "$what: state.status" "$status" "${fields[5]:-}"
  expect_eq "$what: the fd is a seccomp listener" '["anon_inode:seccomp notify"]' "${fields[6]:-}"
}

messages() { if [ -e "$AGENT_LOG" ]; then grep -c . "$AGENT_LOG"; else echo 0; fi; }

is_stopped() { oci state "$1" 2>/dev/null | grep -q '"stopped"'; }
wait_stopped() { wait_until 10 "$1 to stop" is_stopped "$1"; }  # id

# --- run ---
set_args "$BUNDLE" sh -c "$MKDIR_SCRIPT"
out=$(cd "$BUNDLE" && oci run --pid-file "$WORK/run.pid" notify-run 2>&1); rc=$?
expect_eq "run: exits 0" 0 "$rc"
expect_contains "run: notified mkdir fails once the agent closes the fd" "mkdir-failed" "$out"
expect_contains "run: with ENOSYS" "Function not implemented" "$out"
expect_eq "run: one message" 1 "$(messages)"
expect_message "run" notify-run "$(cat "$WORK/run.pid" 2>/dev/null)" creating
expect_eq "run: pid is state.pid" "$(last_message | sed -n 4p)" "$(last_message | sed -n 5p)"
expect_no_leftovers "run" notify-run "$BUNDLE"

# --- create, then start: the agent has the fd when create returns ---
CREATED_IDS="notify-create"
oci create --bundle "$BUNDLE" --pid-file "$WORK/create.pid" notify-create >"$WORK/create.out" 2>&1
expect_eq "create" 0 $?
expect_eq "create: the message comes before create returns" 2 "$(messages)"
oci start notify-create; expect_eq "start" 0 $?
wait_stopped notify-create
expect_contains "create+start: notified mkdir fails" "mkdir-failed" "$(cat "$WORK/create.out")"
expect_eq "create+start: no other message" 2 "$(messages)"
expect_message "create+start" notify-create "$(cat "$WORK/create.pid" 2>/dev/null)" creating
oci delete notify-create; expect_eq "delete" 0 $?
expect_no_leftovers "create+start" notify-create "$BUNDLE"

# --- exec: the message carries the exec'd process's pid and the running state ---
set_args "$BUNDLE" sleep 300
CREATED_IDS="notify-exec"
(cd "$BUNDLE" && oci run --detach --pid-file "$WORK/init.pid" notify-exec >/dev/null 2>&1)
expect_eq "exec: run --detach" 0 $?
three_messages() { [ "$(messages)" = 3 ]; }
wait_until 5 "the agent's third message" three_messages
expect_eq "exec: the container's own message" 3 "$(messages)"
out=$(oci exec --pid-file "$WORK/exec.pid" notify-exec sh -c "$MKDIR_SCRIPT" 2>&1); rc=$?
expect_eq "exec: exits 0" 0 "$rc"
expect_contains "exec: notified mkdir fails" "mkdir-failed" "$out"
expect_eq "exec: a message" 4 "$(messages)"
expect_message "exec" notify-exec "$(cat "$WORK/exec.pid" 2>/dev/null)" running
expect_eq "exec: state.pid is the container's" "$(cat "$WORK/init.pid" 2>/dev/null)" "$(last_message | sed -n 5p)"
oci delete --force notify-exec; expect_eq "delete --force" 0 $?
CREATED_IDS=""
expect_no_leftovers "exec" notify-exec "$BUNDLE"

# --- a listenerPath nobody listens on: a stale socket file ---
"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$WORK/stale.sock"
edit_config "$BUNDLE" "c['linux']['seccomp']['listenerPath']='$WORK/stale.sock'"
set_args "$BUNDLE" true
out=$(oci create --bundle "$BUNDLE" notify-nobody 2>&1); rc=$?
echo "  (nobody listens) $out"
expect_eq "nobody listens: create fails" 1 "$rc"
expect_contains "nobody listens: the error names listenerPath" "\`$WORK/stale.sock\`" "$out"
expect_contains "nobody listens: in runc's words" "failed to connect with seccomp agent" "$out"
expect_eq "nobody listens: one error line" 1 "$(printf '%s\n' "$out" | grep -c .)"
if [ "$rc" = 0 ]; then oci delete --force notify-nobody >/dev/null 2>&1; fi
expect_no_leftovers "nobody listens" notify-nobody "$BUNDLE"

stop_agent
finish
