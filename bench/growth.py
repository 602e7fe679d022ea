#!/usr/bin/env python3
"""Issue 17's growth benchmark: how each command's time and peak memory grow with the history,
from 1,000 to 100,000 runs, on one machine in one run.

The history is synthetic and written fast: one native JSON-lines file whose run lines carry each
commit and its parent (the first-parent line of main), one run per commit, 5 benchmarks a run with
10 raw samples each (full-precision values; a 15 % step at 60 % of the history in one benchmark).
For each size it times, on a fresh database:
  record (the whole file, one call), compare --since main (the newest commit against main),
  trend time_ms (default window) and trend --last 0 (all commits), query regressions,
  export --format jsonl, merge (into an empty database), prune --keep-commits 1000,
and reports each command's seconds and peak resident memory, the database size, the growth factor
per tenfold history, and the exponent: the slope of log time against log runs from the smallest
size to the largest, with the bare process start (`hhbench --version`, timed in the same run) taken
off first (1 is linear). The commits are not in any git repository: hhbench reads the ancestry
it stored, as it does for a database copied out of CI.

Usage: python3 bench/growth.py [--hhbench PATH] [--sizes 1000,10000,100000] [--repeat 3]
Target: compare under 150 ms at 100,000 runs; every command's time growing no faster than the data it reads.
"""
import argparse, math, os, random, shutil, statistics, subprocess, sys, tempfile, time

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def sha(i):
    return "%040x" % (0x5eed0000 + i)


def write_history(path, runs, seed=1):
    rng = random.Random(seed)
    with open(path, "w") as out:
        for i in range(runs):
            parents = '["%s"]' % sha(i - 1) if i else "[]"
            out.write('{"run":{"recorded_at":"2026-01-01T00:00:00.000Z","branch":"main","commit":{"sha":"%s","parents":%s,'
                      '"subject":"commit %d"},"machine":{"name":"ci","os":"Linux","cpu_cores":2}}}\n' % (sha(i), parents, i))
            for b in range(5):
                level = (1 + b) * (1.15 if b == 0 and i > runs * 0.6 else 1.0)
                samples = ",".join(repr(level * rng.lognormvariate(0, 0.02)) for _ in range(10))
                out.write('{"benchmark":"suite/bench_%d","metric":"time_ms","samples":[%s]}\n' % (b, samples))


def measure(command, cwd, env):
    """Seconds and peak resident MB of one run of `command` (GNU time reports the peak)."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr[-800:]}")
    peak_kb = int(result.stderr.strip().splitlines()[-1])
    return seconds, peak_kb / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hhbench", default=os.path.join(root, ".build", "release", "hhbench"))
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    hhbench = os.path.abspath(args.hhbench)
    if not os.path.exists(hhbench):
        sys.exit(f"{hhbench} not found: build it first with 'swift build -c release'")
    if not os.path.exists("/usr/bin/time"):
        sys.exit("GNU time is missing: apt-get install -y time")
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = tempfile.mkdtemp(prefix="hhbench-growth-")
    env = dict(os.environ, HHBENCH_MACHINE="ci")
    env.pop("HHBENCH_DB", None)
    results = {}
    # The bare process start, taken off every time before the exponent: it is not reading data.
    start_cost = statistics.median(measure([hhbench, "--version"], folder, env)[0] for _ in range(9))
    try:
        for runs in sizes:
            work = os.path.join(folder, str(runs))
            os.mkdir(work)
            history = os.path.join(work, "history.jsonl")
            write_history(history, runs)
            db = os.path.join(work, "history.db")
            row = {"record": measure([hhbench, "record", "--db", db, history], work, env)}
            newest = sha(runs - 1)
            repeated = {
                "compare --since main": [hhbench, "compare", "--db", db, "--commit", newest, "--since", "main"],
                "trend (default window)": [hhbench, "trend", "time_ms", "--db", db, "--branch", "main", "--format", "json"],
                "trend --last 0": [hhbench, "trend", "time_ms", "--db", db, "--branch", "main", "--last", "0", "--format", "json"],
                "query regressions": [hhbench, "query", "regressions", "--db", db, "--format", "json"],
                "export": [hhbench, "export", "--db", db, "--format", "jsonl"],
            }
            for name, command in repeated.items():
                trials = [measure(command, work, env) for _ in range(args.repeat if runs < 100_000 or "export" not in name else 1)]
                row[name] = (statistics.median(t[0] for t in trials), max(t[1] for t in trials))
            merged = os.path.join(work, "merged.db")
            row["merge"] = measure([hhbench, "merge", "--db", merged, db], work, env)
            size_before = os.path.getsize(db)
            row["prune --keep-commits 1000"] = measure([hhbench, "prune", "--db", merged, "--keep-commits", "1000"], work, env)
            row["database MB"] = size_before / 1e6
            results[runs] = row
            shutil.rmtree(work, ignore_errors=True)
        names = list(results[sizes[0]].keys())
        print("| command | " + " | ".join(f"{n:,} runs" for n in sizes) + " | growth per 10x | exponent |")
        print("|---|" + "---|" * (len(sizes) + 2))
        for name in names:
            if name == "database MB":
                cells = [f"{results[n][name]:.1f} MB" for n in sizes]
                values = [results[n][name] for n in sizes]
            else:
                cells = [f"{results[n][name][0]:.3f} s, {results[n][name][1]:.0f} MB" for n in sizes]
                values = [results[n][name][0] for n in sizes]
            growth = []
            for a, b, na, nb in zip(values, values[1:], sizes, sizes[1:]):
                growth.append(f"{b / a:.1f}x per {nb // na}x" if a > 0 else "-")
            # The slope of log time against log runs over the whole range: 1 is linear. A single
            # tenfold step scatters by up to 40 % between runs of this benchmark on a shared VM.
            work = values if name == "database MB" else [max(v - start_cost, 1e-3) for v in values]
            exponent = math.log(work[-1] / work[0]) / math.log(sizes[-1] / sizes[0]) if len(sizes) > 1 else float("nan")
            print(f"| {name} | " + " | ".join(cells) + " | " + ", ".join(growth) + f" | {exponent:.2f} |")
        largest = sizes[-1]
        print(f"\nbare process start (hhbench --version): {start_cost * 1000:.0f} ms")
        print(f"compare --since main at {largest:,} runs: {results[largest]['compare --since main'][0] * 1000:.0f} ms (target < 150 ms)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
