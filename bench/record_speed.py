#!/usr/bin/env python3
"""Issue 2's speed benchmark: `hhbench record` of 1,000,000 raw samples against sqlite3's .import.

Writes a native JSON-lines file of 1,000 series x 1,000 samples (nanosecond-resolution durations
written in milliseconds, so at most six decimals) and the same samples as a three-column CSV,
then times, in one run, alternately:
  - `sqlite3 bare.db` creating (series TEXT, idx INTEGER, value REAL) and `.import --csv` into it;
  - `hhbench record --db fresh.db samples.jsonl`.
Reports medians, the ratio, samples per second and database bytes per raw sample.

Usage: python3 bench/record_speed.py [--hhbench PATH] [--repeat N] [--series N] [--samples N]
Targets: ratio <= 1.5, >= 1,000,000 samples/s, <= 12 bytes per sample.
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def generate(folder, series, samples, seed=7):
    rng = random.Random(seed)
    jsonl = os.path.join(folder, "samples.jsonl")
    csv = os.path.join(folder, "samples.csv")
    with open(jsonl, "w") as native, open(csv, "w") as flat:
        for s in range(series):
            name = f"suite_{s // 50}/bench_{s}"
            base_ns = 10 ** rng.uniform(4, 8.5)  # 10 us .. 300 ms
            values = []
            for i in range(samples):
                ns = max(1, int(rng.lognormvariate(0, 0.05) * base_ns))
                values.append(f"{ns / 1e6:.6f}".rstrip("0").rstrip("."))
            native.write('{"benchmark":"%s","metric":"time_ms","samples":[%s]}\n' % (name, ",".join(values)))
            for i, v in enumerate(values):
                flat.write(f"{name},{i},{v}\n")
    return jsonl, csv


def timed(command, **kwargs):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hhbench", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "hhbench"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()
    if not os.path.exists(args.hhbench):
        sys.exit(f"{args.hhbench} not found: build it first with 'swift build -c release'")
    sqlite3 = shutil.which("sqlite3") or sys.exit("sqlite3 not found: apt-get install -y sqlite3")

    folder = tempfile.mkdtemp(prefix="hhbench-record-speed-")
    jsonl, csv = generate(folder, args.series, args.samples)
    total = args.series * args.samples
    env = dict(os.environ, HHBENCH_MACHINE="bench")
    import_times, record_times, sizes = [], [], []
    for round_ in range(args.repeat):
        bare = os.path.join(folder, f"bare{round_}.db")
        script = "CREATE TABLE samples(series TEXT, idx INTEGER, value REAL);\n.import --csv %s samples\n" % csv
        import_times.append(timed([sqlite3, bare], input=script.encode()))
        db = os.path.join(folder, f"history{round_}.db")
        record_times.append(timed([args.hhbench, "record", "--db", db, jsonl], cwd=folder, env=env))
        size = sum(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p))
        sizes.append(size)
        # both must hold every sample
        rows = subprocess.run([sqlite3, db, "SELECT count(*) FROM hh_samples"], capture_output=True, text=True).stdout.strip()
        assert int(rows) == total, f"hh_samples has {rows} rows, expected {total}"

    import_median = statistics.median(import_times)
    record_median = statistics.median(record_times)
    bytes_per_sample = statistics.median(sizes) / total
    print(f"samples: {total:,} ({args.series} series x {args.samples}); input {os.path.getsize(jsonl)/1e6:.1f} MB jsonl, "
          f"{os.path.getsize(csv)/1e6:.1f} MB csv; {args.repeat} rounds, medians")
    print(f"sqlite3 .import:  {import_median:.3f} s")
    print(f"hhbench record:   {record_median:.3f} s")
    print(f"ratio record/import: {record_median / import_median:.2f}  (target <= 1.5)")
    print(f"samples per second:  {total / record_median:,.0f}  (target >= 1,000,000)")
    print(f"bytes per sample:    {bytes_per_sample:.2f}  (target <= 12)")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
