#!/usr/bin/env python3
"""Issue 12's simulation: how often `hhbench compare` cries wolf, and how often it catches a slowdown.

Each call compares 500 benchmarks: 125 each of normal, lognormal, bimodal and Student-t(3)
samples, with coefficients of variation drawn uniformly from 1 to 10 %. The baseline is 10 commits
on main, one run each; the candidate is one run on a branch off the last one. Every run has 10
samples per benchmark. Four noise models:
  - independent: every sample independent;
  - run/2: each run shares a random factor, normal with SD = CV/2 (run-to-run drift: a machine's
    state, a warm cache);
  - run/1: the same with SD = CV;
  - mixed: benchmarks differ, as in a real suite: half have no run-to-run noise, 30 % have
    SD = CV/2 and 20 % SD = 2 CV (a benchmark at the mercy of memory layout or the scheduler).
The histories are recorded through the binary (native JSON lines, commits and parents in the
context) into a fresh SQLite file per call, and `hhbench compare --since main --commit C` is run.

Figures:
  - A/A: calls that exit 1, out of N, with nothing changed;
  - power: with 50 of the 500 benchmarks slowed by +1, +2, +5, +10 and +20 %, the share of slowed
    benchmarks reported `regression` (for the old binary, any of its rows; for the new, the
    benchmark's time_ms decision), and unslowed benchmarks wrongly reported `regression`;
  - small samples: 50 benchmarks, one run of 5 samples a side, 25 of them slowed 2x: the share
    of those flagged;
  - oracle: the power a test would have that knew every variance (run noise and sampling) and
    compared sample means at the same false discovery rate (Benjamini-Hochberg 5 %, 5 % threshold).
    No test that estimates its variances from this data can beat it; it bounds what the targets
    can ask.

Usage: python3 bench/verdict_quality.py [--hhbench PATH ...] [--aa N] [--power-reps N] [--seed S]
Targets: A/A <= 1 call in 20 in each noise model; power >= 95 % at +10 % and >= 99 % at +20 %
(independent), >= 85 % at +10 % (run/2); no loss against the old binary; every 2x flagged.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

DISTRIBUTIONS = ["normal", "lognormal", "bimodal", "t3"]
NOISE = {"independent": 0.0, "run/2": 0.5, "run/1": 1.0, "mixed": None}


def samples(rng, kind, mean, cv, n):
    if kind == "normal":
        x = rng.normal(mean, cv * mean, n)
    elif kind == "lognormal":
        s = np.sqrt(np.log(1 + cv * cv))
        x = np.exp(rng.normal(np.log(mean) - s * s / 2, s, n))
    elif kind == "bimodal":
        # 70 % at the fast mode, 30 % at a slow one; total SD = cv * mean.
        gap = 2.0 * cv * mean
        width = np.sqrt(max((cv * mean) ** 2 - 0.21 * gap * gap, 1e-18))
        mode = rng.random(n) < 0.3
        x = rng.normal(mean - 0.3 * gap, width, n) + mode * gap
    else:
        x = mean + cv * mean * rng.standard_t(3, n) / np.sqrt(3)
    return np.maximum(x, mean * 0.05)


class Universe:
    """500 benchmarks: a distribution, a CV and a true mean each."""

    def __init__(self, rng, count, noise):
        self.kinds = [DISTRIBUTIONS[i % 4] for i in range(count)]
        self.cvs = rng.uniform(0.01, 0.10, count)
        self.means = rng.uniform(0.05, 50.0, count)
        # Run-to-run noise of each benchmark, as a multiple of its CV.
        if noise is None:
            self.run_noise = rng.choice([0.0, 0.5, 2.0], count, p=[0.5, 0.3, 0.2])
        else:
            self.run_noise = np.full(count, noise)


def run_file(rng, universe, factor_for, per_run, context):
    lines = []
    for b in range(len(universe.kinds)):
        cv = universe.cvs[b]
        mean = universe.means[b] * factor_for(b)
        if universe.run_noise[b] > 0:
            mean *= max(0.2, 1 + rng.normal(0, universe.run_noise[b] * cv))
        values = samples(rng, universe.kinds[b], mean, cv, per_run)
        lines.append('{"benchmark":"b%03d","metric":"time_ms","samples":[%s]}' % (b, ",".join("%.9g" % v for v in values)))
    lines.append(json.dumps({"context": context}))
    return "\n".join(lines) + "\n"


def sha(prefix, i):
    return ("%s%038x" % (prefix, i))[:40]


def one_call(binary, rng, noise, count, slowed, shift, commits=10, per_run=10):
    """Records a history and runs compare; returns (exit code, verdict per benchmark)."""
    universe = Universe(rng, count, noise)
    with tempfile.TemporaryDirectory() as folder:
        db = os.path.join(folder, "h.db")
        files = []
        parent = None
        for c in range(commits):
            commit = sha("a", c + 1)
            context = {"commit": {"sha": commit, "parents": [parent] if parent else []}, "branch": "main", "machine": "sim"}
            files.append(run_file(rng, universe, lambda b: 1.0, per_run, context))
            parent = commit
        candidate = sha("f", 1)
        context = {"commit": {"sha": candidate, "parents": [parent]}, "branch": "feature", "machine": "sim"}
        files.append(run_file(rng, universe, lambda b: (1 + shift) if b in slowed else 1.0, per_run, context))
        paths = []
        for i, text in enumerate(files):
            path = os.path.join(folder, "r%02d.jsonl" % i)
            with open(path, "w") as f:
                f.write(text)
            paths.append(path)
        for path in paths:  # one process a run, as CI records
            subprocess.run([binary, "record", path, "--db", db, "--allow-duplicate"], check=True, capture_output=True, cwd=folder)
        result = subprocess.run([binary, "compare", "--db", db, "--since", "main", "--commit", candidate, "--format", "json"],
                                capture_output=True, text=True, cwd=folder)
        report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {"comparisons": []}
        flagged = {}
        for c in report.get("comparisons", []):
            if c.get("verdict") == "regression":
                flagged[c["benchmark"]] = True
        return result.returncode, flagged


def benjamini_hochberg(p, q=0.05):
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    passed = np.nonzero(ranked <= q)[0]
    rejected = np.zeros(len(p), dtype=bool)
    if len(passed):
        rejected[order[: passed[-1] + 1]] = True
    return rejected


def oracle_power(rng, noise, count, shift, reps, commits=10, per_run=10):
    """Power of sample means with every variance known, at the same FDR and threshold."""
    from scipy.stats import norm
    caught = total = 0
    for _ in range(reps):
        universe = Universe(rng, count, noise)
        cv = universe.cvs
        run_sd = universe.run_noise * cv
        se = np.sqrt((run_sd ** 2 + cv ** 2 / per_run) * (1 + 1 / commits))
        slowed = rng.choice(count, 50, replace=False)
        truth = np.zeros(count)
        truth[slowed] = np.log1p(shift)
        estimate = truth + rng.normal(0, se)
        rejected = benjamini_hochberg(2 * norm.sf(np.abs(estimate / se)))
        flagged = rejected & (estimate > np.log(1.05))
        caught += flagged[slowed].sum()
        total += len(slowed)
    return caught / total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hhbench", action="append", default=None)
    parser.add_argument("--aa", type=int, default=20, help="A/A calls per noise model")
    parser.add_argument("--power-reps", type=int, default=4, help="calls per noise model and shift")
    parser.add_argument("--benchmarks", type=int, default=500)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--models", default=",".join(NOISE), help="noise models to run, comma-separated")
    args = parser.parse_args()
    binaries = args.hhbench or [os.path.join(os.path.dirname(__file__), "..", ".build", "release", "hhbench")]
    shifts = [0.01, 0.02, 0.05, 0.10, 0.20]
    for binary in binaries:
        print("== %s" % binary)
        rng = np.random.default_rng(args.seed)
        print("%-12s %10s  %s" % ("noise", "A/A exit 1", "  ".join("%6s" % ("+%d%%" % round(s * 100)) for s in shifts)) + "   false regressions")
        for name, noise in ((m, NOISE[m]) for m in args.models.split(",")):
            exits = sum(1 for _ in range(args.aa) if one_call(binary, rng, noise, args.benchmarks, set(), 0.0)[0] == 1)
            powers = []
            false_flags = 0
            unslowed = 0
            for shift in shifts:
                caught = total = 0
                for _ in range(args.power_reps):
                    slowed = set(int(i) for i in rng.choice(args.benchmarks, 50, replace=False))
                    _, flagged = one_call(binary, rng, noise, args.benchmarks, slowed, shift)
                    caught += sum(1 for b in slowed if flagged.get("b%03d" % b))
                    total += len(slowed)
                    false_flags += sum(1 for b in range(args.benchmarks) if b not in slowed and flagged.get("b%03d" % b))
                    unslowed += args.benchmarks - len(slowed)
                powers.append(caught / max(1, total))
            print("%-12s %7d/%-3d  %s   %d of %d" % (name, exits, args.aa, "  ".join("%5.1f%%" % (p * 100) for p in powers),
                                                   false_flags, unslowed), flush=True)
            oracle = [oracle_power(np.random.default_rng(args.seed + 1), noise, args.benchmarks, s, 200) for s in shifts]
            print("%-12s %10s  %s" % ("  oracle", "", "  ".join("%5.1f%%" % (p * 100) for p in oracle)), flush=True)
        # Small samples: 5 against 5, one run a side, 25 of 50 slowed 2x.
        caught = total = 0
        for _ in range(max(2, args.power_reps)):
            slowed = set(range(0, 50, 2))
            _, flagged = one_call(binary, rng, 0.0, 50, slowed, 1.0, commits=1, per_run=5)
            caught += sum(1 for b in slowed if flagged.get("b%03d" % b))
            total += len(slowed)
        print("small samples (5 vs 5, 2x slower, 50 benchmarks a call): %d of %d flagged" % (caught, total), flush=True)


if __name__ == "__main__":
    sys.exit(main())
