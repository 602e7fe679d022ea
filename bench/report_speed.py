#!/usr/bin/env python3
"""Issue 16's budget: `hhbench report` over 100 benchmarks x 200 commits.

Writes a native file of 200 commits of main (one {"run": ...} line a commit, with its first
parent, subject and author, so no git repository is needed) with 100 benchmarks, each a `time_ms`
series of 10 raw samples (so the index has 200 headline series: median and p95) and one given
value; steps, drift and one-off outliers are planted in some. Records it, then times
`hhbench report --out DIR --branch main` end to end several times and prints the median, the
site's size, its page count and its largest page.

Usage: python3 bench/report_speed.py [--hhbench PATH] [--benchmarks N] [--commits N] [--repeat N]
Targets: under 2 s, at most 5 MB.
"""
import argparse, hashlib, json, os, random, shutil, statistics, subprocess, sys, tempfile, time


def history(benchmarks, commits, rng):
    lines = []
    for i in range(commits):
        sha = hashlib.sha1(f"report bench {i}".encode()).hexdigest()
        parent = hashlib.sha1(f"report bench {i - 1}".encode()).hexdigest() if i else None
        run = {"uuid": f"01900000-0000-7000-8000-{i:012d}", "source_format": "native",
               "recorded_at": f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}T10:00:00.000Z", "branch": "main",
               "commit": {"sha": sha, "parents": [parent] if parent else [], "subject": f"Change {i} to the code",
                          "author_name": "Bench Author", "committed_at": f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}T09:00:00.000Z"},
               "machine": {"name": "bench", "hostname": "bench", "os": "Linux", "kernel": "6", "arch": "x86_64", "cpu_model": "cpu",
                           "cpu_cores": 2, "memory_bytes": 1 << 34},
               "content_hash": hashlib.sha256(f"report bench {i}".encode()).hexdigest()}
        lines.append(json.dumps({"run": run}, separators=(",", ":")))
        for b in range(benchmarks):
            base = 0.05 * (1 + b % 13) * (1.2 if b % 5 == 0 and i >= commits // 2 else 1.0) * (1 + (0.002 * i if b % 7 == 0 else 0))
            if b % 11 == 0 and i == commits // 3:
                base *= 1.8
            samples = ",".join(f"{rng.gauss(base, base * 0.03):.6f}" for _ in range(10))
            lines.append('{"benchmark":"bench_%03d","metric":"time_ms","samples":[%s]}' % (b, samples))
            lines.append('{"benchmark":"bench_%03d","metric":"memory_kb","value":%.2f}' % (b, 2048 + rng.random() * 20))
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hhbench", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".build", "release", "hhbench"))
    parser.add_argument("--benchmarks", type=int, default=100)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    hhbench = os.path.abspath(args.hhbench)
    if not os.path.exists(hhbench):
        sys.exit(f"{hhbench} not found: build it first with 'swift build -c release'")
    work = tempfile.mkdtemp(prefix="hhbench-report-")
    try:
        path = os.path.join(work, "history.jsonl")
        with open(path, "w") as out:
            out.write(history(args.benchmarks, args.commits, random.Random(16)))
        db = os.path.join(work, "h.db")
        subprocess.run([hhbench, "record", path, "--db", db], check=True, stdout=subprocess.DEVNULL, cwd=work)
        times = []
        for attempt in range(args.repeat):
            site = os.path.join(work, f"site{attempt}")
            started = time.perf_counter()
            subprocess.run([hhbench, "report", "--db", db, "--out", site, "--branch", "main"], check=True, cwd=work,
                           stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - started)
        files = [os.path.join(root, f) for root, _, names in os.walk(site) for f in names]
        size = sum(os.path.getsize(f) for f in files)
        largest = max(files, key=os.path.getsize)
        median = statistics.median(times)
        print(f"hhbench report, {args.benchmarks} benchmarks x {args.commits} commits: median {median:.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}; target < 2 s: {'met' if median < 2 else 'NOT met'})")
        print(f"site: {size / 1e6:.2f} MB in {len(files)} pages (target <= 5 MB: {'met' if size <= 5e6 else 'NOT met'}); "
              f"largest {os.path.relpath(largest, site)} {os.path.getsize(largest) / 1e3:.0f} KB; "
              f"index.html {os.path.getsize(os.path.join(site, 'index.html')) / 1e3:.0f} KB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
