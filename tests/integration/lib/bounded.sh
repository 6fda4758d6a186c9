# Sourced by integration tests: deadlines for everything a test waits on, so that a hang
# fails a check naming what hung instead of running into meson's timeout.
# The sourcing script defines `fail MESSAGE` (counts a failure) and WORK (its temp dir) or
# HUNG_LOG (a file that outlives WORK), and calls report_hangs before it prints its result.

# hung WHAT: records a hang. It also works inside $(...), where FAILS cannot be counted:
# the line goes to stderr and to HUNG_LOG ($WORK/.hung), which report_hangs counts.
hung() {
  echo "FAIL: hung: $*" >&2
  echo "hung: $*" >>"${HUNG_LOG:-$WORK/.hung}"
}

# bounded SECONDS CMD...: runs CMD; one still running after SECONDS is killed (TERM, KILL
# 5 s later) and recorded as hung. Returns CMD's status (124 or 137 after a kill).
bounded() {
  local secs=$1 start=${EPOCHREALTIME/./} rc
  shift
  timeout -k 5 "$secs" "$@"
  rc=$?
  if { [ $rc = 124 ] || [ $rc = 137 ]; } && [ $(( ${EPOCHREALTIME/./} - start )) -ge $((secs * 1000000)) ]; then
    local cmd="$*"
    [ ${#cmd} -le 400 ] || cmd="${cmd:0:400}..."
    hung "\`$cmd\` did not return within $secs s"
  fi
  return $rc
}

# bounded_output SECONDS CMD...: CMD's stdout and stderr, for $(...), within SECONDS even
# when CMD leaves a process behind that holds the pipe (a container init that kept the
# caller's stdio): CMD writes into an inner pipeline that `timeout` ends as a group, so the
# caller's pipe closes. Returns CMD's status (pipefail), 124 after the deadline.
bounded_output() {
  local secs=$1
  shift
  timeout -k 5 "$secs" bash -c 'set -o pipefail; "$@" 2>&1 | cat' _ "$@"
  local rc=$?
  [ $rc = 124 ] && hung "\`$*\` (its output) did not end within $secs s"
  return $rc
}

# wait_until SECONDS WHAT CMD...: polls CMD every 0.1 s until it succeeds; after SECONDS
# the test fails with "timed out after SECONDS s waiting for WHAT" and it returns 1.
wait_until() {
  local secs=$1 what=$2 deadline
  shift 2
  deadline=$(( ${EPOCHREALTIME/./} + secs * 1000000 ))
  until "$@" >/dev/null 2>&1; do
    if [ "${EPOCHREALTIME/./}" -ge "$deadline" ]; then
      fail "timed out after $secs s waiting for $what"
      return 1
    fi
    sleep 0.1
  done
}

# wait_job PID SECONDS WHAT: waits for a background job of this shell; one still running
# after SECONDS is killed (by that pid) and recorded as hung. Returns the job's status.
wait_job() {
  local pid=$1 secs=$2 what=$3 i
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    hung "$what: still running after $secs s (killed)"
    [ "$pid" -gt 0 ] && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 124
  fi
  wait "$pid"
}

# report_hangs: one failure per hang recorded by hung() (also those inside $(...)).
report_hangs() {
  local h log=${HUNG_LOG:-$WORK/.hung}
  if [ -s "$log" ]; then
    while read -r h; do fail "$h"; done <"$log"
  fi
  rm -f "$log"
}
