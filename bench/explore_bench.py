#!/usr/bin/env python3
"""How fast `distlab explore` goes: distinct states per second, on one job and on two.

Each model is explored REPS times with --jobs 1 and REPS times with --jobs 2,
interleaved (so that a busy moment of the machine falls on both alike), each in a
fresh process; it prints the median states/s of each, the ratio of two jobs to one,
the memory per state and the state count (the same on every run: a check that the
search is deterministic), the share of transitions the reduction (sleep sets) saved,
and the median states/s on one job with --reduce (the same states, fewer
transitions). The bars (issue "exhaustive exploration"): at least
1,000,000 states/s on one core for the 3-node Bully model, and 1.7x that on two.

    bench/explore_bench.py --distlab build-bench/distlab --reps 5
"""
import argparse
import json
import statistics
import subprocess
import sys

BAR_ONE_JOB = 1_000_000
BAR_SCALING = 1.7

# name, explore arguments; the first is the model the bars are about.
MODELS = [
    ("bully, 3 nodes, 1 crash, 1 recovery", ["bully", "--nodes", "3", "--crashes", "1", "--recoveries", "1"]),
    ("bully, 3 nodes", ["bully", "--nodes", "3"]),
    ("ricart, 3 nodes, 1 request each", ["ricart", "--nodes", "3", "--requests", "1"]),
    ("lamport, 3 nodes, 2 actions each, vector clocks", ["lamport", "--nodes", "3", "--vector"]),
    ("heartbeat, 3 senders, 1 crash, 1 recovery, 30s", ["heartbeat", "--nodes", "3", "--recoveries", "1"]),
    ("snapshot, 3 nodes, 3 transfers, one snapshot", ["snapshot", "--nodes", "3", "--transfers", "3"]),
]


def run(distlab, args, jobs, reduce=False):
    more = ["--reduce"] if reduce else []
    out = subprocess.run([distlab, "explore", *args, *more, "--jobs", str(jobs), "--json", "--timing"],
                         check=False, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"explore {' '.join(args)} failed: {out.stderr.strip()}")
    return json.loads(out.stdout)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--distlab", required=True)
    p.add_argument("--reps", type=int, default=5)
    a = p.parse_args()
    print(f"{'model':<50} {'states':>10} {'1 job/s':>11} {'2 jobs/s':>11} {'ratio':>6} {'B/state':>8} "
          f"{'saved':>6} {'reduced/s':>11}")
    for i, (name, args) in enumerate(MODELS):
        rates = {1: [], 2: [], "reduced": []}
        counts = set()
        per_state = []
        saved = 0.0
        for _ in range(a.reps):
            for jobs in (1, 2):
                r = run(a.distlab, args, jobs)
                rates[jobs].append(r["states_per_s"])
                counts.add((r["distinct_states"], r["transitions"]))
                per_state.append(r["memory_bytes"] / r["distinct_states"])
            # The same search with sleep sets: what they save, and their effect on speed.
            r = run(a.distlab, args, 1, reduce=True)
            saved = r["transitions_saved"] / (r["transitions_saved"] + r["transitions"])
            if r["distinct_states"] != next(iter(counts))[0]:
                sys.exit(f"{name}: the reduction changed the states: {r['distinct_states']} {sorted(counts)}")
            rates["reduced"].append(r["states_per_s"])
        if len(counts) != 1:
            sys.exit(f"{name}: the counts differ between runs: {sorted(counts)}")
        one, two = statistics.median(rates[1]), statistics.median(rates[2])
        states = next(iter(counts))[0]
        print(f"{name:<50} {states:>10,} {one:>11,.0f} {two:>11,.0f} {two / one:>6.2f} "
              f"{statistics.median(per_state):>8,.0f} {100 * saved:>5.0f}% "
              f"{statistics.median(rates['reduced']):>11,.0f}")
        if i == 0:
            bar_one = "meets" if one >= BAR_ONE_JOB else "BELOW"
            bar_two = "meets" if two / one >= BAR_SCALING else "BELOW"
            print(f"  bars: one job {one:,.0f} states/s {bar_one} {BAR_ONE_JOB:,}; "
                  f"two jobs {two / one:.2f}x {bar_two} {BAR_SCALING}x")
            # This machine's speed drifts from run to run: the spread says how far to trust a median.
            print(f"  single runs: one job {min(rates[1]):,.0f} to {max(rates[1]):,.0f}; "
                  f"two jobs {min(rates[2]):,.0f} to {max(rates[2]):,.0f}")


if __name__ == "__main__":
    main()
