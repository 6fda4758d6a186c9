#!/bin/bash
# create/run options beyond the basics: --pidfd-socket (runc 1.2), --log-driver errors.
. "$(dirname "$0")/lifecycle_lib.sh" "$@"

make_bundle "$BUNDLE"
set_args "$BUNDLE" sleep 100

# --pidfd-socket: a pidfd of the container's init arrives over SCM_RIGHTS.
SOCK=$WORK/pidfd.sock
"$PY" - "$SOCK" >"$WORK/pidfd.out" 2>&1 <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(30)  # no connection within 30 s: the listener gives up (and the test says so)
s.bind(sys.argv[1]); s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 1024, 1)
fd = fds[0]
pid = [l.split()[1] for l in open(f"/proc/self/fdinfo/{fd}") if l.startswith("Pid:")][0]
print(msg.decode(), os.readlink(f"/proc/self/fd/{fd}"), pid, flush=True)
PY
agent=$!
wait_until 10 "the pidfd listener to listen" grep -q listening "$WORK/pidfd.out"
(cd "$BUNDLE" && oci create --pidfd-socket "$SOCK" ro1)
CREATED_IDS="ro1"
wait_job "$agent" 35 "the --pidfd-socket listener (no pidfd received?)"
pid=$(oci state ro1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
expect_eq "--pidfd-socket gets the id and a pidfd of the init" "ro1 anon_inode:[pidfd] $pid" \
  "$(sed -n 2p "$WORK/pidfd.out")"
oci delete --force ro1

# A socket nobody listens on: create fails with one line, nothing is left.
out=$(cd "$BUNDLE" && oci create --pidfd-socket "$WORK/nobody.sock" ro2 2>&1)
status=$?
expect_eq "--pidfd-socket to nobody fails" "1" "$status"
expect_contains "the error names the pidfd socket" "pidfd socket \`$WORK/nobody.sock\`: connect:" "$out"
expect_eq "the error is one line" "1" "$(echo "$out" | wc -l)"
expect_no_leftovers "--pidfd-socket to nobody" ro2 "$BUNDLE"

# --log-driver journald where no journald runs (this host; tests/integration/journald.sh
# covers a real one): one line naming the driver, nothing left behind.
if [ ! -S /run/systemd/journal/stdout ]; then
  out=$(cd "$BUNDLE" && oci run --log-driver journald ro3 2>&1)
  expect_eq "--log-driver journald without journald fails clearly" \
    "ocistart: run \`ro3\`: --log-driver journald: connect to journald: no such file or directory" "$out"
  expect_no_leftovers "--log-driver journald without journald" ro3 "$BUNDLE"
fi
edit_config "$BUNDLE" 'c["process"]["terminal"] = True'
out=$(cd "$BUNDLE" && oci run -d --console-socket "$WORK/x.sock" --log-driver journald ro4 2>&1)
expect_eq "--log-driver journald with a terminal is refused" \
  "ocistart: run \`ro4\`: --log-driver journald: the process has a terminal (process.terminal)" "$out"
expect_no_leftovers "--log-driver journald with a terminal" ro4 "$BUNDLE"

finish
