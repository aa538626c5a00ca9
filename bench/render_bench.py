#!/usr/bin/env python3
"""How long `distlab render` takes on a large trace, and how big a page it makes.

A storm run (16 nodes) traced to about EVENTS events is rendered REPS times, each in
a fresh process; it prints the median wall time, the peak resident memory and the
page's size, against the bars: under 2 s and under 20 MB for 100,000 events.

    bench/render_bench.py --distlab build-bench/distlab --events 100000 --reps 5
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

BAR_SECONDS = 2.0
BAR_BYTES = 20_000_000


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--distlab", required=True)
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--reps", type=int, default=5)
    a = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="distlab-render-bench-") as d:
        trace = os.path.join(d, "storm.jsonl")
        page = os.path.join(d, "storm.html")
        # Each delivery is a receive and a send: two events.
        subprocess.run([a.distlab, "bench", "storm", "--nodes", "16", "--messages", str(a.events // 2),
                        "--trace", trace], check=True, capture_output=True)
        with open(trace) as f:
            events = sum(1 for _ in f) - 1
        seconds, peaks = [], []
        for _ in range(a.reps):
            start = time.perf_counter()
            child = subprocess.Popen([a.distlab, "render", trace, "-o", page], stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)
            seconds.append(time.perf_counter() - start)
            if status != 0:
                sys.exit(f"render_bench: distlab render failed (status {status})")
            peaks.append(usage.ru_maxrss * 1024)
        size = os.path.getsize(page)
    median = statistics.median(seconds)
    print(f"render {events:,} events, median of {a.reps}: {median:.3f} s (bar {BAR_SECONDS} s: "
          f"{'met' if median < BAR_SECONDS else 'MISSED'}), page {size / 1e6:.1f} MB (bar {BAR_BYTES / 1e6:.0f} MB: "
          f"{'met' if size < BAR_BYTES else 'MISSED'}), peak memory {statistics.median(peaks) / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
