"""Reads run_loop.sh output on stdin; prints ms per run, peak RSS and the ratios of
ocistart (and of its baseline, when one ran) to the others."""
import sys

n = int(sys.argv[1])
totals, rss = {}, {}
for line in sys.stdin:
    words = line.split()
    if len(words) == 2 and words[1].isdigit():
        totals[words[0]] = int(words[1])
    elif len(words) == 3 and words[1] == "rss" and words[2].isdigit():
        rss[words[0]] = int(words[2])
    elif line.strip():
        print(line.strip())
for name, ns in totals.items():
    peak = f", peak RSS {rss[name] / 1024:.1f} MB" if name in rss else ""
    print(f"{name:9s} {ns / n / 1e6:8.2f} ms per run ({n} runs){peak}")
for mine in ("ocistart", "baseline"):
    for other in ("baseline", "runc", "crun"):
        if mine != other and mine in totals and other in totals:
            print(f"{mine} / {other}: {totals[mine] / totals[other]:.3f}x wall time")
