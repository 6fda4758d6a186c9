"""phases.py: splits one `run` of /bin/true into phases, for several runtimes side by side,
from `strace -f -ttt -T` traces; prints the median of each phase over the traced runs.
Called by bench/phases.sh inside the namespace it prepares.

  phases.py --bundle DIR --state DIR [--runs 10] [--keep DIR] NAME=BINARY...

The runtime's own process is the one strace starts (M); the container process is the one
that execve()s the config's args[0] (U). Phases are spans between events of the trace,
not a partition: the parent's cgroup work may overlap the clone and the init's setup (a
runtime may do them concurrently); `total` is the whole traced run. strace slows every
syscall down (a traced run takes about twice as long), so phases made of many syscalls look
larger than they are; compare runtimes row by row.
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile

LINE = re.compile(r"^(\d+) +(\d+\.\d+) (.*)$")
NAME = re.compile(r"^(?:<\.\.\. )?([a-z_0-9]+)(?:\(| resumed>)")
DURATION = re.compile(r"<(\d+\.\d+)>$")
# What the dynamic loader and libc's start-up do before main(); an openat counts only when
# it opens a shared object or the loader's cache.
LOADER = {"brk", "access", "read", "pread64", "fstat", "newfstatat", "mmap", "mprotect",
          "munmap", "close", "arch_prctl", "set_tid_address", "set_robust_list", "rseq",
          "prlimit64", "getrandom", "statfs"}
TRACE_TIMEOUT = 60

PHASES = [
    ("process start + dynamic load", "execve of the runtime to its first syscall that is not the loader's or libc start-up's"),
    ("re-exec from sealed binary", "that syscall to the end of loading after execveat (0 when the runtime does not re-execute)"),
    ("CLI + config read/parse", "to the first syscall on the state root (--root)"),
    ("state dir", "to the first syscall naming /sys/fs/cgroup or the clone of the init, whichever is first"),
    ("cgroup (parent)", "first to last syscall of the runtime's process naming /sys/fs/cgroup or writing cgroup files, before the user process runs"),
    ("clone of the init", "the clone/clone3 syscall of the runtime's process"),
    ("init setup", "first syscall of the init to its execve of the user process"),
    ("  until pivot_root done", "part of it: namespaces, mounts of the rootfs"),
    ("  after pivot_root", "part of it: devices, /proc masks, caps, seccomp, exec fifo..."),
    ("user process (true)", "execve of the user process to its exit"),
    ("wait", "its exit to the runtime's wait4/waitid returning it (or the runtime's next syscall)"),
    ("delete", "from there to the runtime's exit"),
    ("total", "execve of the runtime to its exit"),
]


class Event:
    __slots__ = ("pid", "ts", "name", "text", "dur")

    def __init__(self, pid, ts, name, text, dur):
        self.pid, self.ts, self.name, self.text, self.dur = pid, ts, name, text, dur


def parse(path):
    events = []
    with open(path, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            pid, ts, text = int(m.group(1)), float(m.group(2)), m.group(3)
            if text.startswith("+++"):
                events.append(Event(pid, ts, "+++exit", text, 0.0))
                continue
            n = NAME.match(text)
            if not n:
                continue
            d = DURATION.search(text)
            events.append(Event(pid, ts, n.group(1), text, float(d.group(1)) if d else 0.0))
    return events


def is_loader(ev):
    if ev.name in ("openat", "open"):
        return ".so" in ev.text or "ld.so" in ev.text
    return ev.name in LOADER or "resumed>" in ev.text


def phases_of(events, state_root, user_argv0):
    """Returns {phase: ms} for one trace."""
    main = events[0].pid
    t0 = events[0].ts
    mine = [e for e in events if e.pid == main]

    def first(seq, pred, after=0.0):
        return next((e for e in seq if e.ts >= after and pred(e)), None)

    # Loading after the first execve, and after an execveat when there is one (before the
    # init is cloned: an execve after that is the container's).
    clone = first(mine, lambda e: e.name in ("clone", "clone3", "vfork") and "resumed>" not in e.text)
    limit = clone.ts if clone else float("inf")
    load1 = first(mine[1:], lambda e: not is_loader(e))
    reexec = first(mine, lambda e: e.name == "execveat" and "resumed>" not in e.text and e.ts < limit)
    load2 = first(mine, lambda e: not is_loader(e) and e.name != "execveat", reexec.ts) if reexec else load1
    user = first(events, lambda e: e.name == "execve" and e.pid != main and f'"{user_argv0}"' in e.text)
    if not (load1 and load2 and clone and user):
        raise ValueError("trace lacks a milestone (load, clone or the user process's execve)")
    state = first(mine, lambda e: state_root in e.text, load2.ts)
    cgroup_events = [e for e in mine if e.ts >= load2.ts and e.ts < user.ts
                     and ("/sys/fs/cgroup" in e.text or "cgroup.procs" in e.text)]
    cg_first = cgroup_events[0] if cgroup_events else None
    init_first = first(events, lambda e: e.pid == user.pid)
    pivot = first(events, lambda e: e.pid == user.pid and e.name == "pivot_root" and "resumed>" not in e.text)
    user_exit = first(events, lambda e: e.pid == user.pid and e.name == "+++exit", user.ts)
    end = next(e for e in reversed(mine) if e.name == "+++exit")
    waited = first(mine, lambda e: e.name in ("wait4", "waitid") and re.search(rf"= {user.pid} <", e.text),
                   user_exit.ts if user_exit else user.ts)
    if waited:
        t_wait = waited.ts + waited.dur
    else:
        nxt = first(mine, lambda e: True, user_exit.ts if user_exit else user.ts)
        t_wait = nxt.ts if nxt else end.ts

    def span(a, b):
        return max(0.0, (b - a) * 1000)

    after_state = min([x.ts for x in (cg_first, clone) if x] or [clone.ts])
    out = {
        "process start + dynamic load": span(t0, load1.ts),
        "re-exec from sealed binary": span(load1.ts, load2.ts),
        "CLI + config read/parse": span(load2.ts, state.ts if state else after_state),
        "state dir": span(state.ts, after_state) if state else 0.0,
        "cgroup (parent)": span(cg_first.ts, cgroup_events[-1].ts + cgroup_events[-1].dur) if cg_first else 0.0,
        "clone of the init": clone_duration(mine, clone) * 1000,
        "init setup": span(init_first.ts, user.ts),
        "  until pivot_root done": span(init_first.ts, pivot.ts + pivot.dur) if pivot else 0.0,
        "  after pivot_root": span(pivot.ts + pivot.dur, user.ts) if pivot else 0.0,
        "user process (true)": span(user.ts, user_exit.ts) if user_exit else 0.0,
        "wait": span(user_exit.ts, t_wait) if user_exit else 0.0,
        "delete": span(t_wait, end.ts),
        "total": span(t0, end.ts),
    }
    return out


def clone_duration(mine, clone):
    if DURATION.search(clone.text):
        return clone.dur
    resumed = next((e for e in mine if e.ts > clone.ts and e.name == clone.name and "resumed>" in e.text), None)
    return (resumed.ts + resumed.dur - clone.ts) if resumed else 0.0


def trace_one(binary, root, bundle, cid, out):
    argv = ["strace", "-f", "-ttt", "-T", "-s", "256", "-o", out,
            binary, "--root", root, "run", "-b", bundle, cid]
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def delete():
        subprocess.run([binary, "--root", root, "delete", "--force", cid],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)

    try:
        _, err = p.communicate(timeout=TRACE_TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()  # strace, which we started; it kills its tracees as it goes
        p.wait()
        delete()
        raise RuntimeError(f"strace of {binary} run {cid} (pid {p.pid}) did not exit within "
                           f"{TRACE_TIMEOUT} s; killed it and deleted the container")
    if p.returncode != 0:
        delete()
        raise RuntimeError(f"{binary} run {cid} under strace: exit {p.returncode}: {err.decode(errors='replace').strip()[-300:]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--keep", help="directory to keep the traces in")
    ap.add_argument("runtimes", nargs="+", help="NAME=BINARY")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    runtimes = [tuple(s.split("=", 1)) for s in args.runtimes]
    tdir = args.keep or tempfile.mkdtemp(prefix="phases.")
    os.makedirs(tdir, exist_ok=True)
    with open(os.path.join(args.bundle, "config.json")) as f:
        argv0 = json.load(f)["process"]["args"][0]
    results = {name: {p: [] for p, _ in PHASES} for name, _ in runtimes}
    # One untraced run each first, so that page cache and the state root are warm alike.
    for name, binary in runtimes:
        subprocess.run([binary, "--root", os.path.join(args.state, name), "run", "-b", args.bundle,
                        f"warm-{name}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    for i in range(args.runs):
        for name, binary in runtimes:
            root = os.path.join(args.state, name)
            out = os.path.join(tdir, f"{name}-{i}.trace")
            trace_one(binary, root, args.bundle, f"ph{i}-{name}", out)
            try:
                got = phases_of(parse(out), root, argv0)
            except (ValueError, StopIteration) as e:
                print(f"{name} run {i}: {e} ({out})", file=sys.stderr)
                continue
            for p, ms in got.items():
                results[name][p].append(ms)
    names = [n for n, _ in runtimes]
    print(f"median ms per phase of `run` /bin/true under strace -f ({args.runs} traced runs each)")
    print(f"{'phase':32s}" + "".join(f"{n:>11s}" for n in names) + f"  {'/'.join(names[:2]) if len(names) > 1 else ''}")
    for p, _ in PHASES:
        meds = [statistics.median(results[n][p]) if results[n][p] else float("nan") for n in names]
        ratio = f"{meds[0] / meds[1]:9.2f}x" if len(meds) > 1 and meds[1] > 0.005 else ""
        print(f"{p:32s}" + "".join(f"{m:11.2f}" for m in meds) + f"  {ratio}")
    print("\nphases:")
    for p, desc in PHASES:
        print(f"  {p.strip()}: {desc}")
    if args.keep:
        print(f"traces kept in {tdir}")


if __name__ == "__main__":
    main()
