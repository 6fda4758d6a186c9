#!/usr/bin/python3
"""Phases of `run` from kernel tracepoints (perf record), not strace: a few events per run,
each costing about a microsecond, so the phases are what an untraced run takes.

Usage: phases_perf.py --bundle DIR --state DIR [--runs N] [--systemd] NAME=BIN...
Each run of each runtime (interleaved, the order reversed every other round) is recorded
with `perf record -e sched:sched_process_exec,syscalls:sys_enter_{clone,clone3,pivot_root,
exit_group}`; its events are cut into the phases below; the medians are printed.

  first stage      the command's execve to the exec of the runtime that does the work
                   (ocistart: the launcher; crun: its own sealed re-exec)
  start to clone   that exec to the clone of the container's init
  clone to pivot   the clone to the init's pivot_root (namespaces, mounts, cgroup or unit)
  pivot to exec    pivot_root to the execve of /bin/true
  user process     /bin/true, exec to exit
  wait + delete    its exit to the runtime's exit
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

EVENTS = ["sched:sched_process_exec", "syscalls:sys_enter_clone", "syscalls:sys_enter_clone3",
          "syscalls:sys_enter_pivot_root", "syscalls:sys_enter_exit_group"]
PHASES = ["first stage", "start to clone", "clone to pivot", "pivot to exec", "user process", "wait + delete",
          "total"]


def record(binary, args, bundle, data):
    cmd = ["perf", "record", "-q", "-o", data]
    for e in EVENTS:
        cmd += ["-e", e]
    cmd += ["--", binary] + args
    r = subprocess.run(cmd, cwd=bundle, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0:
        sys.exit(f"{binary} {' '.join(args)}: exit {r.returncode}: {r.stderr.decode()[-300:]}")
    out = subprocess.run(["perf", "script", "-i", data, "-F", "pid,time,event,trace"], capture_output=True,
                         text=True, timeout=60).stdout
    events = []
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 3:
            continue
        pid, t, ev = int(parts[0]), float(parts[1].rstrip(":")) * 1e3, parts[2].rstrip(":")
        events.append((t, pid, ev, parts[3] if len(parts) > 3 else ""))
    return events


def phases(events):
    """The phase boundaries of one run; None when an event is missing."""
    execs = [e for e in events if e[2] == "sched:sched_process_exec"]
    clones = [e for e in events if e[2].startswith("syscalls:sys_enter_clone")]
    pivots = [e for e in events if e[2] == "syscalls:sys_enter_pivot_root"]
    exits = [e for e in events if e[2] == "syscalls:sys_enter_exit_group"]
    if len(execs) < 3 or not clones or not pivots or len(exits) < 2:
        return None
    runtime_pid = execs[0][1]
    t0, t1 = execs[0][0], execs[1][0]  # the command, then the runtime's (re-)exec
    # The init's clone: the last clone of the runtime before the pivot (a helper may come first).
    pivot = pivots[0]
    clone = max((c for c in clones if c[1] == runtime_pid and c[0] < pivot[0]), key=lambda c: c[0], default=None)
    user = next((e for e in execs if e[1] == pivot[1] and e[0] > pivot[0]), None)
    user_exit = next((e for e in exits if user and e[1] == user[1] and e[0] > user[0]), None)
    end = max((e for e in exits if e[1] == runtime_pid), key=lambda e: e[0], default=None)
    if not (clone and user and user_exit and end):
        return None
    return [t1 - t0, clone[0] - t1, pivot[0] - clone[0], user[0] - pivot[0], user_exit[0] - user[0],
            end[0] - user_exit[0], end[0] - t0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bundle", required=True)
    p.add_argument("--state", required=True)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--systemd", action="store_true")
    p.add_argument("runtimes", nargs="+")
    a = p.parse_args()
    runtimes = [r.split("=", 1) for r in a.runtimes]
    flags = ["--systemd-cgroup"] if a.systemd else []
    results = {name: [] for name, _ in runtimes}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.runs + 1):
            order = runtimes if i % 2 == 0 else list(reversed(runtimes))
            for name, binary in order:
                args = ["--root", os.path.join(a.state, name)] + flags + ["run", "-b", a.bundle, f"ph{i}-{name}"]
                ph = phases(record(binary, args, a.bundle, os.path.join(tmp, "perf.data")))
                if ph is None:
                    sys.exit(f"{name}: run {i}: the trace lacks an event of the phases")
                if i > 0:  # the first round warms caches
                    results[name].append(ph)
    names = [n for n, _ in runtimes]
    print(f"median ms per phase, {a.runs} runs each{' (--systemd-cgroup)' if a.systemd else ''}")
    print(f"{'phase':<18}" + "".join(f"{n:>12}" for n in names) + (f"{names[0] + '/' + names[1]:>18}" if len(names) > 1 else ""))
    for k, phase in enumerate(PHASES):
        meds = [statistics.median(r[k] for r in results[n]) for n in names]
        ratio = f"{meds[0] / meds[1]:>17.2f}x" if len(meds) > 1 and meds[1] > 0 else ""
        print(f"{phase:<18}" + "".join(f"{m:>12.2f}" for m in meds) + ratio)


if __name__ == "__main__":
    main()
