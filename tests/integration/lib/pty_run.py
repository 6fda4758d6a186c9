# pty_run.py OUT TIMEOUT INPUT CMD...: runs CMD on a new pty (as a terminal user would),
# writes INPUT (may be empty) to it, collects everything CMD prints into OUT until it
# exits, and exits with CMD's exit status; after TIMEOUT seconds CMD is killed, "hung" is
# printed on stderr and the status is 124.
import os
import pty
import select
import signal
import sys
import time

out, timeout, text, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "xterm-machine-test"
    os.execv(argv[0], argv)
if text:
    time.sleep(0.3)
    os.write(fd, text.encode())
data = b""
deadline = time.time() + timeout
status = None
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        if chunk:
            data += chunk
            continue
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        break
with open(out, "wb") as f:
    f.write(data)
if status is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    print("hung: " + " ".join(argv), file=sys.stderr)
    sys.exit(124)
sys.exit(os.waitstatus_to_exitcode(status))
