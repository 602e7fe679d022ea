#!/usr/bin/env python3
"""`hhbench ab` end to end on this machine (issue 30): a toy repository with a Python and a C
benchmark, built by the C compiler, a head that is +10 % slower in both (or, for A/A, changes only
its README), and a CPU hog beside the run that switches on and off at random (0.5 to 3 s each).

Each trial is `hhbench ab --until-decided --max-rounds N` (30) in a fresh repository. Reported: how
many slower heads were flagged (target: 9 of 10 or more), how many docs-only heads were (target:
at most 1 of 10), and the median rounds and seconds of a call.

    python3 bench/ab_end_to_end.py [--binary .build/release/hhbench] [--trials 10] [--max-rounds 30] [--no-hog]
"""
import argparse
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import tempfile
import time

PYTHON_BENCH = """import json, time
N = {n}
def work():
    s = 0
    for i in range(N):
        s += i * i
    return s
samples = []
for _ in range(15):
    t = time.perf_counter(); work(); samples.append((time.perf_counter() - t) * 1000)
print(json.dumps({{"benchmark": "py_loop", "metric": "time_ms", "samples": samples}}))
"""

C_BENCH = """#include <stdio.h>
#include <time.h>
static volatile unsigned long sink;
int main(void) {{
    printf("{{\\"benchmark\\":\\"c_loop\\",\\"metric\\":\\"time_ms\\",\\"samples\\":[");
    for (int i = 0; i < 15; i++) {{
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        unsigned long s = 0;
        for (unsigned long j = 0; j < {n}UL; j++) s = s * 31 + j;
        sink = s;
        clock_gettime(CLOCK_MONOTONIC, &b);
        printf("%s%.6f", i ? "," : "", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
    }}
    printf("]}}\\n");
    return 0;
}}
"""


def hog(stop):
    """Busy for 0.5–3 s, idle for 0.5–3 s, until stopped: a neighbour that comes and goes."""
    rng = random.Random(os.getpid())
    while not stop.is_set():
        until = time.time() + rng.uniform(0.5, 3)
        while time.time() < until and not stop.is_set():
            sum(i * i for i in range(10_000))
        stop.wait(rng.uniform(0.5, 3))


def git(folder, *arguments):
    subprocess.run(["git", "-C", folder] + list(arguments), check=True, capture_output=True)


def trial(binary, work, index, slower, max_rounds):
    folder = os.path.join(work, "%s-%d" % ("slower" if slower else "aa", index))
    os.makedirs(folder)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.email", "bench@example.com")
    git(folder, "config", "user.name", "bench")

    def write(py_n, c_n, readme):
        open(os.path.join(folder, "bench.py"), "w").write(PYTHON_BENCH.format(n=py_n))
        open(os.path.join(folder, "bench.c"), "w").write(C_BENCH.format(n=c_n))
        open(os.path.join(folder, "README.md"), "w").write(readme)
        git(folder, "add", "-A")
        git(folder, "commit", "-q", "-m", "change")

    write(200_000, 4_000_000, "toy\n")
    if slower:
        write(220_000, 4_400_000, "toy\n")
    else:
        write(200_000, 4_000_000, "toy, documented\n")
    start = time.time()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HHBENCH_")}
    result = subprocess.run([binary, "ab", "--db", os.path.join(folder, "h.db"), "--base", "HEAD~1", "--build", "cc -O2 -o cbench bench.c",
                             "--bench", "python3 bench.py && ./cbench", "--until-decided", "--max-rounds", str(max_rounds),
                             "--seed", str(index), "--format", "json"], cwd=folder, capture_output=True, text=True, env=env)
    if result.returncode not in (0, 1, 3):
        raise SystemExit("ab failed (%d): %s" % (result.returncode, result.stderr))
    report = json.loads(result.stdout)
    return {"exit": result.returncode, "rounds": report["paired"]["rounds"], "seconds": time.time() - start,
            "verdicts": {row["benchmark"]: row["verdict"] for row in report["comparisons"] if row["metric"] == "time_ms"}}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "hhbench"))
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--no-hog", action="store_true")
    parser.add_argument("--max-rounds", type=int, default=30)
    arguments = parser.parse_args()
    binary = os.path.abspath(arguments.binary)
    work = tempfile.mkdtemp(prefix="ab-e2e-")
    stop = multiprocessing.Event()
    neighbour = None if arguments.no_hog else multiprocessing.Process(target=hog, args=(stop,), daemon=True)
    if neighbour:
        neighbour.start()
    try:
        for slower in (True, False):
            results = [trial(binary, work, index, slower, arguments.max_rounds) for index in range(arguments.trials)]
            flagged = sum(r["exit"] == 1 for r in results)
            print("%s: flagged %d of %d (exit 1); median %d rounds, %.0f s a call; verdicts %s"
                  % ("+10 % head" if slower else "docs-only head", flagged, len(results), statistics.median(r["rounds"] for r in results),
                     statistics.median(r["seconds"] for r in results), [sorted(r["verdicts"].items()) for r in results]), flush=True)
    finally:
        stop.set()
        if neighbour:
            neighbour.join(5)


if __name__ == "__main__":
    main()
