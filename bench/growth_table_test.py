#!/usr/bin/env python3
"""Checks bench/growth_table.py --quick, so that the table's generator cannot rot unseen.

Two runs of the script:

- on the real program: its stdout is a lead line and exactly two tables, nothing
  after; the storm table has a row for each N with a positive deliveries/s, wall
  time and peak memory; the algorithm table has a row for every algorithm at 10 and
  100 nodes with a positive message count; every row ends with its command; one
  progress line per run went to stderr, none to stdout;
- on a stand-in that refuses `ricart` (exit 2) and hangs on `snapshot`, with
  --timeout 1: those rows say "refused: <message>" and "over 1 s", and the script
  still prints both tables;
- with `--only bully --only heartbeat`: only the algorithm table, with only their
  rows, and the lead line's command says so.

Exits 0 when all holds, 1 with what failed, 77 (skipped) without GNU time.

    bench/growth_table_test.py --distlab build/distlab
"""
import argparse
import datetime
import os
import re
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "growth_table.py")
ALGORITHMS = ["lamport", "snapshot", "bully", "heartbeat", "ricart"]
QUICK_NODES = [10, 100]
QUICK_STORM = [16, 1_000, 10_000]
STORM_HEADER = "| N | M | deliveries/s | wall time | peak memory | bytes per node | command |"
ALGORITHM_HEADER = ("| algorithm | nodes | messages | messages per node | events | wall time | peak memory "
                    "| bytes per node | command |")

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def cells(line):
    """The cells of a Markdown table row ("\\|" inside a cell is not a separator)."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]


def number(text):
    """12,345.6 -> 12345.6; None when the cell is not a number."""
    m = re.fullmatch(r"([0-9][0-9,]*(?:\.[0-9]+)?)(?: (s|MiB))?", text)
    return float(m.group(1).replace(",", "")) if m else None


def run_script(distlab, *extra):
    p = subprocess.run([sys.executable, SCRIPT, "--distlab", distlab, "--quick", *extra], capture_output=True,
                       text=True, timeout=300)
    if not check(p.returncode == 0, f"growth_table.py {' '.join(extra)} exited {p.returncode}: {p.stderr.strip()}"):
        return None
    return p


def tables(stdout, label, expected=(STORM_HEADER, ALGORITHM_HEADER)):
    """{header: [rows]} of stdout, after checking its shape: lead line, the expected tables, nothing after."""
    lines = stdout.splitlines()
    check(lines and lines[0].startswith("Measured on ") and " cores)" in lines[0]
          and datetime.date.today().isoformat() in lines[0], f"{label}: lead line names no machine or date: "
          f"{lines[:1]}")
    check(not any(line.startswith("growth_table:") for line in lines), f"{label}: progress lines on stdout")
    content = [line for line in lines if line.strip()]
    check(content and content[-1].startswith("|"), f"{label}: something follows the last table: {content[-1:]}")
    found, current = {}, None
    for line in lines:
        if line in (STORM_HEADER, ALGORITHM_HEADER):
            current = line
            check(current not in found, f"{label}: the table {current} appears twice")
            found[current] = []
        elif line.startswith("| ---"):
            continue
        elif line.startswith("|"):
            check(current is not None, f"{label}: a row outside the two tables: {line}")
            if current is not None:
                found[current].append(cells(line))
        elif line.strip():
            current = None
    check(set(found) == set(expected), f"{label}: tables found: {list(found)}")
    return found


def check_real(distlab):
    p = run_script(distlab)
    if p is None:
        return
    runs = len(QUICK_STORM) + len(ALGORITHMS) * len(QUICK_NODES)
    progress = [line for line in p.stderr.splitlines() if line.startswith("growth_table: ")]
    check(len(progress) == runs, f"{len(progress)} progress lines on stderr, not one per run ({runs})")
    found = tables(p.stdout, "real run")

    storm = found.get(STORM_HEADER, [])
    check([number(r[0]) for r in storm] == QUICK_STORM, f"storm rows for N = {[r[0] for r in storm]}")
    for r in storm:
        if not check(len(r) == 7, f"storm row with {len(r)} cells: {r}"):
            continue
        n = r[0].replace(",", "")
        for column, cell in zip(("deliveries/s", "wall time", "peak memory", "bytes per node"), r[2:6]):
            value = number(cell)
            check(value is not None and value > 0, f"storm N = {n}: {column} is not a positive number: {cell!r}")
        check(re.fullmatch(rf"`{re.escape(distlab)} bench storm --nodes {n} --tokens {n} --messages "
                           rf"{r[1].replace(',', '')} --json`", r[6]) is not None,
              f"storm N = {n}: the command cell is {r[6]!r}")

    rows = found.get(ALGORITHM_HEADER, [])
    expected = [(a, n) for a in ALGORITHMS for n in QUICK_NODES]
    check([(r[0], number(r[1])) for r in rows if len(r) > 1] == expected,
          f"algorithm rows {[(r[0], r[1]) for r in rows if len(r) > 1]}, expected {expected}")
    for r in rows:
        if not check(len(r) == 9, f"algorithm row with {len(r)} cells: {r}"):
            continue
        algorithm, nodes = r[0], number(r[1])
        messages, per_node, wall, peak, per_node_bytes = (number(r[i]) for i in (2, 3, 5, 6, 7))
        where = f"{algorithm} at {r[1]} nodes"
        if not check(None not in (nodes, messages, per_node, wall, peak, per_node_bytes),
                     f"{where}: a number is missing (did it fail?): {r}"):
            continue
        check(messages > 0, f"{where}: no messages")
        check(abs(per_node - messages / nodes) <= 0.051, f"{where}: messages per node {per_node} is not "
              f"{messages} / {nodes}")
        check(r[4] == "" or (number(r[4]) or 0) > 0, f"{where}: events {r[4]!r}")
        check(wall > 0 and peak >= 1, f"{where}: wall time {r[5]!r}, peak memory {r[6]!r}")
        check(abs(per_node_bytes - peak * 2**20 / nodes) <= 0.06 * peak * 2**20 / nodes,
              f"{where}: bytes per node {r[7]} is not peak memory {r[6]} / nodes")
        mode = " --mode random" if algorithm == "lamport" else ""
        check(r[8] == f"`{distlab} {algorithm}{mode} --nodes {int(nodes)} --seed 1 --json`",
              f"{where}: the command cell is {r[8]!r}")
    check(any(r[4] for r in rows if len(r) == 9 and r[0] == "lamport"), "lamport's rows lost their event count")


def check_refusals(distlab):
    with tempfile.TemporaryDirectory(prefix="growth-table-test-") as d:
        stand_in = os.path.join(d, "distlab")
        with open(stand_in, "w") as f:
            f.write("#!/bin/sh\n"
                    "case \"$1\" in\n"
                    "  ricart) echo 'distlab: --nodes is at most 1|2, got more' >&2; exit 2;;\n"
                    "  snapshot) exec sleep 60;;\n"
                    "esac\n"
                    f"exec '{os.path.abspath(distlab)}' \"$@\"\n")
        os.chmod(stand_in, os.stat(stand_in).st_mode | stat.S_IXUSR)
        p = run_script(stand_in, "--timeout", "1")
        if p is None:
            return
        found = tables(p.stdout, "stand-in run")
        rows = {(r[0], r[1]): r for r in found.get(ALGORITHM_HEADER, []) if len(r) == 9}
        for n in QUICK_NODES:
            r = rows.get(("ricart", str(n)))
            check(r is not None and r[2] == "refused: --nodes is at most 1\\|2, got more",
                  f"refused ricart at {n} nodes: {r}")
            r = rows.get(("snapshot", str(n)))
            check(r is not None and r[2] == "over 1 s", f"snapshot over the timeout at {n} nodes: {r}")
            r = rows.get(("bully", str(n)))
            check(r is not None and (number(r[2]) or 0) > 0, f"bully at {n} nodes beside them: {r}")


def check_only(distlab):
    p = run_script(distlab, "--only", "bully", "--only", "heartbeat")
    if p is None:
        return
    check("--only bully --only heartbeat`" in p.stdout.splitlines()[0],
          f"--only: the lead line does not give the command: {p.stdout.splitlines()[:1]}")
    found = tables(p.stdout, "--only run", expected=(ALGORITHM_HEADER,))
    rows = [(r[0], number(r[1])) for r in found.get(ALGORITHM_HEADER, []) if len(r) > 1]
    expected = [(a, n) for a in ("bully", "heartbeat") for n in QUICK_NODES]
    check(rows == expected, f"--only: algorithm rows {rows}, expected {expected}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--distlab", required=True)
    a = p.parse_args()
    if not os.access("/usr/bin/time", os.X_OK):
        print("growth_table_test: skipped: GNU time (/usr/bin/time) is not installed (apt-get install time)")
        sys.exit(77)
    check_real(a.distlab)
    check_refusals(a.distlab)
    check_only(a.distlab)
    if failures:
        print("growth_table_test: FAILED", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        sys.exit(1)
    print("growth_table_test: ok")


if __name__ == "__main__":
    main()
