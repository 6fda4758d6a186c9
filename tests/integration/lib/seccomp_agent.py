"""A seccomp agent for the tests: listens on a unix socket for what the runtime sends to
linux.seccomp.listenerPath and writes one JSON line per connection to LOG: the
containerProcessState message and what the received fds are (readlink of
/proc/self/fd/N).

  seccomp_agent.py PATH LOG            closes the fds at once: notified calls then fail
                                       with ENOSYS instead of waiting for an answer
  seccomp_agent.py PATH LOG continue   answers every notified call with
                                       SECCOMP_USER_NOTIF_FLAG_CONTINUE and logs
                                       {"nr": N} for each
Prints "ready" once it listens."""
import fcntl, json, os, select, socket, struct, sys, threading

NOTIF_RECV, NOTIF_SEND, CONTINUE = 0xC0502100, 0xC0182101, 1
path, log = sys.argv[1], sys.argv[2]
keep = len(sys.argv) > 3 and sys.argv[3] == "continue"
lock = threading.Lock()


def record(entry):
    with lock, open(log, "a") as f:
        f.write(json.dumps(entry) + "\n")


def serve(fd):
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while any(e & select.POLLIN for _, e in poller.poll()):  # POLLHUP: no user left
        notif = bytearray(80)  # struct seccomp_notif, zeroed as the kernel wants
        try:
            fcntl.ioctl(fd, NOTIF_RECV, notif, True)
        except OSError:
            continue  # the caller went away meanwhile
        nid, _, _, nr = struct.unpack_from("=QIIi", notif)
        record({"nr": nr})
        try:
            fcntl.ioctl(fd, NOTIF_SEND, bytearray(struct.pack("=QqiI", nid, 0, 0, CONTINUE)), True)
        except OSError:
            pass
    os.close(fd)


server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(8)
print("ready", flush=True)
while True:
    conn, _ = server.accept()
    with conn:
        data, fds, _, _ = socket.recv_fds(conn, 65536, 4)
        while more := conn.recv(65536):
            data += more
    if data:
        types = [os.readlink("/proc/self/fd/%d" % fd) for fd in fds]
        record({"message": json.loads(data), "fd_types": types})
    for fd in fds:
        if keep:
            threading.Thread(target=serve, args=(fd,), daemon=True).start()
        else:
            os.close(fd)
