#!/usr/bin/env python3
"""Instruction counts against wall time (issue 34), on real programs under `hhbench run --measure`.

Two programs written apart: a C loop (`cc -O1`), and a Python script that builds and walks a
dict and a set of strings, so its counts depend on the hash seed (run with PYTHONHASHSEED=0, and
once more with random seeds to show why).

Reported, in one session:
- **Repeatability:** 5 `hhbench run` calls of each program; the spread of their instruction
  counts (largest / smallest - 1; target for C: at most 0.1 %) beside the spread of their median
  wall times.
- **A 2 % longer loop, one run against one:** in a git repository, a base run and a head run
  whose loop does 2 % more iterations, then `compare --against HEAD~1`; how often instructions
  and how often time_ms are called a regression (target: instructions every time). The same
  for A/A heads (nothing changed: target, never), and A/A heads measured beside a CPU hog (the
  time may move; the counts must not, and time's verdict must carry the environment label).
- **Callgrind's slowdown:** each program's counted run against its plain run's median, as
  `hhbench run` records it (`counter_slowdown`).

    python3 bench/counts_quality.py [--binary .build/release/hhbench] [--trials 5]
"""
import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import tempfile
import time

C_SOURCE = r"""
#include <stdlib.h>
int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 3000000;
    volatile unsigned long s = 0;
    for (long i = 0; i < n; i++) s = s * 31 + i;
    return 0;
}
"""

PYTHON_SOURCE = r"""
import sys
n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
table = {}
for i in range(n):
    table["key-%d" % i] = i
seen = set()
for key in table:
    seen.add(key[::-1])
total = sum(len(k) for k in seen)
"""


def run(binary, folder, command, name, env=None, runs=5, extra=()):
    full_env = dict(os.environ)
    full_env.update(env or {})
    started = time.monotonic()
    result = subprocess.run([binary, "run", "--db", os.path.join(folder, "h.db"), "--runs", str(runs), "--warmup", "1",
                             "--style", "none", "--measure", "instructions", "--counter-backend", "auto", "-n", name, *extra, command],
                            cwd=folder, env=full_env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"hhbench run failed: {result.stderr}")
    return time.monotonic() - started


def query(folder, sql):
    import sqlite3
    connection = sqlite3.connect(os.path.join(folder, "h.db"))
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def spread(values):
    return max(values) / min(values) - 1


def hog(stop):
    while not stop.is_set():
        x = 0
        for i in range(200000):
            x += i * i


def repeatability(binary, folder, label, command, env):
    for index in range(5):
        run(binary, folder, command, label, env=env, runs=5)
    counts = [row[0] for row in query(folder, f"SELECT value FROM hh_samples WHERE series = 'instructions' AND benchmark = '{label}' ORDER BY run_id")]
    times = [row[0] for row in query(folder, f"SELECT value FROM hh_measurements WHERE metric = 'median_time_ms' AND benchmark = '{label}' ORDER BY run_id")]
    slowdowns = [row[0] for row in query(folder, f"SELECT value FROM hh_measurements WHERE metric = 'counter_slowdown' AND benchmark = '{label}'")]
    return counts, times, statistics.median(slowdowns)


def git(folder, *arguments):
    subprocess.run(["git", *arguments], cwd=folder, check=True, capture_output=True)


def verdicts(binary, folder):
    result = subprocess.run([binary, "compare", "--db", os.path.join(folder, "h.db"), "--against", "HEAD~1", "--format", "json",
                             "--metric", "time_ms", "--metric", "instructions"], cwd=folder, capture_output=True, text=True)
    report = json.loads(result.stdout)
    rows = {row["metric"]: row for row in report["comparisons"]}
    return rows["instructions"]["verdict"], rows["time_ms"]["verdict"], any("environment" in label for label in rows["time_ms"].get("labels", []))


def one_against_one(binary, work, trial, factor, hogged):
    folder = tempfile.mkdtemp(prefix=f"counts-{trial}-", dir=work)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.email", "bench@example.com")
    git(folder, "config", "user.name", "bench")
    with open(os.path.join(folder, "loop.c"), "w") as handle:
        handle.write(C_SOURCE)
    with open(os.path.join(folder, ".gitignore"), "w") as handle:
        handle.write("loop\nh.db\n")
    subprocess.run(["cc", "-O1", "-o", "loop", "loop.c"], cwd=folder, check=True)
    git(folder, "add", ".")
    git(folder, "commit", "-qm", "base")
    base = 3_000_000
    run(binary, folder, f"./loop {base}", "loop", runs=10)
    git(folder, "commit", "-q", "--allow-empty", "-m", "head")
    stop = multiprocessing.Event()
    hogs = [multiprocessing.Process(target=hog, args=(stop,)) for _ in range(2)] if hogged else []
    for process in hogs:
        process.start()
    try:
        run(binary, folder, f"./loop {int(base * factor)}", "loop", runs=10)
    finally:
        stop.set()
        for process in hogs:
            process.join()
    return verdicts(binary, folder)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "hhbench"))
    parser.add_argument("--trials", type=int, default=5)
    arguments = parser.parse_args()
    binary = os.path.abspath(arguments.binary)
    with tempfile.TemporaryDirectory(prefix="hhbench-counts-") as work:
        folder = os.path.join(work, "programs")
        os.makedirs(folder)
        with open(os.path.join(folder, "loop.c"), "w") as handle:
            handle.write(C_SOURCE)
        with open(os.path.join(folder, "walk.py"), "w") as handle:
            handle.write(PYTHON_SOURCE)
        subprocess.run(["cc", "-O1", "-o", "loop", "loop.c"], cwd=folder, check=True)
        programs = [("c_loop", "./loop", {}), ("python_walk", "python3 walk.py", {"PYTHONHASHSEED": "0"}),
                    ("python_walk_random_seed", "python3 walk.py", {"PYTHONHASHSEED": "random"})]
        print("Repeatability: 5 hhbench run calls each (5 timed runs, 1 counted run under the chosen back end)")
        print(f"  {'program':<26}{'instructions (median)':>22}{'count spread':>14}{'time spread':>13}{'slowdown':>10}")
        for label, command, env in programs:
            counts, times, slowdown = repeatability(binary, folder, label, command, env)
            print(f"  {label:<26}{statistics.median(counts):>22,.0f}{spread(counts) * 100:>13.4f}%{spread(times) * 100:>12.2f}%{slowdown:>9.1f}x")
        context = query(folder, "SELECT context FROM hh_runs ORDER BY run_id DESC LIMIT 1")[0][0]
        print(f"  back end: {json.loads(context).get('counter_backend')}")
        if "counter_refusal" in json.loads(context):
            print(f"  (perf_event_open: {json.loads(context)['counter_refusal']})")

        print(f"\nOne run against one ({arguments.trials} trials each; 10 timed runs a side, 1 counted)")
        for label, factor, hogged in [("+2 % loop", 1.02, False), ("A/A", 1.0, False), ("A/A, CPU hog beside the head", 1.0, True)]:
            results = [one_against_one(binary, work, trial, factor, hogged) for trial in range(arguments.trials)]
            counted = sum(1 for instructions, _, _ in results if instructions == "regression")
            timed = sum(1 for _, time_verdict, _ in results if time_verdict == "regression")
            labelled = sum(1 for _, time_verdict, env in results if time_verdict in ("regression", "improvement") and env)
            moved = sum(1 for _, time_verdict, _ in results if time_verdict in ("regression", "improvement"))
            print(f"  {label:<30} instructions regression {counted}/{len(results)}   time_ms regression {timed}/{len(results)}"
                  f"   time changes labelled environment {labelled}/{moved}")


if __name__ == "__main__":
    main()
