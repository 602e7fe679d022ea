#!/usr/bin/env python3
"""How well `hhbench ab --until-decided` answers, beside today's unpaired `compare` on the same
generators and beside an oracle that knows the true variance (issue 30).

For each generator (A, tuned on; B, written apart: bench/ab_generators.py) and fresh seeds:
- power: the head +5 % in all 20 series, run noise SD = the samples' CV (5 %). Each call is a real
  `hhbench ab` in a real git repository, the generator as its bench command, --until-decided
  --max-rounds 20 --threshold 2. Reported: the share of series caught as a regression, the median
  rounds and seconds to the end of the call.
- unpaired: the same generator measured as CI measures it today, one run per commit (ten base
  commits, each its own round of the machine) and one head run, then `hhbench compare --since main
  --threshold 2`: the share of series caught.
- A/A: a docs-only head; the share of calls that exit 1 (target: at most 1 in 20), and the rounds.
- oracle: the same sequential design (O'Brien-Fleming over 20 looks, the same threshold rule)
  with ab's own estimator (the 20 % trimmed mean of the round differences) and its true standard
  error at every round, measured over 8,000 rounds of the generator's own code: what knowing every
  variance buys. A mean-based oracle (the mean difference, its true SD) is shown beside it.

    python3 bench/ab_quality.py [--binary .build/release/hhbench] [--calls 20] [--seed 2027]
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ab_generators  # noqa: E402

GENERATOR = os.path.join(HERE, "ab_generators.py")
THRESHOLD = 2
MAX_ROUNDS = 20


def git(folder, *arguments):
    return subprocess.run(["git", "-C", folder] + list(arguments), check=True, capture_output=True, text=True).stdout.strip()


def repository(folder, commits):
    """A repository with `commits` linear commits on main; their shas, oldest first."""
    os.makedirs(folder)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.email", "bench@example.com")
    git(folder, "config", "user.name", "bench")
    shas = []
    for index in range(commits):
        with open(os.path.join(folder, "code.txt"), "a") as handle:
            handle.write("change %d\n" % index)
        git(folder, "add", "code.txt")
        git(folder, "commit", "-q", "-m", "change %d" % index)
        shas.append(git(folder, "rev-parse", "HEAD"))
    return shas


def environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith("HHBENCH_")}
    env["HHBENCH_MACHINE"] = "bench"
    return env


def ab_call(binary, model, seed, factor, work):
    folder = os.path.join(work, "ab-%s-%d-%s" % (model, seed, factor))
    shas = repository(folder, 2)
    state = os.path.join(folder, ".state")
    os.makedirs(state)
    bench = "python3 %s --model %s --state %s --seed %d --factor %s --head-sha %s" % (GENERATOR, model, state, seed, factor, shas[1])
    start = time.time()
    result = subprocess.run([binary, "ab", "--db", os.path.join(folder, "h.db"), "--base", "HEAD~1", "--bench", bench,
                             "--until-decided", "--max-rounds", str(MAX_ROUNDS), "--threshold", str(THRESHOLD), "--warmup-rounds", "0",
                             "--seed", str(seed), "--format", "json"], cwd=folder, capture_output=True, text=True, env=environment())
    seconds = time.time() - start
    if result.returncode not in (0, 1, 3):
        raise SystemExit("ab failed (%d): %s" % (result.returncode, result.stderr))
    report = json.loads(result.stdout)
    verdicts = [row["verdict"] for row in report["comparisons"]]
    return {"exit": result.returncode, "verdicts": verdicts, "rounds": report["paired"]["rounds"], "seconds": seconds}


def unpaired_call(binary, model, seed, factor, work):
    """Ten base commits of one run each (each its own round), one head run: compare --since main."""
    folder = os.path.join(work, "unpaired-%s-%d-%s" % (model, seed, factor))
    shas = repository(folder, 10)
    git(folder, "checkout", "-q", "-b", "feature")
    with open(os.path.join(folder, "feature.txt"), "w") as handle:
        handle.write("head\n")
    git(folder, "add", "feature.txt")
    git(folder, "commit", "-q", "-m", "head")
    head = git(folder, "rev-parse", "HEAD")
    state = os.path.join(folder, ".state")
    os.makedirs(state)
    db = os.path.join(folder, "h.db")
    env = environment()
    # Calls 0, 2, ..., 18 are base runs of rounds 0..9; call 21 the head's run of round 10.
    for call in range(22):
        commit = head if call % 2 else shas[min(call // 2, 9)]
        env_call = dict(env, HHBENCH_AB_COMMIT=commit)
        text = subprocess.run(["python3", GENERATOR, "--model", model, "--state", state, "--seed", str(seed), "--factor", str(factor),
                               "--head-sha", head], capture_output=True, text=True, env=env_call, check=True).stdout
        if (call % 2 == 0 and call <= 18) or call == 21:
            path = os.path.join(state, "run-%d.jsonl" % call)
            with open(path, "w") as handle:
                handle.write(text)
            subprocess.run([binary, "record", "--db", db, path, "--commit", commit, "--branch", "main" if call % 2 == 0 else "feature"],
                           cwd=folder, check=True, capture_output=True, env=env)
    result = subprocess.run([binary, "compare", "--db", db, "--since", "main", "--threshold", str(THRESHOLD), "--format", "json"],
                            cwd=folder, capture_output=True, text=True, env=env)
    report = json.loads(result.stdout)
    return {"exit": result.returncode, "verdicts": [row["verdict"] for row in report["comparisons"]]}


def trimmed_mean(values, share=0.2):
    """ab's estimator: the 20 % trimmed mean (at least one value off each end from 5 values on)."""
    ordered = sorted(values)
    n = len(ordered)
    if n < 5:
        return statistics.fmean(ordered)
    cut = max(1, int(share * n))
    return statistics.fmean(ordered[cut:n - cut])


def oracle(model, seed, factor, trials=400):
    """The sequential design with the true standard error of ab's own estimator at every round.

    From 8,000 rounds of the generator's own code: each series' round differences of mean log
    samples, cut into `trials` blocks of MAX_ROUNDS rounds. The oracle's estimate after k rounds is
    the 20 % trimmed mean of the block's first k differences (ab's estimator), and its standard
    error is that estimate's true SD across all blocks, not an estimate from the block: what
    knowing every variance buys in ab's own design. The mean-based oracle (the mean of the
    differences, with their true SD) is returned beside it.
    """
    state = tempfile.mkdtemp()
    differences = {}
    for call in range(0, 2 * trials * MAX_ROUNDS, 2):
        pair = []
        for offset in (0, 1):
            if model == "A":
                lines = ab_generators.generator_a(call + offset, seed + 999, 0.05, factor if offset else 1.0)
            else:
                lines = ab_generators.generator_b(call + offset, seed + 999, 0.05, factor if offset else 1.0, state)
            pair.append([statistics.fmean(math.log(v) for v in line["samples"]) for line in lines])
        for series, (base, head) in enumerate(zip(pair[0], pair[1])):
            differences.setdefault(series, []).append(head - base)
    bound = 2.2414  # SequentialBoundary.constant(alpha: 0.05)
    threshold = math.log1p(THRESHOLD / 100)
    outcome = {"trimmed": [0, 0], "mean": [0, 0]}
    for values in differences.values():
        blocks = [values[b * MAX_ROUNDS:(b + 1) * MAX_ROUNDS] for b in range(min(trials, len(values) // MAX_ROUNDS))]
        for name, estimate in (("trimmed", trimmed_mean), ("mean", statistics.fmean)):
            # The estimator's true SD after k rounds, across blocks (its centre is the true shift).
            sds = [statistics.pstdev([estimate(block[:k]) for block in blocks]) for k in range(1, MAX_ROUNDS + 1)]
            for block in blocks:
                outcome[name][1] += 1
                for k in range(1, MAX_ROUNDS + 1):
                    value = estimate(block[:k])
                    half = bound * math.sqrt(MAX_ROUNDS / k) * sds[k - 1]
                    if value - half > 0 and value >= threshold:
                        outcome[name][0] += 1
                        break
                    if value - half > -threshold and value + half < threshold:
                        break
    return {name: caught / total for name, (caught, total) in outcome.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(HERE, "..", ".build", "release", "hhbench"))
    parser.add_argument("--calls", type=int, default=20, help="ab calls per generator and condition (20 series each)")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--oracle-only", action="store_true", help="only the oracles (no hhbench calls)")
    arguments = parser.parse_args()
    binary = os.path.abspath(arguments.binary)
    work = tempfile.mkdtemp(prefix="ab-quality-")
    print("binary %s, %d calls per generator and condition, seeds from %d, threshold %d %%, at most %d rounds"
          % (binary, arguments.calls, arguments.seed, THRESHOLD, MAX_ROUNDS))
    for model in ("A", "B"):
        seeds = [arguments.seed + 1000 * (model == "B") + index for index in range(arguments.calls)]
        if arguments.oracle_only:
            print("generator %s: oracle (ab's trimmed estimator, true SE) %.1f %%, oracle (mean, true SE) %.1f %%"
                  % ((model,) + tuple(100 * oracle(model, seeds[0], 1.05)[k] for k in ("trimmed", "mean"))), flush=True)
            continue
        with ThreadPoolExecutor(arguments.jobs) as pool:
            power = list(pool.map(lambda s: ab_call(binary, model, s, 1.05, work), seeds))
            null = list(pool.map(lambda s: ab_call(binary, model, s, 1.0, work), seeds))
            unpaired = list(pool.map(lambda s: unpaired_call(binary, model, s, 1.05, work), seeds))
        caught = sum(v == "regression" for call in power for v in call["verdicts"]) / sum(len(call["verdicts"]) for call in power)
        caught_unpaired = sum(v == "regression" for call in unpaired for v in call["verdicts"]) / sum(len(c["verdicts"]) for c in unpaired)
        false_exits = sum(call["exit"] == 1 for call in null)
        false_series = sum(v == "regression" for call in null for v in call["verdicts"])
        oracles = oracle(model, seeds[0], 1.05)
        best = oracles["trimmed"]
        print("generator %s" % model)
        print("  +5 %%: ab caught %.1f %% of series within %d rounds (median %d rounds, %.1f s a call); "
              "unpaired compare of one run %.1f %%; oracle %.1f %% (mean-based oracle %.1f %%); ab / oracle %.2f"
              % (100 * caught, MAX_ROUNDS, statistics.median(c["rounds"] for c in power), statistics.median(c["seconds"] for c in power),
                 100 * caught_unpaired, 100 * best, 100 * oracles["mean"], caught / max(best, 1e-9)))
        print("  A/A: %d of %d calls exit 1 (%d of %d series flagged); median %d rounds; %d of %d calls decided every series"
              % (false_exits, len(null), false_series, sum(len(c["verdicts"]) for c in null), statistics.median(c["rounds"] for c in null),
                 sum(all(v == "unchanged" for v in c["verdicts"]) for c in null), len(null)))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
