#!/usr/bin/env python3
"""Issue 28's export benchmark: `export --format csv --samples` against `export --format jsonl` of the
same runs, in one run, on a database of 10 M raw samples (100 runs x 100 series x 1,000 samples,
full-precision doubles and 3-decimal values alike), and the same two exports by an older binary
(--old) on the same database, for before and after.

Usage: python3 bench/export_speed.py [--hhbench PATH] [--old PATH] [--runs N]
  (an older binary: git worktree add /tmp/old 08bf4ab && swift build -c release --product hhbench --package-path /tmp/old)
Target: the CSV sample export takes at most twice the jsonl export's time (half its speed or better).
"""
import argparse, os, random, subprocess, sys, tempfile, time

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def timed(command):
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        subprocess.run(command, check=True, stdout=sink)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hhbench", default=os.path.join(root, ".build", "release", "hhbench"))
    parser.add_argument("--old")
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(28)
    with tempfile.TemporaryDirectory() as folder:
        db = os.path.join(folder, "perf.db")
        files = []
        for run in range(args.runs):
            path = os.path.join(folder, f"run{run}.jsonl")
            with open(path, "w") as out:
                for series in range(100):
                    if series % 2:
                        samples = ",".join(repr(rng.lognormvariate(1, 0.1)) for _ in range(1000))
                    else:
                        samples = ",".join(f"{rng.uniform(1, 2):.3f}" for _ in range(1000))
                    out.write(f'{{"benchmark":"b{series}","metric":"time_ms","samples":[{samples}]}}\n')
            files.append(path)
        for start in range(0, len(files), 20):
            subprocess.run([args.hhbench, "record", "--db", db, "--allow-duplicate", "--commit", "0" * 40, "--branch", "main"]
                           + files[start:start + 20], check=True, stdout=subprocess.DEVNULL)
        samples = args.runs * 100 * 1000
        print(f"database: {samples:,} samples in {args.runs} runs; machine load {os.getloadavg()[0]:.2f}")
        print("| binary | jsonl export | csv --samples export | csv / jsonl |")
        print("|---|---:|---:|---:|")
        ratio = None
        for label, binary in [("after", args.hhbench)] + ([("before (" + args.old + ")", args.old)] if args.old else []):
            jsonl = timed([binary, "export", "--db", db, "--format", "jsonl"])
            csv = timed([binary, "export", "--db", db, "--format", "csv", "--samples"])
            print(f"| {label} | {jsonl:.1f} s | {csv:.1f} s | {csv / jsonl:.2f} |", flush=True)
            ratio = ratio or csv / jsonl
        if ratio > 2:
            sys.exit(f"target missed: csv --samples takes {ratio:.2f}x the jsonl export (at most 2x)")
        print(f"target met: csv --samples takes {ratio:.2f}x the jsonl export (at most 2x)")


if __name__ == "__main__":
    main()
