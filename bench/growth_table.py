#!/usr/bin/env python3
"""Cost against growth: the table of docs/performance.md, as a Markdown section.

Two tables, each row with the command that produced it, so that a regression shows:

- the storm workload (`distlab bench storm`, K = N tokens, seed 1) at N = 16 to
  10,000,000 nodes: deliveries per second, wall time, peak memory, bytes per node;
- each algorithm's own scenario as it comes (`distlab ALGO --nodes N --seed 1 --json`,
  nothing else set; Lamport with `--mode random`, as its seed rounds send five messages
  at any size) at 10 to 10,000 nodes: messages, wall time, peak memory.

Every run is a fresh process, timed from here and measured by GNU time (its peak
resident memory; a child's ru_maxrss read here would include this script's own peak,
which it inherits at exec). The rows are medians of REPS runs, interleaved (each
round runs every row once). A run the program refuses (exit 2, a bound on the
events, nodes or channels of a run), one over --timeout seconds or one over
--max-memory GiB still has its row, saying so; the rest of that row's runs are
skipped. The table goes to stdout, one progress line per run to stderr.

    bench/growth_table.py --distlab build-bench/distlab --reps 5
    bench/growth_table.py --distlab build/distlab --quick      # small sizes, one run each
"""
import argparse
import datetime
import json
import os
import select
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time

# N, then M: 10,000,000 deliveries, from about half a second (N = 16, 18 M/s on the
# optimized build) to about three (N = 1,000,000, 3 M/s). Building the nodes is the
# setup, and it grows with N: 0.17 s at 1,000,000 and 1.8 s at 10,000,000 (RelWithDebInfo,
# `--tokens 1 --messages 1`), about 5% of the run at 1,000,000. At 10,000,000 a delivery
# took 0.75 µs (the same build; M = N, 9.3 s, 2.0 GiB at the peak), so M = 2 N keeps
# building to about a tenth of a run of 10-15 s.
STORM = [(16, 10_000_000), (1_000, 10_000_000), (10_000, 10_000_000), (100_000, 10_000_000),
         (1_000_000, 10_000_000), (10_000_000, 20_000_000)]
STORM_QUICK = [(16, 200_000), (1_000, 200_000), (10_000, 200_000)]
# Each algorithm with its own scenario; Lamport's seed rounds send five messages at any
# size, so its row runs its random mode, where every node acts.
ALGORITHMS = [("lamport", ["--mode", "random"]), ("snapshot", []), ("bully", []), ("heartbeat", []),
              ("ricart", [])]
# Of these, measured on 2026-12-03: ricart at 1,000 nodes (its messages) and 10,000
# (its nodes) and snapshot at 10,000 (99,990,000 channels) are refused at once;
# snapshot at 1,000 (999,000 channels) takes about 11 s and 1.9 GiB, and bully at
# 10,000 extrapolates to minutes and several GiB (6 s at 2,000 nodes, 15 s and 0.5 GiB
# at 3,000; RelWithDebInfo).
ALGORITHM_NODES = [10, 100, 1_000, 10_000]
ALGORITHM_NODES_QUICK = [10, 100]
# What the messages column counts, from each algorithm's --json.
COUNTED = ("lamport (random mode): messages sent; snapshot: application messages and markers; bully: every type "
           "(ELECTION, ANSWER, COORDINATOR, ACK, ALIVE); heartbeat: heartbeats; ricart: requests and replies")
TIME = "/usr/bin/time"


class Run:
    """One finished run: its JSON, wall time and peak memory, or why it has none."""

    def __init__(self, result=None, wall_s=None, peak_bytes=None, failure=None):
        self.result, self.wall_s, self.peak_bytes, self.failure = result, wall_s, peak_bytes, failure


def md(text):
    return text.replace("|", "\\|")


def resident_bytes_of_children(pid):
    """Resident memory of the processes `pid` (GNU time) started: the distlab it runs."""
    total = 0
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = f.read().split()
    except OSError:
        return 0
    for child in children:
        try:
            with open(f"/proc/{child}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
    return total


def kill_group(child):
    try:
        os.killpg(child.pid, signal.SIGKILL)  # GNU time and the distlab it runs
    except ProcessLookupError:
        pass
    child.wait()


def wait_with_limits(child, start, timeout, max_bytes):
    """Waits for `child`; kills its process group over `timeout` s or `max_bytes` resident
    (0: no bound) and says which, else returns None."""
    try:
        pidfd = os.pidfd_open(child.pid)
    except (AttributeError, OSError):
        pidfd = None
    poller = None
    if pidfd is not None:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
    over = None
    try:
        while True:
            if poller is not None:
                if poller.poll(100):  # readable: the child has exited
                    break
            else:
                try:
                    child.wait(timeout=0.1)
                    break
                except subprocess.TimeoutExpired:
                    pass
            elapsed = time.perf_counter() - start
            if elapsed > timeout:
                over = f"over {timeout:g} s"
                break
            if max_bytes and resident_bytes_of_children(child.pid) > max_bytes:
                over = f"over {max_bytes / 2**30:g} GiB of memory (stopped after {elapsed:.0f} s)"
                break
    except BaseException:  # interrupted: stop what this started
        kill_group(child)
        raise
    finally:
        if pidfd is not None:
            os.close(pidfd)
    if over is not None:
        kill_group(child)
    child.wait()
    return over


def run(argv, a, scratch):
    """Runs argv under GNU time; a Run with its last stdout line parsed as JSON."""
    out_path, err_path, usage_path = (os.path.join(scratch, n) for n in ("out", "err", "usage"))
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen([TIME, "-o", usage_path, "-f", "growth_table %e %M", *argv], stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=err, start_new_session=True)
        over = wait_with_limits(child, start, a.timeout, int(a.max_memory * 2**30))
        wall = time.perf_counter() - start
    if over:
        return Run(failure=over)
    with open(err_path, errors="replace") as f:
        lines = [line.strip() for line in f if line.strip()]
    message = lines[-1] if lines else ""
    message = message[len("distlab: "):] if message.startswith("distlab: ") else message
    code = child.returncode
    if code == 2:
        return Run(failure=f"refused: {message}")
    if code != 0:
        how = f"killed by signal {-code}" if code < 0 else f"exit {code}"
        return Run(failure=f"failed ({how}){': ' + message if message else ''}")
    peak = None
    with open(usage_path) as f:
        for line in f:
            if line.startswith("growth_table "):
                peak = int(line.split()[2]) * 1024  # %M: KiB
    if peak is None:
        return Run(failure="failed: GNU time gave no peak memory")
    with open(out_path, errors="replace") as f:
        out_lines = [line for line in f if line.strip()]
    try:
        result = json.loads(out_lines[-1])
    except (IndexError, ValueError):
        result = None
    if not isinstance(result, dict):
        return Run(failure="failed: its last line of output is not a JSON object")
    return Run(result, wall, peak)


def message_count(algorithm, r):
    """(messages, events or None) from an algorithm's --json, or None if it has no count."""
    events = r.get("events") if isinstance(r.get("events"), int) else None
    m = r.get("messages")
    if isinstance(m, dict) and "sent" in m:
        count = m["sent"]
    elif isinstance(m, dict) and m:
        count = sum(v for v in m.values() if isinstance(v, int))
    elif isinstance(r.get("heartbeats"), int):
        count = r["heartbeats"]
    else:
        return None
    if isinstance(r.get("markers"), int):
        count += r["markers"]
    return count, events


def machine():
    model = None
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next((l.split(":", 1)[1].strip() for l in out.splitlines() if l.startswith("Model name:")), None)
    except OSError:
        pass
    if not model:
        try:
            with open("/proc/cpuinfo") as f:
                model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), None)
        except OSError:
            pass
    return model or "unknown CPU", len(os.sched_getaffinity(0))


def seconds(s):
    return f"{s:.3f} s" if s < 10 else f"{s:.1f} s"


def mib(b):
    return f"{b / 2**20:,.0f} MiB" if b >= 10 * 2**20 else f"{b / 2**20:,.1f} MiB"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--distlab", required=True)
    p.add_argument("--reps", type=int, help="runs of each row (default 5; 1 with --quick)")
    p.add_argument("--quick", action="store_true", help="only the small sizes: storm N <= 10,000 with M = 200,000, "
                                                        "algorithms at 10 and 100 nodes")
    p.add_argument("--timeout", type=float, default=120, help="seconds before a run is stopped (default 120)")
    p.add_argument("--max-memory", type=float, default=8, metavar="GIB",
                   help="resident GiB before a run is stopped (default 8; 0: no bound)")
    workloads = ["storm"] + [name for name, _ in ALGORITHMS]
    p.add_argument("--only", action="append", choices=workloads, metavar="WORKLOAD",
                   help=f"only this workload's rows, to measure again what a change touched (repeatable; one of "
                        f"{', '.join(workloads)}; default: all)")
    a = p.parse_args()
    reps = a.reps if a.reps is not None else (1 if a.quick else 5)
    if reps < 1:
        sys.exit("growth_table: --reps must be at least 1")
    if a.timeout <= 0 or a.max_memory < 0:
        sys.exit("growth_table: --timeout must be positive and --max-memory not negative")
    if not (os.path.isfile(a.distlab) and os.access(a.distlab, os.X_OK)):
        sys.exit(f"growth_table: {a.distlab} is not an executable file")
    if not os.access(TIME, os.X_OK) or subprocess.run([TIME, "-f", "%M", "true"], capture_output=True).returncode:
        sys.exit(f"growth_table: needs GNU time at {TIME} for each run's peak memory (apt-get install time)")

    storm = STORM_QUICK if a.quick else STORM
    nodes = ALGORITHM_NODES_QUICK if a.quick else ALGORITHM_NODES
    rows = []  # (kind, key, argv)
    wanted = set(a.only or workloads)
    if "storm" in wanted:
        for n, m in storm:
            rows.append(("storm", (n, m), [a.distlab, "bench", "storm", "--nodes", str(n), "--tokens", str(n),
                                           "--messages", str(m), "--json"]))
    for algorithm, extra in ALGORITHMS:
        if algorithm not in wanted:
            continue
        for n in nodes:
            rows.append(("algorithm", (algorithm, n), [a.distlab, algorithm, *extra, "--nodes", str(n), "--seed",
                                                       "1", "--json"]))
    runs = {i: [] for i in range(len(rows))}
    failed = {}  # row index: (why, in which round)
    total = reps * len(rows)
    done = 0
    with tempfile.TemporaryDirectory(prefix="growth-table-") as scratch:
        for rep in range(reps):
            for i, (_, _, argv) in enumerate(rows):
                done += 1
                command = shlex.join(argv)
                if i in failed:
                    print(f"growth_table: {done}/{total} skipped (an earlier run {failed[i][0]}): {command}",
                          file=sys.stderr, flush=True)
                    continue
                r = run(argv, a, scratch)
                if r.failure:
                    failed[i] = (r.failure, rep + 1)
                    said = r.failure
                else:
                    runs[i].append(r)
                    said = f"{r.wall_s:.3f} s, {mib(r.peak_bytes)}"
                    if isinstance(r.result.get("deliveries_per_s"), (int, float)):
                        said += f", {r.result['deliveries_per_s']:,.0f} deliveries/s"
                print(f"growth_table: {done}/{total} {command}: {said}", file=sys.stderr, flush=True)

    def table(kind, columns):
        """The rows of `kind`: (index, key, command cell), a failed one printed here
        (its reason, then empty cells up to the command) and not yielded."""
        for i, (k, key, argv) in enumerate(rows):
            if k != kind:
                continue
            command = f"`{shlex.join(argv)}`"
            if i in failed:
                why, rep = failed[i]
                why = md(why) + (f" (run {rep} of {reps})" if rep > 1 else "")
                first = [f"{c:,}" if isinstance(c, int) else c for c in key]
                print(f"| {' | '.join(first)} | {why} |{' |' * (columns - len(first) - 2)} {command} |")
                continue
            yield i, key, command

    model, cores = machine()
    invocation = shlex.join(["bench/growth_table.py", "--distlab", a.distlab, "--reps", str(reps)] +
                            (["--quick"] if a.quick else []) + [arg for w in a.only or [] for arg in ("--only", w)])
    how_many = f"medians of {reps} runs of each row, interleaved" if reps > 1 else "one run of each row"
    print(f"Measured on {model} ({cores} cores), {datetime.date.today().isoformat()}, build `{a.distlab}`, "
          f"{how_many}, each in its own process "
          f"(`{invocation}`); counts are deterministic, times are not.")
    if any(kind == "storm" for kind, _, _ in rows):
        storm_table(table, runs)
    if any(kind == "algorithm" for kind, _, _ in rows):
        algorithm_table(table, runs)


def storm_table(table, runs):
    print()
    print("Storm, K = N tokens, seed 1, constant latency: deliveries/s and wall time count building the nodes; "
          "bytes per node is the resident memory the built nodes and tokens added, per node "
          "(`bytes_per_node`, the process's fixed cost left out).")
    print()
    print("| N | M | deliveries/s | wall time | peak memory | bytes per node | command |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for i, (n, m), command in table("storm", 7):
        rs = [r.result for r in runs[i]]
        try:
            rate = statistics.median(r["deliveries_per_s"] for r in rs)
            wall = statistics.median(r["wall_s"] for r in rs)
            peak = statistics.median(r["peak_rss_bytes"] for r in rs)
            per_node = statistics.median(r["bytes_per_node"] for r in rs)
        except (KeyError, TypeError):
            print(f"| {n:,} | {m:,} | failed: its JSON lacks deliveries_per_s, wall_s, peak_rss_bytes or "
                  f"bytes_per_node | | | | {command} |")
            continue
        print(f"| {n:,} | {m:,} | {rate:,.0f} | {seconds(wall)} | {mib(peak)} | {per_node:,.0f} | {command} |")


def algorithm_table(table, runs):
    print()
    print(f"Each algorithm's own scenario, as it comes (only --nodes, --seed 1, --json; Lamport in its random "
          f"mode). Messages: {COUNTED}; events "
          "where the JSON has them. Wall time and peak memory are the whole process's (GNU time), so bytes per "
          "node (peak memory / nodes) includes its fixed cost, about 7 MiB.")
    print()
    print("| algorithm | nodes | messages | messages per node | events | wall time | peak memory | bytes per node "
          "| command |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for i, (algorithm, n), command in table("algorithm", 9):
        counts = [message_count(algorithm, r.result) for r in runs[i]]
        if any(c is None for c in counts):
            print(f"| {algorithm} | {n:,} | failed: no message count in its JSON | | | | | | {command} |")
            continue
        messages = statistics.median(c[0] for c in counts)
        events = counts[0][1]
        wall = statistics.median(r.wall_s for r in runs[i])
        peak = statistics.median(r.peak_bytes for r in runs[i])
        print(f"| {algorithm} | {n:,} | {messages:,.0f} | {messages / n:,.1f} | "
              f"{'' if events is None else f'{events:,}'} | {seconds(wall)} | {mib(peak)} | {peak / n:,.0f} "
              f"| {command} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
