#!/usr/bin/env python3
"""How often `hhbench compare` cries wolf, how often it catches a slowdown, and whether what it
says would settle an inconclusive row holds (issues 12 and 29).

Two generators written apart: A (this file, tuned on: normal, lognormal, bimodal and Student-t(3)
samples, CV 1-10 %) and B (bench/verdict_generator_b.py, report only: gamma, Weibull, Laplace,
contaminated and quantised samples, CV 0.5-8 %, other run-effect shapes and sizes). Each call
compares 500 benchmarks: a baseline of 10 commits on main (2 for a new project), one run of 10
samples each, and a candidate run on a branch. Noise models:
  independent  every sample independent
  run/2        each run of a benchmark shares a factor with SD = CV/2 (A normal, B Laplace)
  run/1        the same with SD = CV (A normal, B Student-t(4))
  bimodal      each run of a benchmark lands in a slow state (A +7 % w.p. 0.25, B +8 % w.p. 0.3)
  neighbour    run/2, and one baseline run slowed for every benchmark at once (A +25 %, B +30 %)
  ar1          samples AR(1) within a run (A rho 0.5 normal, B rho 0.7 on its own families)
  new-project  run/1 with 2 baseline commits
The histories are recorded through the binary (native JSON lines, commits and parents in the
context) into a fresh SQLite file per call, and `hhbench compare --since main` is run.

Figures, per generator and model, for every binary given (the old one first, in the same run):
  A/A        calls that exit 1 out of --aa, nothing changed
  power      at +10 %, 50 of 500 slowed: the share reported `regression`, beside the oracle's
             (sample means with every variance known, the noisy-neighbour run known and left out,
             Benjamini-Hochberg at 5 % and the 5 % threshold: no test that estimates variances
             from this data can beat it) and the ratio; and the oracle's own A/A on the generator's
             real distributions: where it exceeds 1 in 20, run noise is too heavy-tailed for any
             test that takes it as normal
  neighbour  power lost to the noisy run: run/2's power minus neighbour's (points)
  mdc        (run/2, bimodal) an inconclusive row of an A/A call slowed by exactly its reported
             minimum_detectable_pct in a fresh history of the same benchmarks, one row a call, 10
             calls per --power-reps: the share caught
  advice     (run/2) rows advised "about N candidate runs", judged after N fresh candidate runs,
             and rows advised "about N runs a side", after the baseline's commits get more runs
             (N in all) and the candidate N runs (N up to 20): the share decided

Usage: python3 bench/verdict_quality.py [--hhbench PATH ...] [--aa N] [--power-reps N] [--seed S]
                                        [--models a,b] [--generators A,B]
Targets (issue 29): A/A <= 1 in 20 in every model; power >= 0.90 of the oracle's; the neighbour
costs <= 10 points; mdc caught 70-90 %; advice >= 80 % decided. On both generators.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verdict_generator_b  # noqa: E402

DISTRIBUTIONS = ["normal", "lognormal", "bimodal", "t3"]
MODELS = ["independent", "run/2", "run/1", "bimodal", "neighbour", "ar1", "new-project"]
THRESHOLD = np.log(1.05)


def samples(rng, kind, mean, cv, n, rho=0.0):
    if rho > 0:
        z = np.empty(n)
        z[0] = rng.normal()
        for t in range(1, n):
            z[t] = rho * z[t - 1] + np.sqrt(1 - rho * rho) * rng.normal()
        return np.maximum(mean * (1 + cv * z), mean * 0.05)
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


class UniverseA:
    """Generator A: 500 benchmarks, a distribution, a CV and a true mean each."""

    def __init__(self, rng, count, model):
        self.model = model
        self.count = count
        self.kinds = [DISTRIBUTIONS[i % 4] for i in range(count)]
        self.cvs = rng.uniform(0.01, 0.10, count)
        self.means = rng.uniform(0.05, 50.0, count)
        factor = {"run/2": 0.5, "run/1": 1.0, "neighbour": 0.5, "new-project": 1.0}.get(model, 0.0)
        self.run_noise = np.full(count, factor)
        self.rho = 0.5 if model == "ar1" else 0.0
        self.noisy = None

    def commits(self):
        return 2 if self.model == "new-project" else 10

    def start(self, rng, commits):
        self.noisy = int(rng.integers(commits)) if self.model == "neighbour" else None

    def run(self, rng, factors, per_run, index=None):
        out = []
        slow_run = index is not None and index == self.noisy
        for b in range(self.count):
            cv = self.cvs[b]
            mean = self.means[b] * factors[b]
            if self.run_noise[b] > 0:
                mean *= max(0.2, 1 + rng.normal(0, self.run_noise[b] * cv))
            if self.model == "bimodal" and rng.random() < 0.25:
                mean *= 1.07
            if slow_run:
                mean *= 1.25
            out.append(samples(rng, self.kinds[b], mean, cv, per_run, self.rho))
        return out

    def oracle_se(self, baseline_runs, candidate_runs, per_run):
        inflation = 1.0
        if self.rho > 0:
            inflation = 1 + 2 * sum((1 - k / per_run) * self.rho ** k for k in range(1, per_run))
        run_var = (self.run_noise * self.cvs) ** 2
        if self.model == "bimodal":
            run_var = run_var + 0.25 * 0.75 * np.log(1.07) ** 2
        clean = baseline_runs - (1 if self.model == "neighbour" else 0)
        return np.sqrt((run_var + self.cvs ** 2 / per_run * inflation) * (1 / clean + 1 / candidate_runs))


GENERATORS = {"A": UniverseA, "B": verdict_generator_b.UniverseB}


def sha(prefix, i):
    return ("%s%038x" % (prefix, i))[:40]


def run_text(values, context):
    lines = ['{"benchmark":"b%03d","metric":"time_ms","samples":[%s]}' % (b, ",".join("%.9g" % v for v in x))
             for b, x in enumerate(values)]
    lines.append(json.dumps({"context": context}))
    return "\n".join(lines) + "\n"


class History:
    """A database with a baseline on main; candidate runs are added on branches off its tip."""

    def __init__(self, binary, universe, rng, folder, per_run=10):
        self.binary, self.universe, self.rng, self.folder, self.per_run = binary, universe, rng, folder, per_run
        self.db = os.path.join(folder, "h.db")
        self.files = 0
        commits = universe.commits()
        universe.start(rng, commits)
        parent = None
        ones = np.ones(universe.count)
        for c in range(commits):
            commit = sha("a", c + 1)
            self.record(universe.run(rng, ones, per_run, index=c), {"sha": commit, "parents": [parent] if parent else []}, "main")
            parent = commit
        self.tip = parent

    def record(self, values, commit, branch):
        self.files += 1
        path = os.path.join(self.folder, "r%03d.jsonl" % self.files)
        with open(path, "w") as f:
            f.write(run_text(values, {"commit": commit, "branch": branch, "machine": "sim"}))
        subprocess.run([self.binary, "record", path, "--db", self.db, "--allow-duplicate"], check=True, capture_output=True,
                       cwd=self.folder)

    def candidate(self, number, factors, runs=1):
        commit = sha("f", number)
        for _ in range(runs):
            self.record(self.universe.run(self.rng, factors, self.per_run), {"sha": commit, "parents": [self.tip]}, "feature")
        return commit

    def compare(self, commit, run_ids=None):
        command = [self.binary, "compare", "--db", self.db, "--since", "main", "--format", "json"]
        command += ["--commit", commit] if not run_ids else sum((["--run", str(r)] for r in run_ids), [])
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.folder)
        report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {"comparisons": []}
        return result.returncode, report


def time_rows(report):
    return {c["benchmark"]: c for c in report.get("comparisons", []) if c.get("metric") == "time_ms"}


def benjamini_hochberg(p, q=0.05):
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    passed = np.nonzero(ranked <= q)[0]
    rejected = np.zeros(len(p), dtype=bool)
    if len(passed):
        rejected[order[: passed[-1] + 1]] = True
    return rejected


def oracle_power(generator, model, count, shift, reps, seed):
    from scipy.stats import norm
    rng = np.random.default_rng(seed)
    caught = total = 0
    for _ in range(reps):
        universe = GENERATORS[generator](rng, count, model)
        se = universe.oracle_se(universe.commits(), 1, 10)
        slowed = rng.choice(count, 50, replace=False)
        truth = np.zeros(count)
        truth[slowed] = np.log1p(shift)
        estimate = truth + rng.normal(0, se)
        flagged = benjamini_hochberg(2 * norm.sf(np.abs(estimate / se))) & (estimate >= THRESHOLD)
        caught += flagged[slowed].sum()
        total += len(slowed)
    return caught / total


def oracle_aa(generator, model, count, calls, seed):
    """The oracle's own A/A: histories drawn by the generator itself (its real run-effect and
    sample distributions), run means compared with every variance known, the noisy run left out,
    the same Benjamini-Hochberg and threshold rule. Calls with a regression, of `calls`: where
    this exceeds 1 in 20, no test that assumes normal run noise can meet the A/A target either."""
    from scipy.stats import norm
    rng = np.random.default_rng(seed)
    exits = 0
    for _ in range(calls):
        universe = GENERATORS[generator](rng, count, model)
        commits = universe.commits()
        universe.start(rng, commits)
        noisy = getattr(universe, "noisy", None)
        if noisy is None:
            noisy = getattr(universe, "neighbour_run", None)
        ones = np.ones(count)
        baseline = [np.log([np.mean(x) for x in universe.run(rng, ones, 10, index=c)]) for c in range(commits) if c != noisy]
        candidate = np.log([np.mean(x) for x in universe.run(rng, ones, 10)])
        shift = candidate - np.mean(baseline, axis=0)
        se = universe.oracle_se(commits, 1, 10)
        flagged = benjamini_hochberg(2 * norm.sf(np.abs(shift / se))) & (shift >= THRESHOLD)
        exits += bool(flagged.any())
    return exits


def aa_and_power(binary, generator, model, args, rng):
    exits = 0
    for _ in range(args.aa):
        with tempfile.TemporaryDirectory() as folder:
            history = History(binary, GENERATORS[generator](rng, args.benchmarks, model), rng, folder)
            code, _ = history.compare(history.candidate(1, np.ones(args.benchmarks)))
            exits += code == 1
    caught = total = 0
    for _ in range(args.power_reps):
        with tempfile.TemporaryDirectory() as folder:
            history = History(binary, GENERATORS[generator](rng, args.benchmarks, model), rng, folder)
            slowed = rng.choice(args.benchmarks, 50, replace=False)
            factors = np.ones(args.benchmarks)
            factors[slowed] = 1.10
            _, report = history.compare(history.candidate(1, factors))
            rows = time_rows(report)
            caught += sum(1 for b in slowed if rows.get("b%03d" % b, {}).get("verdict") == "regression")
            total += len(slowed)
    return exits, caught / max(1, total)


def mdc_calibration(binary, generator, model, args, rng):
    """An A/A call reports each inconclusive row's minimum detectable change; a fresh history of
    the same benchmarks (same distributions, CVs and means: a new baseline and a new candidate)
    slows one of them by exactly that much. One row a call, so the others' discoveries stay as
    they were: the change is what the rule catches with 80 % probability, over the baseline's
    error as well as the candidate's (keeping the first baseline would condition on its error)."""
    caught = total = 0
    for _ in range(10 * args.power_reps):
        universe = GENERATORS[generator](rng, args.benchmarks, model)
        with tempfile.TemporaryDirectory() as folder:
            history = History(binary, universe, rng, folder)
            _, report = history.compare(history.candidate(1, np.ones(args.benchmarks)))
        rows = [(int(name[1:]), c["minimum_detectable_pct"]) for name, c in time_rows(report).items()
                if c.get("verdict") == "inconclusive" and c.get("minimum_detectable_pct")]
        if not rows:
            continue
        b, pct = rows[int(rng.integers(len(rows)))]
        factors = np.ones(args.benchmarks)
        factors[b] = 1 + pct / 100
        with tempfile.TemporaryDirectory() as folder:
            history = History(binary, universe, rng, folder)
            _, second = history.compare(history.candidate(1, factors))
        caught += time_rows(second).get("b%03d" % b, {}).get("verdict") == "regression"
        total += 1
    return caught, total


ADVICE = re.compile(r"about (\d+) candidate runs")
BOTH = re.compile(r"about (\d+) runs a side")


def advice_followed(binary, generator, model, args, rng, cap=20):
    """Rows advised N candidate runs are judged after N fresh candidate runs; rows advised N runs a
    side, after the baseline's commits get runs up to N in all and the candidate N runs."""
    decided = judged = unadvised = inconclusive = beyond = 0
    for _ in range(args.power_reps):
        with tempfile.TemporaryDirectory() as folder:
            history = History(binary, GENERATORS[generator](rng, args.benchmarks, model), rng, folder)
            _, report = history.compare(history.candidate(1, np.ones(args.benchmarks)))
            advised, sides = {}, {}
            for name, c in time_rows(report).items():
                if c.get("verdict") != "inconclusive":
                    continue
                inconclusive += 1
                text = c.get("advice") or ""
                candidate, both = ADVICE.search(text), BOTH.search(text)
                if not text:
                    unadvised += 1
                elif (candidate or both) and int((candidate or both).group(1)) <= cap:
                    (advised if candidate else sides).setdefault(int((candidate or both).group(1)), []).append(name)
                else:
                    beyond += 1
            if advised:
                history.candidate(3, np.ones(args.benchmarks), runs=max(advised))
                ids = run_ids_at(history, sha("f", 3))
                for n, names in advised.items():
                    _, after = history.compare(None, run_ids=ids[:n])
                    rows = time_rows(after)
                    decided += sum(1 for name in names if rows.get(name, {}).get("verdict") not in (None, "inconclusive"))
                    judged += len(names)
            base = history.db
            for n, names in sides.items():
                history.db = os.path.join(folder, "sides%d.db" % n)
                shutil.copy(base, history.db)
                commits = history.universe.commits()
                ones = np.ones(args.benchmarks)
                for extra in range(max(0, n - commits)):
                    c = commits - 1 - extra % commits
                    history.record(history.universe.run(rng, ones, history.per_run),
                                   {"sha": sha("a", c + 1), "parents": [sha("a", c)] if c else []}, "main")
                _, after = history.compare(history.candidate(100 + n, ones, runs=n))
                rows = time_rows(after)
                decided += sum(1 for name in names if rows.get(name, {}).get("verdict") not in (None, "inconclusive"))
                judged += len(names)
            history.db = base
    return decided, judged, unadvised, inconclusive, beyond


def run_ids_at(history, commit):
    import sqlite3
    with sqlite3.connect(history.db) as db:
        return [row[0] for row in db.execute("SELECT id FROM runs WHERE commit_sha = ? ORDER BY id",
                                             (commit,))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hhbench", action="append", default=None)
    parser.add_argument("--aa", type=int, default=20, help="A/A calls per generator and model")
    parser.add_argument("--power-reps", type=int, default=3, help="calls per generator and model for power, mdc and advice")
    parser.add_argument("--benchmarks", type=int, default=500)
    parser.add_argument("--oracle-aa", type=int, default=40, help="A/A calls of the oracle per generator and model")
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--generators", default="A,B")
    args = parser.parse_args()
    binaries = args.hhbench or [os.path.join(os.path.dirname(__file__), "..", ".build", "release", "hhbench")]
    models = args.models.split(",")
    oracle_exits = {}
    for binary in binaries:
        print("== %s" % binary, flush=True)
        for generator in args.generators.split(","):
            rng = np.random.default_rng([args.seed, ord(generator)])
            print("generator %s  %-12s %10s %8s %8s %6s %10s" % (generator, "model", "A/A exit 1", "power", "oracle", "ratio", "oracle A/A"),
                  flush=True)
            powers = {}
            for model in models:
                exits, power = aa_and_power(binary, generator, model, args, rng)
                oracle = oracle_power(generator, model, args.benchmarks, 0.10, 200, args.seed + 1)
                key = (generator, model)
                if key not in oracle_exits:
                    oracle_exits[key] = oracle_aa(generator, model, args.benchmarks, args.oracle_aa, args.seed + 2)
                powers[model] = power
                print("generator %s  %-12s %7d/%-3d %7.1f%% %7.1f%% %6.2f %6d/%-3d" % (
                    generator, model, exits, args.aa, power * 100, oracle * 100, power / oracle if oracle else float("nan"),
                    oracle_exits[key], args.oracle_aa), flush=True)
            if "neighbour" in powers and "run/2" in powers:
                print("generator %s  neighbour costs %.1f points of power (run/2 %.1f%%, neighbour %.1f%%)"
                      % (generator, (powers["run/2"] - powers["neighbour"]) * 100, powers["run/2"] * 100, powers["neighbour"] * 100),
                      flush=True)
            for model in [m for m in ("run/2", "bimodal") if m in models]:
                caught, total = mdc_calibration(binary, generator, model, args, rng)
                print("generator %s  mdc %-8s slowed by their minimum detectable change: %d of %d caught (%.0f%%)"
                      % (generator, model, caught, total, 100 * caught / max(1, total)), flush=True)
            if "run/2" in models:
                decided, judged, unadvised, inconclusive, beyond = advice_followed(binary, generator, "run/2", args, rng)
                print("generator %s  advice run/2: %d of %d followed rows decided (%.0f%%); of %d inconclusive rows %d without "
                      "advice, %d advised more than 20 runs (not followed)"
                      % (generator, decided, judged, 100 * decided / max(1, judged), inconclusive, unadvised, beyond), flush=True)


if __name__ == "__main__":
    sys.exit(main())
