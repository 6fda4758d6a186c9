# Starts lib/seccomp_agent.py (sourced after lifecycle_lib.sh): start_agent SOCK LOG [continue]
# runs it in the background until the script exits; AGENT_PID is its pid.
AGENT_PID=0
stop_agent() {
  if [ "$AGENT_PID" -gt 0 ]; then kill "$AGENT_PID" 2>/dev/null; wait "$AGENT_PID" 2>/dev/null; fi
  AGENT_PID=0
}
trap 'stop_agent; cleanup' EXIT

start_agent() {  # sock log [continue]
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/seccomp_agent.py" "$@" >"$WORK/agent.out" 2>&1 &
  AGENT_PID=$!
  for i in $(seq 50); do grep -q ready "$WORK/agent.out" 2>/dev/null && break; sleep 0.1; done
  grep -q ready "$WORK/agent.out" || { echo "FAIL: the seccomp agent did not start"; exit 1; }
}
