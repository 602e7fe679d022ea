#!/usr/bin/env python3
"""Issue 3's speed benchmark: `hhbench compare --since main` on a large warehouse.

Builds a git repository whose main branch is a first-parent line of 2,000 commits (git
fast-import), and a warehouse of 2,000 runs on it (one per commit) x 50 benchmarks x 10 metrics
(`time_ms` with 100 raw samples, its 8 derived metrics, and one given value), plus a candidate
commit on a branch with one run. Then times `hhbench compare --since main` end to end (process
start to exit) several times and reports the median and the database size.

Usage: python3 bench/compare_speed.py [--hhbench PATH] [--commits N] [--repeat N] [--keep DIR]
Target: under 300 ms.
"""
import argparse, os, random, shutil, statistics, subprocess, sys, tempfile, time

from history_repo import make_repo


def run_file(rng, sha, parent, branch, benchmarks, shift=1.0):
    lines = ['{"context":{"commit":{"sha":"%s","parents":[%s],"subject":"c"},"branch":"%s"}}'
             % (sha, f'"{parent}"' if parent else "", branch)]
    for b in range(benchmarks):
        base = (1 + b % 7) * (1.3 if shift != 1.0 and b == 0 else 1.0)
        samples = ",".join(f"{rng.gauss(base, base * 0.02):.6f}" for _ in range(100))
        lines.append('{"benchmark":"bench_%d","metric":"time_ms","samples":[%s]}' % (b, samples))
        lines.append('{"benchmark":"bench_%d","metric":"memory_mb","value":%.3f}' % (b, 50 + rng.random()))
    return "\n".join(lines) + "\n"


def build_history(hhbench, repo, inputs, db, commits, benchmarks):
    """A first-parent line of `commits` commits with one run each on main, and a feature commit with
    one run whose first benchmark is 30 % slower, recorded into the SQLite file `db`; returns the
    recorded files."""
    shas = make_repo(repo, commits)
    rng = random.Random(11)
    files = []
    for i, sha in enumerate(shas):
        path = os.path.join(inputs, f"{i:05d}.jsonl")
        with open(path, "w") as f:
            f.write(run_file(rng, sha, shas[i - 1] if i else None, "main", benchmarks))
        files.append(path)
    subprocess.run(["git", "-C", repo, "checkout", "-q", "-b", "feature"], check=True)
    with open(os.path.join(repo, "feature.txt"), "w") as f:
        f.write("feature\n")
    subprocess.run(["git", "-C", repo, "add", "feature.txt"], check=True)
    subprocess.run(["git", "-C", repo, "-c", "user.name=B", "-c", "user.email=b@example.com", "commit", "-q", "-m", "feature"], check=True)
    head = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    path = os.path.join(inputs, "candidate.jsonl")
    with open(path, "w") as f:
        f.write(run_file(rng, head, shas[-1], "feature", benchmarks, shift=1.3))
    files.append(path)
    # Recorded from outside the repository: the context lines carry commits and parents.
    env = dict(os.environ, HHBENCH_MACHINE="bench")
    for chunk in range(0, len(files), 500):
        subprocess.run([hhbench, "record", "--db", db, *files[chunk:chunk + 500]], cwd=inputs, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    return files


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hhbench", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".build", "release", "hhbench"))
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--benchmarks", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", help="build the warehouse in this folder and keep it")
    args = parser.parse_args()
    hhbench = os.path.abspath(args.hhbench)
    if not os.path.exists(hhbench):
        sys.exit(f"{hhbench} not found: build it first with 'swift build -c release'")

    folder = args.keep or tempfile.mkdtemp(prefix="hhbench-compare-speed-")
    repo = os.path.join(folder, "repo")
    inputs = os.path.join(folder, "inputs")
    os.makedirs(inputs, exist_ok=True)
    db = os.path.join(folder, "history.db")
    env = dict(os.environ, HHBENCH_MACHINE="bench", HHBENCH_DB=db)
    if not os.path.exists(db):
        start = time.perf_counter()
        files = build_history(hhbench, repo, inputs, db, args.commits, args.benchmarks)
        print(f"built {len(files)} runs in {time.perf_counter() - start:.1f} s")

    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = subprocess.run([hhbench, "compare", "--since", "main"], cwd=repo, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if result.returncode not in (0, 1):
            sys.exit(f"compare failed ({result.returncode}): {result.stderr}")
    print(result.stdout.splitlines()[0])
    print(result.stdout.splitlines()[-1])
    size = os.path.getsize(db)
    print(f"runs: {args.commits + 1}, benchmarks: {args.benchmarks}, metrics per benchmark: 10, raw samples per run: {args.benchmarks * 100}")
    print(f"database: {size / 1e6:.1f} MB")
    print(f"hhbench compare --since main: median {statistics.median(times) * 1000:.0f} ms over {args.repeat} runs "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}); target < 300 ms")
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
