"""Reads run_loop.sh output on stdin; prints ms per run and ocistart's ratios."""
import sys

n = int(sys.argv[1])
totals = {}
for line in sys.stdin:
    name, _, rest = line.strip().partition(" ")
    if rest.isdigit():
        totals[name] = int(rest)
    elif line.strip():
        print(line.strip())
for name, ns in totals.items():
    print(f"{name:9s} {ns / n / 1e6:8.2f} ms per run ({n} runs)")
for other in ("runc", "crun"):
    if other in totals and "ocistart" in totals:
        ratio = totals["ocistart"] / totals[other]
        print(f"ocistart / {other}: {ratio:.2f}x wall time")
