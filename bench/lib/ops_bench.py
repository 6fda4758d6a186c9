"""ops_bench.py: times the runtime commands an engine uses, for several runtimes on one
bundle, interleaved round by round; the order changes each round so that every runtime
follows every other equally often (balanced_orders). Called by bench/ops_bench.sh inside
the namespace it prepares; see bench/README.md ("Lifecycle commands") for the rows.

  ops_bench.py --bundle DIR --state DIR [--flags "--systemd-cgroup"] [-n 100]
               [--list-containers 1000] [--parallel 50] [--parallel-rounds 5]
               NAME=BINARY...

Every command runs from posix_spawn and is reaped with wait4; the peak RSS of run, exec
and state comes from 10 more, untimed rounds under GNU time (%M). Every wait is bounded: a
command that does not exit in time is killed (by the pid spawned here) and named. This process is a child subreaper, as containerd's shim is:
container inits that their runtime left behind are reparented here, so `start` can be
followed by waiting for the init to exit, and stray ones are reaped. Every container made
here is deleted with `delete --force` by id before exit, also after an error.
"""
import argparse
import collections
import ctypes
import itertools
import json
import os
import select
import signal
import statistics
import sys
import tempfile
import time

PR_SET_CHILD_SUBREAPER = 36
CMD_TIMEOUT = 30.0      # one runtime command
STOP_TIMEOUT = 10.0     # a started /bin/true until it exits
LIST_TIMEOUT = 120.0    # list of a large root, cleanup of many containers


class Hung(Exception):
    pass


class Failed(Exception):
    pass


class Runtime:
    def __init__(self, name, binary, state, flags):
        self.name = name
        self.binary = binary
        self.root = os.path.join(state, name)
        self.flags = flags.split()
        self.alive = set()      # ids created here and not yet deleted
        self.failed = {}        # group of rows -> first failure; skipped in that group after

    def argv(self, *args):
        return [self.binary, "--root", self.root, *self.flags, *args]


class Spawner:
    def __init__(self, tmp):
        self.err_dir = tempfile.mkdtemp(dir=tmp, prefix="stderr.")
        self.count = 0

    def spawn(self, argv):
        """Starts argv with stdin and stdout on /dev/null; returns (pid, stderr file)."""
        self.count += 1
        err = os.path.join(self.err_dir, str(self.count % 256))
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        ]
        return os.posix_spawn(argv[0], argv, os.environ, file_actions=actions), err


def wait_pid(pid, what, timeout, reap=True):
    """Waits up to timeout s for pid to exit; returns (status, rusage) when reaping, else
    None. A pid that is still there is killed (it is one started here) and named."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:  # exited and reaped by its parent already
        return None
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        if not poller.poll(int(timeout * 1000)):
            os.kill(pid, signal.SIGKILL)
            if reap:
                os.wait4(pid, 0)
            raise Hung(f"{what} (pid {pid}) did not exit within {timeout:.0f} s; killed it")
    finally:
        os.close(fd)
    if not reap:
        return None
    _, status, usage = os.wait4(pid, 0)
    return status, usage


def last_line(path):
    try:
        with open(path, errors="replace") as f:
            lines = [l.strip() for l in f if l.strip()]
        return lines[-1] if lines else "(no message)"
    except OSError:
        return "(no stderr)"


def run_cmd(sp, rt, args, timeout=CMD_TIMEOUT, prefix=()):
    """Runs one runtime command; returns (ns, maxrss KB). Raises Failed or Hung."""
    argv = [*prefix, *rt.argv(*args)]
    what = f"{rt.name} {' '.join(args)}"
    t0 = time.perf_counter_ns()
    pid, err = sp.spawn(argv)
    status, usage = wait_pid(pid, what, timeout)
    t1 = time.perf_counter_ns()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise Failed(f"{what}: exit {code}: {last_line(err)}")
    return t1 - t0, usage.ru_maxrss


def peak_rss(sp, rt, args):
    """KB from GNU time's %M for one untimed command. Not wait4's rusage of our own spawn:
    posix_spawn shares this Python's memory until exec, and the kernel keeps that high-water
    mark (13 MB) as the child's; time(1) is a small process that forks."""
    _, _ = run_cmd(sp, rt, args, prefix=("/usr/bin/time", "-o", sp.err_dir + "/rss", "-f", "%M"))
    with open(sp.err_dir + "/rss") as f:
        return int(f.read().split()[-1])


def reap_strays():
    """Reaps container inits reparented here (after their runtime deleted them)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def delete_force(sp, rt, cid, timeout=CMD_TIMEOUT):
    try:
        run_cmd(sp, rt, ["delete", "--force", cid], timeout)
    except (Failed, Hung) as e:
        print(f"cleanup: {e}", file=sys.stderr)
    rt.alive.discard(cid)


class Table:
    def __init__(self):
        self.rows = {}   # row -> runtime -> [ns...]
        self.rss = {}    # row -> runtime -> max KB
        self.order = []

    def add(self, row, rt, ns, rss=None):
        if row not in self.rows:
            self.rows[row] = {}
            self.rss[row] = {}
            self.order.append(row)
        self.rows[row].setdefault(rt.name, []).append(ns)
        if rss is not None:
            self.rss[row][rt.name] = max(rss, self.rss[row].get(rt.name, 0))


def balanced_orders(k):
    """Orders of k runtimes, one per round, used cyclically. What ran just before a runtime
    matters: after runc, the next runtime's `run` took 2-8 ms longer here (work runc's exit
    leaves to the kernel), so plain rotation, where ocistart followed runc in 2 rounds of 3
    and crun in 1, favoured crun. For k <= 3 all k! orders are chained so that every
    runtime follows every other equally often, round boundaries included."""
    perms = list(itertools.permutations(range(k)))
    if k > 3:
        # Williams' design: within the rounds every runtime follows every other once (twice
        # for odd k), round boundaries aside.
        first = [0] + [(j + 1) // 2 if j % 2 else k - j // 2 for j in range(1, k)]
        rows = [tuple((x + i) % k for x in first) for i in range(k)]
        return rows if k % 2 == 0 else rows + [r[::-1] for r in rows]
    best, best_spread = perms, None
    for rest in itertools.permutations(perms[1:]):
        seq = [perms[0], *rest]
        flat = [x for p in seq for x in p]
        pairs = collections.Counter(zip(flat, flat[1:] + flat[:1]))
        spread = (max(pairs.values()) - min(pairs.get((a, b), 0) for a in range(k) for b in range(k) if a != b),
                  sum(pairs.get((a, a), 0) for a in range(k)))
        if best_spread is None or spread < best_spread:
            best, best_spread = seq, spread
    return best


_ORDERS = {}
# Seconds of quiet after each timed run or create+start+wait+delete (--pause-ms).
PAUSE = 0.0


def pause():
    """--pause-ms: each runtime's next command starts from a quiet kernel. Moving a process
    between cgroups waits for an RCU grace period (5-16 ms here) unless another move came
    within about one; back to back, a runtime's run finds the one before it left that
    window open, and is timed partly on its neighbour's work (bench/README.md)."""
    if PAUSE > 0:
        time.sleep(PAUSE)


def rotated(runtimes, i, group):
    """The runtimes in round i's order, less those that failed in this group."""
    orders = _ORDERS.setdefault(len(runtimes), balanced_orders(len(runtimes)))
    return [runtimes[j] for j in orders[i % len(orders)] if group not in runtimes[j].failed]


def attempt(rt, group, fn):
    """Runs fn(); on the runtime's first failure in group, notes it and skips the runtime
    in the rest of that group's rows."""
    try:
        return fn()
    except (Failed, Hung) as e:
        rt.failed[group] = str(e)
        print(f"{rt.name} failed: {e}", file=sys.stderr)
        return None


def bench_run(sp, runtimes, n, bundle, table):
    for i in range(n):
        for rt in rotated(runtimes, i, "run"):
            cid = f"r{i}-{rt.name}"
            res = attempt(rt, "run", lambda: run_cmd(sp, rt, ["run", "-b", bundle, cid]))
            if res:
                table.add("run true", rt, res[0])
            pause()


def bench_create_start_delete(sp, runtimes, n, bundle, tmp, table):
    for i in range(n):
        for rt in rotated(runtimes, i, "csd"):
            cid = f"c{i}-{rt.name}"
            pidfile = os.path.join(tmp, f"pid-{rt.name}")

            def one():
                t0 = time.perf_counter_ns()
                ns_c, _ = run_cmd(sp, rt, ["create", "-b", bundle, "--pid-file", pidfile, cid])
                rt.alive.add(cid)
                with open(pidfile) as f:
                    init = int(f.read().strip())
                ns_s, _ = run_cmd(sp, rt, ["start", cid])
                # What a shim does: wait for the init (reparented to this subreaper) to exit.
                t_w = time.perf_counter_ns()
                wait_pid(init, f"{rt.name} container {cid} init after start", STOP_TIMEOUT,
                         reap=os.getpid() == _parent_of(init))
                ns_w = time.perf_counter_ns() - t_w
                ns_d, _ = run_cmd(sp, rt, ["delete", cid])
                rt.alive.discard(cid)
                t1 = time.perf_counter_ns()
                return t1 - t0, ns_c, ns_s, ns_w, ns_d

            res = attempt(rt, "csd", one)
            pause()
            if res:
                total, ns_c, ns_s, ns_w, ns_d = res
                table.add("create+start+wait+delete", rt, total)
                table.add("  create", rt, ns_c)
                table.add("  start", rt, ns_s)
                table.add("  wait for exit", rt, ns_w)
                table.add("  delete", rt, ns_d)
        reap_strays()


def _parent_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def start_sleepers(sp, runtimes, bundle, table):
    for rt in runtimes:
        cid = f"sleeper-{rt.name}"
        if attempt(rt, "exec", lambda: run_cmd(sp, rt, ["run", "-d", "-b", bundle, cid])):
            rt.alive.add(cid)


def bench_exec_state(sp, runtimes, n, table):
    for i in range(n):
        for rt in rotated(runtimes, i, "exec"):
            cid = f"sleeper-{rt.name}"
            res = attempt(rt, "exec", lambda: run_cmd(sp, rt, ["exec", cid, "/bin/true"]))
            if res:
                table.add("exec true", rt, res[0])
    for i in range(n):
        for rt in rotated(runtimes, i, "exec"):
            cid = f"sleeper-{rt.name}"
            res = attempt(rt, "exec", lambda: run_cmd(sp, rt, ["state", cid]))
            if res:
                table.add("state", rt, res[0])


def bench_rss(sp, runtimes, rounds, bundle, table, with_run):
    """Untimed rounds under GNU time for the peak RSS of exec and state (and run)."""
    for i in range(rounds):
        for rt in rotated(runtimes, i, "exec"):
            rows = [("exec true", ["exec", f"sleeper-{rt.name}", "/bin/true"]),
                    ("state", ["state", f"sleeper-{rt.name}"])]
            if with_run:
                rows.insert(0, ("run true", ["run", "-b", bundle, f"m{i}-{rt.name}"]))
            for row, args in rows:
                if row not in table.rss:
                    continue
                kb = attempt(rt, "exec", lambda: peak_rss(sp, rt, args))
                if kb:
                    table.rss[row][rt.name] = max(kb, table.rss[row].get(rt.name, 0))


def stop_sleepers(sp, runtimes):
    for rt in runtimes:
        if f"sleeper-{rt.name}" in rt.alive:
            delete_force(sp, rt, f"sleeper-{rt.name}")
    reap_strays()


def bench_list(sp, runtimes, n, count, bundle, table):
    """count created-but-not-started containers per runtime, made round robin, then list."""
    t_setup = time.perf_counter()
    for k in range(count):
        for rt in rotated(runtimes, k, "list"):
            cid = f"l{k}-{rt.name}"
            res = attempt(rt, "list", lambda: run_cmd(sp, rt, ["create", "-b", bundle, cid]))
            if res:
                rt.alive.add(cid)
                table.add(f"(setup) create, 0-{count} in root", rt, res[0])
        reap_strays()  # the runtimes' exited helpers, reparented here
    print(f"list setup: {count} created containers per runtime in {time.perf_counter() - t_setup:.0f} s",
          file=sys.stderr)
    for i in range(n):
        for rt in rotated(runtimes, i, "list"):
            res = attempt(rt, "list", lambda: run_cmd(sp, rt, ["list"], LIST_TIMEOUT))
            if res:
                table.add(f"list ({len(rt.alive)} in root)", rt, res[0])
    for rt in runtimes:
        for cid in sorted(c for c in rt.alive if c.startswith("l")):
            delete_force(sp, rt, cid)
    reap_strays()


def bench_parallel(sp, runtimes, rounds, count, bundle, table):
    """count `run -d` at once; the time until the last returns (all started)."""
    for i in range(rounds):
        for rt in rotated(runtimes, i, "parallel"):
            ids = [f"p{i}-{k}-{rt.name}" for k in range(count)]
            t0 = time.perf_counter_ns()
            pids = [(cid, *sp.spawn(rt.argv("run", "-d", "-b", bundle, cid))) for cid in ids]
            failures = []
            for cid, pid, err in pids:
                try:
                    status, _ = wait_pid(pid, f"{rt.name} run -d {cid} (of {count} at once)", CMD_TIMEOUT)
                    if os.waitstatus_to_exitcode(status) == 0:
                        rt.alive.add(cid)
                    else:
                        failures.append(f"{cid}: {last_line(err)}")
                except Hung as e:
                    failures.append(str(e))
            t1 = time.perf_counter_ns()
            if failures:
                # Noted, not fatal: the other rounds still time this runtime.
                note = f"round {i}: {len(failures)} of {count} failed, first: {failures[0]}"
                rt.failed.setdefault("parallel-notes", []).append(note)
                print(f"{rt.name} parallel {note}", file=sys.stderr)
            else:
                table.add(f"{count}x run -d at once", rt, t1 - t0)
            # Cleanup, outside the timing.
            for cid in ids:
                if cid in rt.alive:
                    delete_force(sp, rt, cid)
            reap_strays()


def report(table, runtimes, args):
    names = [rt.name for rt in runtimes]
    cols = names + [f"oci/{o}" for o in names if o != "ocistart"]
    print(f"\nmean ms per operation; flags: {args.flags or '(none)'}; n={args.n}, "
          f"parallel rounds={args.parallel_rounds}, pause={args.pause_ms:g} ms")
    print(f"{'row':32s}" + "".join(f"{c:>12s}" for c in cols))
    for row in table.order:
        data = table.rows[row]
        means = {k: statistics.mean(v) / 1e6 for k, v in data.items()}
        line = f"{row:32s}"
        for name in names:
            line += f"{means[name]:12.2f}" if name in means else f"{'-':>12s}"
        for other in names:
            if other == "ocistart":
                continue
            if "ocistart" in means and other in means:
                line += f"{means['ocistart'] / means[other]:11.2f}x"
            else:
                line += f"{'-':>12s}"
        print(line)
    if any(table.rss.values()):
        print("\npeak RSS, MB (GNU time %M, 10 untimed rounds: the runtime or the largest child it reaped)")
        print(f"{'row':32s}" + "".join(f"{c:>12s}" for c in names))
    for row in table.order:
        if table.rss.get(row):
            print(f"{row:32s}" + "".join(
                f"{table.rss[row][n] / 1024:12.1f}" if n in table.rss[row] else f"{'-':>12s}"
                for n in names))
    for rt in runtimes:
        for group, why in rt.failed.items():
            if group == "parallel-notes":
                for note in why:
                    print(f"{rt.name}: parallel run -d, not timed in {note}")
            else:
                print(f"{rt.name}: {group} rows not timed after: {why}")
    print("\nmedian ms per operation")
    for row in table.order:
        data = table.rows[row]
        print(f"{row:32s}" + "".join(
            f"{statistics.median(data[n]) / 1e6:12.2f}" if n in data else f"{'-':>12s}" for n in names))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--flags", default="")
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument("--list-containers", type=int, default=1000)
    ap.add_argument("--parallel", type=int, default=50)
    ap.add_argument("--parallel-rounds", type=int, default=5)
    ap.add_argument("--pause-ms", type=float, default=0,
                    help="quiet after each timed run and create+start+wait+delete (pause())")
    ap.add_argument("--only", default="run,csd,exec,list,parallel",
                    help="rows to run: run,csd,exec,list,parallel")
    ap.add_argument("runtimes", nargs="+", help="NAME=BINARY")
    args = ap.parse_args()
    only = set(args.only.split(","))
    global PAUSE
    PAUSE = args.pause_ms / 1000

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")
    # SIGTERM/SIGHUP unwind like ^C, so that the finally below deletes every container.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)

    runtimes = [Runtime(s.split("=", 1)[0], s.split("=", 1)[1], args.state, args.flags)
                for s in args.runtimes]
    bundle = os.path.abspath(args.bundle)
    tmp = tempfile.mkdtemp(prefix="ops-bench.")
    sleep_bundle = os.path.join(tmp, "sleep-bundle")
    os.mkdir(sleep_bundle)
    with open(os.path.join(bundle, "config.json")) as f:
        config = json.load(f)
    config["root"]["path"] = os.path.join(bundle, config["root"]["path"])
    config["process"]["args"] = ["/bin/sleep", "1000"]
    with open(os.path.join(sleep_bundle, "config.json"), "w") as f:
        json.dump(config, f)

    sp = Spawner(tmp)
    table = Table()
    try:
        if "run" in only:
            bench_run(sp, runtimes, args.n, bundle, table)
        if "csd" in only:
            bench_create_start_delete(sp, runtimes, args.n, bundle, tmp, table)
        if "exec" in only:
            start_sleepers(sp, runtimes, sleep_bundle, table)
            bench_exec_state(sp, runtimes, args.n, table)
            bench_rss(sp, runtimes, 10, bundle, table, "run" in only)
            stop_sleepers(sp, runtimes)
        if "parallel" in only:
            bench_parallel(sp, runtimes, args.parallel_rounds, args.parallel, sleep_bundle, table)
        if "list" in only:
            bench_list(sp, runtimes, args.n, args.list_containers, bundle, table)
    except KeyboardInterrupt:
        print("interrupted; cleaning up", file=sys.stderr)
    finally:
        for rt in runtimes:
            for cid in sorted(rt.alive):
                delete_force(sp, rt, cid, LIST_TIMEOUT)
        reap_strays()
    report(table, runtimes, args)


if __name__ == "__main__":
    main()
