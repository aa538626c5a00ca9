#!/usr/bin/env python3
"""distlab and SimGrid on the storm workload, side by side, in one run.

For each N, both run the same workload (N nodes, K = N tokens, M deliveries, seed 1,
constant latency) REPS times, each run in a fresh process; the table shows the
medians: deliveries per second, the ratio, and peak resident memory. Without the
SimGrid peer (bench/peers, built when libsimgrid-dev is installed) distlab runs alone.

    bench/storm_compare.py --distlab build-bench/distlab \
        --simgrid build-bench/bench/peers/simgrid_storm --reps 5
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

# N, then M for the side-by-side runs: each SimGrid run takes a few seconds here
# (its cost per delivery grows with the tokens in flight).
SIDE_BY_SIDE = [(16, 1_000_000), (1_000, 200_000), (10_000, 30_000)]
# distlab alone at the scale of the targets: M large enough that setup is a small share.
DISTLAB_ALONE = [(16, 50_000_000), (100_000, 30_000_000), (1_000_000, 30_000_000)]


def run_json(argv):
    try:
        out = subprocess.run(argv, check=True, capture_output=True, text=True, timeout=600).stdout
    except subprocess.CalledProcessError as e:
        sys.exit(f"storm_compare: {' '.join(argv)} failed: {e.stderr.strip()}")
    return json.loads(out.strip().splitlines()[-1])


def distlab(path, n, m, trace=None, trace_format="jsonl", prefix=None):
    argv = (prefix or []) + [path, "bench", "storm", "--nodes", str(n), "--tokens", str(n), "--messages", str(m),
                             "--json"]
    if trace:
        argv += ["--trace", trace, "--trace-format", trace_format]
    r = run_json(argv)
    return r["deliveries_per_s"], r["peak_rss_bytes"]


def simgrid(path, n, m):
    r = run_json([path, "--nodes", str(n), "--tokens", str(n), "--messages", str(m), "--seed", "1"])
    return r["deliveries_per_s"], r["peak_rss_kib"] * 1024


def medians(runs):
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def mib(b):
    return f"{b / 2**20:,.0f} MiB"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--distlab", required=True)
    p.add_argument("--simgrid", help="the simgrid_storm peer; missing: distlab runs alone")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--trace-dir", default="/tmp", help="where the traced run writes (then removes) its trace")
    a = p.parse_args()
    if a.reps < 1:
        sys.exit("storm_compare: --reps must be at least 1")
    have_simgrid = a.simgrid and os.access(a.simgrid, os.X_OK)
    if not have_simgrid:
        print("SimGrid peer not built (install libsimgrid-dev and rebuild): distlab runs alone")

    print(f"storm, K = N tokens, seed 1, medians of {a.reps} runs, each in its own process")
    print("| N | M | distlab deliveries/s | SimGrid deliveries/s | ratio | distlab peak memory | SimGrid peak memory |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n, m in SIDE_BY_SIDE:
        d_rate, d_mem = medians([distlab(a.distlab, n, m) for _ in range(a.reps)])
        if have_simgrid:
            s_rate, s_mem = medians([simgrid(a.simgrid, n, m) for _ in range(a.reps)])
            print(f"| {n:,} | {m:,} | {d_rate:,.0f} | {s_rate:,.0f} | {d_rate / s_rate:,.0f}x | {mib(d_mem)} | {mib(s_mem)} |")
        else:
            print(f"| {n:,} | {m:,} | {d_rate:,.0f} | not run | | {mib(d_mem)} | |")
        sys.stdout.flush()

    print()
    print("distlab alone, at the targets' scale (tracing off, then on for N = 16)")
    print("| N | M | deliveries/s | peak memory |")
    print("| --- | --- | --- | --- |")
    for n, m in DISTLAB_ALONE:
        rate, mem = medians([distlab(a.distlab, n, m) for _ in range(a.reps)])
        print(f"| {n:,} | {m:,} | {rate:,.0f} | {mib(mem)} |")
        sys.stdout.flush()
    # Tracing's cost, runs interleaved: untraced, traced to JSONL, traced to the binary
    # form (bars: 2.5x the untraced time on two cores, 4x on one, pinned by taskset).
    n, m = 16, 5_000_000
    jsonl = os.path.join(a.trace_dir, f"storm_trace_{os.getpid()}.jsonl")
    binary = os.path.join(a.trace_dir, f"storm_trace_{os.getpid()}.dltrace")
    one_core = ["taskset", "-c", "0"] if shutil.which("taskset") else None
    runs = {k: [] for k in ("plain", "jsonl", "binary", "plain1", "binary1")}
    sizes = {}
    try:
        for _ in range(a.reps):
            runs["plain"].append(distlab(a.distlab, n, m))
            runs["jsonl"].append(distlab(a.distlab, n, m, jsonl))
            runs["binary"].append(distlab(a.distlab, n, m, binary, "binary"))
            if one_core:
                runs["plain1"].append(distlab(a.distlab, n, m, prefix=one_core))
                runs["binary1"].append(distlab(a.distlab, n, m, binary, "binary", prefix=one_core))
        sizes = {"jsonl": os.path.getsize(jsonl), "binary": os.path.getsize(binary)}
    finally:
        for f in (jsonl, binary):
            if os.path.exists(f):
                os.remove(f)
    rate = {k: medians(v)[0] for k, v in runs.items() if v}
    print(f"| 16, traced to JSONL | {m:,} | {rate['jsonl']:,.0f} ({rate['plain'] / rate['jsonl']:.1f}x the untraced "
          f"time; {sizes['jsonl'] / 2**20:,.0f} MiB of trace) | |")
    print(f"| 16, traced, --trace-format binary | {m:,} | {rate['binary']:,.0f} ({rate['plain'] / rate['binary']:.2f}x "
          f"the untraced time, bar 2.5x; {sizes['binary'] / 2**20:,.0f} MiB of trace) | |")
    if one_core:
        print(f"| 16, traced binary, one core (taskset -c 0) | {m:,} | {rate['binary1']:,.0f} "
              f"({rate['plain1'] / rate['binary1']:.2f}x the untraced time on one core, bar 4x) | |")


if __name__ == "__main__":
    main()
