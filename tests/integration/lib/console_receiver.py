#!/usr/bin/python3
"""console_receiver.py SOCKET OUT [SECONDS]: the other end of --console-socket.

Listens on SOCKET, takes the pty master that the runtime sends (SCM_RIGHTS), and copies
what the container writes to its terminal into OUT until every slave is closed (EIO) or
SECONDS (default 20) have passed. Prints "timeout" to stderr and exits 2 when nothing
connected in time, so a test waiting for it never hangs.
"""
import os
import select
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + float(sys.argv[3] if len(sys.argv) > 3 else 20)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)
server.settimeout(max(0.1, deadline - time.monotonic()))
try:
    conn, _ = server.accept()
except socket.timeout:
    print("console_receiver: timeout: nobody sent a console", file=sys.stderr)
    sys.exit(2)
_, fds, _, _ = socket.recv_fds(conn, 1024, 1)
conn.close()
master = fds[0]
with open(out, "wb") as sink:
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: no slave left open
            break
        if not data:
            break
        sink.write(data)
        sink.flush()
