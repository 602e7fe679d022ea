#!/usr/bin/env python3
"""Issue 4's speed benchmark, in one run on one machine:

1. Change points on a 10,000-point series (steps and noise): Apache Otava 0.8's
   compute_change_points with its defaults, timed in-process, against hhbench's port timed
   in-process (the ChangePointBench executable); also checks that they find the same points.
2. `hhbench trend p95_time_ms` end to end (process start to exit) over 500 series x 200 commits
   read from the database, in JSON, CSV and text.
3. The default detector (levels) on the same series, against Otava's time.
4. Theil-Sen at 20,000 points against scipy.stats.theilslopes (time, memory, the same numbers).
5. `hhbench trend --last 0` over a 20,000-commit history, both methods: time and peak memory.

Usage: python3 bench/trend_speed.py [--old OLD_BINARY] [--only trend]
       (after `swift build -c release`; `pip install apache-otava==0.8.0`)
Targets: hhbench's change points in at most a tenth of Otava's time; trend under 0.5 s in every
format (issue 17; with --old, against an older binary in the same run); trend over
20,000 commits under 3 s and 500 MB.
"""
import argparse, json, os, random, shutil, statistics, subprocess, sys, tempfile, time

from history_repo import make_repo

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
release = os.path.join(root, ".build", "release")


def series_10k():
    rng = random.Random(10)
    values, level = [], 100.0
    for block in range(40):
        level *= rng.choice([1.0, 1.0, 1.0, 1.08, 0.93, 1.2])
        values += [rng.gauss(level, level * 0.02) for _ in range(250)]
    return values


def change_points(folder):
    try:
        from otava.analysis import compute_change_points
    except ImportError:
        sys.exit("Otava is missing: pip install apache-otava==0.8.0")
    values = series_10k()
    path = os.path.join(folder, "series.json")
    json.dump(values, open(path, "w"))
    otava_times = []
    for _ in range(3):
        start = time.perf_counter()
        points, _ = compute_change_points(list(values))
        otava_times.append(time.perf_counter() - start)
    result = json.loads(subprocess.run([os.path.join(release, "ChangePointBench"), path, "5"], capture_output=True, text=True, check=True).stdout)
    otava_indices = [int(p.index) for p in points]
    ours = result["indices"]
    agree = len(ours) == len(otava_indices) and all(abs(a - b) <= 1 for a, b in zip(ours, otava_indices))
    otava_median, ours_median = statistics.median(otava_times), statistics.median(result["seconds"])
    print(f"change points, 10,000 points: Otava {otava_median * 1000:.1f} ms, hhbench {ours_median * 1000:.2f} ms "
          f"= {ours_median / otava_median:.4f} of Otava's time (target <= 0.1); "
          f"{len(ours)} change points, {'the same as Otava' if agree else 'DIFFERENT from Otava: %s vs %s' % (ours, otava_indices)}")


def peak_of(command, **kwargs):
    """Runs `command` under GNU time; returns (stdout, seconds, peak resident MB). A child's own
    getrusage would count the pages it shared with this (large) process at fork."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True, check=True, **kwargs)
    seconds = time.perf_counter() - start
    return result.stdout, seconds, int(result.stderr.strip().splitlines()[-1]) / 1024


def levels_10k(folder):
    """The default detector on the same 10,000-point series (one run of one value a commit)."""
    from otava.analysis import compute_change_points
    values = series_10k()
    path = os.path.join(folder, "levels.json")
    json.dump([[[[v]] for v in values]] * 3, open(path, "w"))
    start = time.perf_counter()
    compute_change_points(list(values))
    otava_seconds = time.perf_counter() - start
    out = subprocess.run([os.path.join(release, "ChangePointBench"), "--levels", path], capture_output=True, text=True, check=True).stdout
    ours = statistics.median(json.loads(line)["seconds"] for line in out.splitlines())
    print(f"default detector (levels), 10,000 points: {ours * 1000:.1f} ms = {ours / otava_seconds:.4f} of Otava's time "
          f"(target <= 0.1)")


def theil_sen(folder, n=20000):
    """Theil-Sen at 20,000 points: hhbench in-process against scipy.stats.theilslopes, same run."""
    import resource
    from scipy.stats import theilslopes
    rng = random.Random(3)
    y = [100 + 0.001 * i + rng.gauss(0, 1) for i in range(n)]
    path = os.path.join(folder, "theil_sen.json")
    json.dump(y, open(path, "w"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    reference = theilslopes(y, range(n))
    scipy_seconds = time.perf_counter() - start
    scipy_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    out, _, ours_peak = peak_of([os.path.join(release, "ChangePointBench"), "--theil-sen", path])
    ours = json.loads(out)
    worst = max(abs(ours[k] / r - 1) for k, r in (("slope", reference[0]), ("lower", reference[2]), ("upper", reference[3])))
    print(f"Theil-Sen, {n:,} points: scipy {scipy_seconds:.2f} s (+{scipy_peak / 1024:.0f} MB), hhbench {ours['seconds']:.2f} s "
          f"({ours_peak:.0f} MB peak) = {ours['seconds'] / scipy_seconds:.3f} of scipy's time; "
          f"largest relative difference {worst:.1e}")


def write_runs(folder, shas, lines_for):
    """One native file a commit (one run each), its context naming the commit and its parent."""
    os.makedirs(folder, exist_ok=True)
    files = []
    for i, sha in enumerate(shas):
        lines = ['{"context":{"commit":{"sha":"%s","parents":[%s]},"branch":"main"}}' % (sha, f'"{shas[i - 1]}"' if i else "")]
        path = os.path.join(folder, f"{i:05d}.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines + lines_for(i)) + "\n")
        files.append(path)
    return files


def trend(folder, series=500, commits=200, old=None):
    """`hhbench trend` over 500 series x 200 commits, in each output format; with `old`, an older
    binary on the same database in the same run, alternating, for before-and-after ratios."""
    hhbench = os.path.join(release, "hhbench")
    repo = os.path.join(folder, "repo")
    shas = make_repo(repo, commits)
    rng = random.Random(4)
    inputs = os.path.join(folder, "inputs")
    files = write_runs(inputs, shas, lambda i: ['{"benchmark":"bench_%03d","metric":"p95_time_ms","value":%.4f}'
                                                % (b, rng.gauss(10 + b % 13 + (3 if b % 10 == 0 and i > 120 else 0), 0.2))
                                                for b in range(series)])
    db = os.path.join(folder, "history.db")
    env = dict(os.environ, HHBENCH_MACHINE="bench", HHBENCH_DB=db)
    subprocess.run([hhbench, "record", *files], cwd=inputs, env=env, check=True, stdout=subprocess.DEVNULL)
    binaries = [("hhbench", hhbench)] + ([("old", os.path.abspath(old))] if old else [])
    for style in ["json", "csv", "text"]:
        times = {name: [] for name, _ in binaries}
        outputs = {}
        for _ in range(7):
            for name, binary in binaries:
                start = time.perf_counter()
                outputs[name] = subprocess.run([binary, "trend", "p95_time_ms", "--branch", "main", "--last", str(commits),
                                                "--format", style], cwd=repo, env=env, capture_output=True, check=True).stdout
                times[name].append(time.perf_counter() - start)
        ours = statistics.median(times["hhbench"])
        line = f"hhbench trend --format {style}, {series} series x {commits} commits: median {ours * 1000:.0f} ms over 7 runs (target < 500 ms)"
        if old:
            theirs = statistics.median(times["old"])
            line += (f"; the old binary {theirs * 1000:.0f} ms, ratio {ours / theirs:.2f}; output "
                     + ("identical" if outputs["old"] == outputs["hhbench"] else "DIFFERENT"))
        if style == "json":
            report = json.loads(outputs["hhbench"])
            found = sum(1 for s in report["series"] if s["change_points"])
            line += f"; {found} series with change points (50 have a step)"
        print(line)


def long_history(folder, commits=20000, series=3):
    """`hhbench trend --last 0` over a 20,000-commit history: time and peak memory."""
    hhbench = os.path.join(release, "hhbench")
    repo = os.path.join(folder, "long")
    shas = make_repo(repo, commits)
    rng = random.Random(5)
    db = os.path.join(folder, "long.db")
    env = dict(os.environ, HHBENCH_MACHINE="bench", HHBENCH_DB=db)

    def lines_for(i):
        samples = lambda b: ",".join("%.5f" % rng.gauss(10 + b + (2 if i > commits // 2 else 0), 0.3) for _ in range(5))
        return ['{"benchmark":"bench_%d","metric":"time_ms","samples":[%s]}' % (b, samples(b)) for b in range(series)]
    files = write_runs(os.path.join(folder, "long-inputs"), shas, lines_for)
    for k in range(0, len(files), 2000):
        subprocess.run([hhbench, "record", *files[k:k + 2000]], cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL)
    for method in ["levels", "otava"]:
        out, seconds, peak = peak_of([hhbench, "trend", "time_ms", "--branch", "main", "--last", "0", "--method", method,
                                      "--format", "json"], cwd=repo, env=env)
        report = json.loads(out)
        points = len(report["series"][0]["points"])
        print(f"hhbench trend --last 0 --method {method}, {len(report['series'])} series x {points} commits: {seconds:.2f} s, "
              f"peak {peak:.0f} MB (target < 3 s and < 500 MB for the default); "
              f"change points {[len(s['change_points']) for s in report['series']]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", help="an older hhbench binary: trend is timed against it in the same run")
    parser.add_argument("--only", choices=["trend"], help="run only the end-to-end trend timing")
    args = parser.parse_args()
    for tool in ["hhbench", "ChangePointBench"]:
        if not os.path.exists(os.path.join(release, tool)):
            sys.exit(f"{tool} not built: swift build -c release")
    folder = tempfile.mkdtemp(prefix="hhbench-trend-speed-")
    try:
        if args.only == "trend":
            trend(folder, old=args.old)
            return
        change_points(folder)
        levels_10k(folder)
        theil_sen(folder)
        trend(folder, old=args.old)
        long_history(folder)
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
