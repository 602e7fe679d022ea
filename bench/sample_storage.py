#!/usr/bin/env python3
"""Issue 17's storage benchmark: bytes per raw sample on real tools' files and on a million
full-precision samples, before (a binary built from an older commit) and after, in one run; and
migration 0003's speed on a database of 5 M samples the older binary wrote.

1. Real rounds: the pytest-benchmark, hyperfine and Google Benchmark fixture files (Tests/…/Fixtures),
   each recorded 50 times (50 commits) into one database per binary.
2. Synthetic: 1,000 series x 1,000 samples, every value a full 17-digit double (repr of a lognormal).
Bytes per sample = file size / samples, and = pages of sample_series and its indexes / samples (dbstat).
Losslessness: the data lines of `export --format jsonl` (all but each run's own uuid and time) must be
byte-identical between the two databases.
3. Migration: the older binary records 5,000 series x 1,000 full-precision samples; the new one
   migrates it (timed: a one-value `record`, minus the same record on a migrated database).

Usage: python3 bench/sample_storage.py --old PATH [--hhbench PATH] [--skip-migration]
  (build the older binary with: git worktree add /tmp/old c353497 && swift build -c release --product hhbench --package-path /tmp/old)
Targets: at most 10 bytes per sample, lossless.
"""
import argparse, os, random, shutil, sqlite3, subprocess, sys, tempfile, time

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
fixtures = os.path.join(root, "Tests", "hhbenchTests", "Fixtures")
REAL = ["pytest-benchmark/run1.json", "pytest-benchmark/run3-slow.json", "hyperfine/run1.json",
        "hyperfine/run3-slow.json", "google-benchmark/reps5-run1.json", "google-benchmark/reps5-run3-slow.json"]


def run(command, **kwargs):
    return subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def sizes(db):
    con = sqlite3.connect(db)
    samples = con.execute("SELECT sum(count) FROM sample_series").fetchone()[0]
    try:
        table = con.execute("SELECT sum(pgsize) FROM dbstat WHERE name IN "
                            "('sample_series','sample_series_series','sqlite_autoindex_sample_series_1')").fetchone()[0]
    except sqlite3.OperationalError:
        table = None
    con.close()
    run(["sqlite3", db, "PRAGMA wal_checkpoint(TRUNCATE)"])
    return samples, os.path.getsize(db), table


def synthetic(folder, series=1000, samples=1000, seed=3):
    rng = random.Random(seed)
    path = os.path.join(folder, "full-precision.jsonl")
    with open(path, "w") as out:
        for s in range(series):
            base = 10 ** rng.uniform(-3, 3)
            values = ",".join(repr(base * rng.lognormvariate(0, 0.05)) for _ in range(samples))
            out.write('{"benchmark":"bench_%d","metric":"time_ms","samples":[%s]}\n' % (s, values))
    return path


def record_real(binary, db):
    for commit in range(50):
        run([binary, "record", "--db", db, "--commit", "%08x" % (commit + 1), "--branch", "main"]
            + [os.path.join(fixtures, f) for f in REAL])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hhbench", default=os.path.join(root, ".build", "release", "hhbench"))
    parser.add_argument("--old", required=True, help="an hhbench built before issue 17 (c353497)")
    parser.add_argument("--skip-migration", action="store_true")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="hhbench-storage-")
    try:
        print("| data | samples | before: file B/sample | after: file B/sample | before: table B/sample | after: table B/sample | export identical |")
        print("|---|---|---|---|---|---|---|")
        for name, recorder in [("real rounds (pytest-benchmark, hyperfine, Google Benchmark) x 50", record_real),
                               ("1 M synthetic full-precision samples", None)]:
            row = {}
            for label, binary in [("before", args.old), ("after", args.hhbench)]:
                db = os.path.join(folder, f"{label}-{len(name)}.db")
                if recorder:
                    recorder(binary, db)
                else:
                    run([binary, "record", "--db", db, "--commit", "abcdef01", synthetic(folder)])
                exported = run([binary, "export", "--db", db, "--format", "jsonl"]).stdout.splitlines()
                # Run lines carry each recording's own uuid and time; the data lines must match.
                row[label] = sizes(db) + ([line for line in exported if not line.startswith(b'{"run"')],)
            (n, file_b, table_b, export_b), (_, file_a, table_a, export_a) = row["before"], row["after"]
            per = lambda x: "-" if x is None else f"{x / n:.2f}"
            print(f"| {name} | {n:,} | {per(file_b)} | {per(file_a)} | {per(table_b)} | {per(table_a)} | {export_a == export_b} |")
            if export_a != export_b:
                sys.exit("exports differ: the encoding is not lossless")
        if args.skip_migration:
            return
        big = os.path.join(folder, "big.db")
        source = synthetic(folder, series=5000, samples=1000, seed=9)
        run([args.old, "record", "--db", big, "--commit", "abcdef02", source])
        samples, size_before, _ = sizes(big)
        one = os.path.join(folder, "one.jsonl")
        with open(one, "w") as out:
            out.write('{"benchmark":"one","metric":"ops","value":1}\n')
        start = time.perf_counter()
        run([args.hhbench, "record", "--db", big, "--commit", "abcdef03", one])
        migrate = time.perf_counter() - start
        start = time.perf_counter()
        run([args.hhbench, "record", "--db", big, "--commit", "abcdef04", one])
        plain = time.perf_counter() - start
        _, size_after, _ = sizes(big)
        print(f"\nmigration 0003 on {samples:,} samples: {migrate - plain:.2f} s "
              f"({samples / max(migrate - plain, 1e-9) / 1e6:.2f} M samples/s); "
              f"file {size_before / 1e6:.1f} MB -> {size_after / 1e6:.1f} MB (the migration ends with a VACUUM)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
