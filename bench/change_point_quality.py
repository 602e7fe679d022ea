#!/usr/bin/env python3
"""Issue 13's benchmark: `trend`'s default detector against Apache Otava 0.8 on planted truth.

Generates series as CI histories look: each commit has 1-3 runs of 5-20 samples, sample CV 1-10 %,
each run with its own level (run-to-run noise, SD up to half the CV). Four kinds:
  - clean:    steps of 2-30 % (about one per 150 commits, at least 8 commits apart);
  - flat:     no step;
  - outliers: steps, plus one-off spikes of +15-60 % on 2 % of commits (a noisy neighbour, a
              throttled machine: every run of that commit is slow);
  - drift:    a slow drift of 5-20 % over the series, half of them with steps too.
Lengths are 50-1,000 commits (log-uniform). Otava gets what it would get from a CSV: one number
per commit (the mean of its samples), analysed by otava.analysis.compute_change_points with its
defaults (window 50, p <= 0.001), in this process. hhbench's detector (LevelShifts over each
commit's runs and samples, the default of `hhbench trend`) runs in-process in ChangePointBench.

A detection within +-2 commits of a planted step is a hit (each step and each detection counts
once); other detections are false alarms, including those on drift and next to spikes.
Prints precision, recall, F1 and false alarms per 1,000 points, overall and per kind; step-free
series flagged; recall by step size in sample CVs; pairs of change points fencing one spike.

Usage: python3 bench/change_point_quality.py [--series N] [--seed S]
   (after `swift build -c release --product ChangePointBench`; `pip install apache-otava==0.8.0`)
Targets: F1 >= 0.80 overall; <= 0.5 false alarms per 1,000 points; <= 3 % of clean flat series
flagged; recall >= 85 % for steps of 2-4 CV and >= 97 % above 4 CV; no pair fencing a spike.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
KINDS = ["clean", "flat", "outliers", "drift"]


def make_series(rng, kind):
    n = int(np.exp(rng.uniform(np.log(50), np.log(1000))))
    cv = rng.uniform(0.01, 0.10)
    run_sd = cv * rng.uniform(0.0, 0.5)
    level = np.full(n, rng.uniform(0.1, 100.0))
    steps = []
    if kind in ("clean", "outliers") or (kind == "drift" and rng.random() < 0.5):
        count = max(1, rng.poisson(n / 150))
        positions = sorted(rng.choice(np.arange(10, n - 10), size=min(count, max(1, (n - 20) // 12)), replace=False))
        for p in positions:
            if steps and p - steps[-1][0] < 8:
                continue
            size = rng.uniform(0.02, 0.30) * rng.choice([-1, 1])
            level[p:] *= 1 + size
            steps.append((int(p), abs(size) / cv))
    if kind == "drift":
        total = rng.uniform(0.05, 0.20) * rng.choice([-1, 1])
        level *= 1 + total * np.arange(n) / n
    spikes = []
    if kind == "outliers":
        for i in range(n):
            if rng.random() < 0.02 and all(abs(i - p) > 2 for p, _ in steps):
                level[i] *= 1 + rng.uniform(0.15, 0.60)
                spikes.append(i)
    commits = []
    for i in range(n):
        runs = []
        for _ in range(int(rng.integers(1, 4))):
            run_level = level[i] * (1 + rng.normal(0, run_sd))
            runs.append([float(v) for v in np.maximum(rng.normal(run_level, run_level * cv, int(rng.integers(5, 21))), 1e-9)])
        commits.append(runs)
    return {"kind": kind, "commits": commits, "steps": steps, "spikes": spikes}


def otava(series):
    from otava.analysis import compute_change_points
    results = []
    for s in series:
        values = [float(np.mean([v for run in c for v in run])) for c in s["commits"]]
        start = time.perf_counter()
        points, _ = compute_change_points(values)
        results.append({"changes": [int(p.index) for p in points], "seconds": time.perf_counter() - start})
    return results


def hhbench(series, folder):
    path = os.path.join(folder, "series.json")
    with open(path, "w") as f:
        json.dump([s["commits"] for s in series], f)
    out = subprocess.run([os.path.join(ROOT, ".build", "release", "ChangePointBench"), "--levels", path],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def score(series, results):
    rows = {k: dict(tp=0, fp=0, fn=0, points=0, flat=0, flat_flagged=0, fences=0) for k in KINDS + ["all"]}
    by_size = {"<1": [0, 0], "1-2": [0, 0], "2-4": [0, 0], ">4": [0, 0]}
    for s, r in zip(series, results):
        detections = sorted(r["changes"])
        used = set()
        hits = 0
        for p, size in s["steps"]:
            match = next((d for d in detections if d not in used and abs(d - p) <= 2), None)
            bucket = "<1" if size < 1 else "1-2" if size < 2 else "2-4" if size < 4 else ">4"
            by_size[bucket][1] += 1
            if match is not None:
                used.add(match)
                hits += 1
                by_size[bucket][0] += 1
        fences = sum(1 for spike in s["spikes"] if spike in detections and spike + 1 in detections)
        for key in (s["kind"], "all"):
            row = rows[key]
            row["tp"] += hits
            row["fp"] += len(detections) - len(used)
            row["fn"] += len(s["steps"]) - hits
            row["points"] += len(s["commits"])
            row["fences"] += fences
            if not s["steps"]:
                row["flat"] += 1
                row["flat_flagged"] += 1 if detections else 0
    return rows, by_size


def report(name, rows, by_size, seconds):
    print(f"== {name}  (detector time {seconds:.2f} s in all)")
    print("%-9s %9s %7s %6s %12s %16s %7s" % ("kind", "precision", "recall", "F1", "FA/1000 pts", "step-free flagged", "fences"))
    for kind in KINDS + ["all"]:
        r = rows[kind]
        precision = r["tp"] / max(1, r["tp"] + r["fp"])
        recall = r["tp"] / max(1, r["tp"] + r["fn"])
        f1 = 2 * precision * recall / max(1e-12, precision + recall)
        flat = "%d of %d" % (r["flat_flagged"], r["flat"]) if r["flat"] else "-"
        print("%-9s %9.3f %7.3f %6.3f %12.2f %16s %7d" % (kind, precision, recall, f1, 1000 * r["fp"] / r["points"], flat, r["fences"]))
    print("recall by step size (in sample CVs): " + ", ".join("%s: %.1f %% of %d" % (k, 100 * v[0] / max(1, v[1]), v[1])
                                                              for k, v in by_size.items()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=300, help="series in all, split evenly over the four kinds")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    series = [make_series(rng, KINDS[i % 4]) for i in range(args.series)]
    print("%d series, %d points, %d planted steps, %d spikes, seed %d" % (
        len(series), sum(len(s["commits"]) for s in series), sum(len(s["steps"]) for s in series),
        sum(len(s["spikes"]) for s in series), args.seed))
    with tempfile.TemporaryDirectory() as folder:
        ours = hhbench(series, folder)
    theirs = otava(series)
    for name, results in (("hhbench (default detector)", ours), ("Otava 0.8", theirs)):
        rows, by_size = score(series, results)
        report(name, rows, by_size, sum(r["seconds"] for r in results))
    for kind in KINDS:
        chosen = [r for s, r in zip(series, ours) if s["kind"] == kind]
        print("hhbench drift flagged on %-8s series: %d of %d" % (kind, sum(1 for r in chosen if r["drift"]), len(chosen)))
    flat = [r for s, r in zip(series, ours) if s["kind"] == "flat"]
    print("hhbench on clean flat series: %d of %d flagged (target <= 3 %%)" % (sum(1 for r in flat if r["changes"]), len(flat)))


if __name__ == "__main__":
    sys.exit(main())
