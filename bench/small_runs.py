#!/usr/bin/env python3
"""Issue 17's small-run benchmark, in one run on one machine:

1. One process per one-value run, as CI records a legacy number: `hhbench record --commit SHA
   --branch main one.jsonl` inside a git repository of 2,000 commits, 2,000 times (a new value each
   time), interleaved with as many `hhbench --version` (the bare process start). Reports medians
   and their ratio (target: at most 2x).
2. A batch: 100,000 one-value files (each a run with its own commit) recorded by one
   `hhbench record FOLDER` call: runs per second (target: at least 5,000).

Usage: python3 bench/small_runs.py [--hhbench PATH] [--processes N] [--batch N (0: skip)]
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

from history_repo import make_repo

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def timed(command, cwd):
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hhbench", default=os.path.join(root, ".build", "release", "hhbench"))
    parser.add_argument("--processes", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100_000)
    args = parser.parse_args()
    hhbench = os.path.abspath(args.hhbench)
    if not os.path.exists(hhbench):
        sys.exit(f"{hhbench} not found: build it first with 'swift build -c release'")
    folder = tempfile.mkdtemp(prefix="hhbench-small-runs-")
    try:
        repo = os.path.join(folder, "repo")
        shas = make_repo(repo, 2000)
        db = os.path.join(folder, "small.db")
        one = os.path.join(folder, "one.jsonl")
        records, starts = [], []
        for i in range(args.processes):
            with open(one, "w") as out:
                out.write('{"benchmark":"legacy/overhead","metric":"overhead_ratio","value":%d.25}\n' % (i + 1))
            records.append(timed([hhbench, "record", "--db", db, "--commit", shas[-1], "--branch", "main", one], repo))
            starts.append(timed([hhbench, "--version"], repo))
        record_ms, start_ms = statistics.median(records) * 1000, statistics.median(starts) * 1000
        print(f"one-value record, one process each ({args.processes}): median {record_ms:.1f} ms; "
              f"hhbench --version: median {start_ms:.1f} ms; ratio {record_ms / start_ms:.2f}x (target <= 2x)")

        if args.batch == 0:
            return
        legacy = os.path.join(folder, "legacy")
        os.mkdir(legacy)
        for i in range(args.batch):
            with open(os.path.join(legacy, f"{i:06d}.jsonl"), "w") as out:
                out.write('{"run":{"commit":{"sha":"%040x"},"branch":"main","recorded_at":"2025-01-01T00:00:00.000Z"}}\n'
                          '{"benchmark":"legacy/%d","metric":"overhead_ratio","value":%d.5}\n' % (i + 1, i % 50, i))
        batch_db = os.path.join(folder, "batch.db")
        seconds = timed([hhbench, "record", "--db", batch_db, legacy], folder)
        print(f"batch: {args.batch:,} one-value runs in one call: {seconds:.2f} s, {args.batch / seconds:,.0f} runs/s (target >= 5,000)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
