# Starts lib/seccomp_agent.py (sourced after lifecycle_lib.sh): start_agent SOCK LOG [continue]
# runs it in the background until the script exits; AGENT_PID is its pid.
AGENT_PID=0
stop_agent() {
  if [ "$AGENT_PID" -gt 0 ]; then kill "$AGENT_PID" 2>/dev/null; wait_job "$AGENT_PID" 10 "the seccomp agent after SIGTERM"; fi
  AGENT_PID=0
}
trap 'stop_agent; cleanup' EXIT

start_agent() {  # sock log [continue]
  "$PY" "$(dirname "${BASH_SOURCE[0]}")/seccomp_agent.py" "$@" >"$WORK/agent.out" 2>&1 &
  AGENT_PID=$!
  wait_until 10 "the seccomp agent to listen" grep -q ready "$WORK/agent.out" || finish
}
