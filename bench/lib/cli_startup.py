#!/usr/bin/python3
"""The start-up cost of one CLI invocation (bench/README.md "CLI startup").

Each binary is started with posix_spawn and reaped with wait4; the binaries run
interleaved, round by round, their order reversed every other round; stdout and stderr go
to /dev/null. Per command and binary: the median CPU time wait4 reports (user + system)
and the median wall time. Every binary gets the same --root, an empty temp dir, so
`state x` and the like touch no container. (No peak RSS: ru_maxrss carries this Python's
own across posix_spawn's execve; GNU time's %M, from a small parent, is the one to read.)

Usage: cli_startup.py [-n ROUNDS] [-c 'ARGS']... NAME=BINARY...
  -c: a command line after `--root DIR` (repeatable); default: `state x`, `start x`,
      `delete x`, `create -b /nonexistent x`. ROUNDS default 300.
The first binary is the reference: the table gives each other one's ratio to it.
"""
import os
import shlex
import statistics
import sys
import tempfile
import time

DEFAULT_COMMANDS = ["state x", "start x", "delete x", "create -b /nonexistent x"]


def run_once(binary, args, devnull):
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    start = time.perf_counter()
    pid = os.posix_spawn(binary, [binary] + args, os.environ, file_actions=actions)
    _, _, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    return usage.ru_utime + usage.ru_stime, wall


def main(argv):
    rounds, commands, binaries = 300, [], []
    i = 0
    while i < len(argv):
        if argv[i] == "-n":
            rounds = int(argv[i + 1])
            i += 2
        elif argv[i] == "-c":
            commands.append(argv[i + 1])
            i += 2
        elif "=" in argv[i]:
            name, path = argv[i].split("=", 1)
            binaries.append((name, os.path.realpath(path)))
            i += 1
        else:
            sys.exit(__doc__)
    if not binaries:
        sys.exit(__doc__)
    commands = commands or DEFAULT_COMMANDS
    root = tempfile.mkdtemp(prefix="ocistart-cli-startup.")
    devnull = os.open(os.devnull, os.O_WRONLY)
    samples = {(c, n): [] for c in commands for n, _ in binaries}
    try:
        for r in range(rounds):
            order = binaries if r % 2 == 0 else list(reversed(binaries))
            for c in commands:
                args = ["--root", root] + shlex.split(c)
                for name, path in order:
                    samples[(c, name)].append(run_once(path, args, devnull))
    finally:
        os.rmdir(root)
    print(f"{rounds} rounds, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"| command | binary | CPU median (ms) | wall median (ms) | CPU vs {binaries[0][0]} |")
    print("|---|---|---|---|---|")
    for c in commands:
        ref = statistics.median(s[0] for s in samples[(c, binaries[0][0])])
        for name, _ in binaries:
            s = samples[(c, name)]
            cpu = statistics.median(x[0] for x in s)
            wall = statistics.median(x[1] for x in s)
            ratio = "" if name == binaries[0][0] else f"{(cpu / ref - 1) * 100:+.1f}%"
            print(f"| `{c}` | {name} | {cpu * 1000:.2f} | {wall * 1000:.2f} | {ratio} |")


if __name__ == "__main__":
    main(sys.argv[1:])
