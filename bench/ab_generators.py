"""Two bench commands for bench/ab_quality.py, written apart (issue 30): `hhbench ab` runs one of
them in each worktree, and it prints one run of hhbench JSON lines, 20 series.

Both know which round they are in from a call counter kept in --state (ab runs base and head once
each a round, no warm-up), so what a round shares is drawn from the round's own seed.

Generator A (tuned on): normal run factor of SD --run-noise shared by both runs of a round,
a bimodal machine state (+15 % with probability 0.3) shared by the round, which flips for one run
of the round with probability 0.1; lognormal samples of CV 5 %, 20 a run.

Generator B (reported only): other code and shapes. A run factor that drifts from round to round
(AR(1), rho 0.8, Student-t(3) innovations) shared by the round; a noisy neighbour that slows one
run alone by +30 % with probability 0.1; the machine's state a two-state Markov chain over runs
(not rounds: it may change between the two runs of a round) of +8 %; gamma samples with CVs from
1 to 10 % by series, 10 to 40 a run, read through a quantised timer of 0.01 ms.

The head (the worktree whose commit is --head-sha) is --factor times slower in every series.
"""
import argparse
import json
import math
import os
import random

SERIES = 20


def counter(state):
    path = os.path.join(state, "calls")
    calls = int(open(path).read()) if os.path.exists(path) else 0
    with open(path, "w") as handle:
        handle.write(str(calls + 1))
    return calls


def generator_a(calls, seed, run_noise, factor):
    shared = random.Random(seed * 1_000_003 + calls // 2)
    own = random.Random(seed * 1_000_003 + 500_000 + calls)
    run = shared.gauss(0, run_noise)
    slow = shared.random() < 0.3
    if own.random() < 0.1:
        slow = not slow
    lines = []
    for series in range(SERIES):
        level = 2.0 ** (series % 7) * factor * math.exp(run) * (1.15 if slow else 1.0)
        samples = [level * math.exp(own.gauss(0, 0.05)) for _ in range(20)]
        lines.append({"benchmark": "a_%02d" % series, "metric": "time_ms", "samples": samples})
    return lines


def generator_b(calls, seed, run_noise, factor, state):
    # The drift over rounds and the machine's Markov state live in the state folder.
    path = os.path.join(state, "b.json")
    memory = json.load(open(path)) if os.path.exists(path) else {"round": -1, "drift": 0.0, "busy": False}
    rng = random.Random(seed * 7_919 + calls * 31 + 17)
    round_number = calls // 2
    if memory["round"] != round_number:
        draw = random.Random(seed * 7_919 + round_number)
        chi = sum(draw.gauss(0, 1) ** 2 for _ in range(3)) / 3
        t3 = draw.gauss(0, 1) / math.sqrt(max(chi, 1e-9))  # Student-t(3): variance 3
        innovation = run_noise * math.sqrt(1 - 0.8 ** 2) * t3 / math.sqrt(3)
        memory = {"round": round_number, "drift": 0.8 * memory["drift"] + innovation, "busy": memory["busy"]}
    if rng.random() < (0.2 if not memory["busy"] else 0.3):
        memory["busy"] = not memory["busy"]
    json.dump(memory, open(path, "w"))
    neighbour = 1.3 if rng.random() < 0.1 else 1.0
    state_factor = 1.08 if memory["busy"] else 1.0
    lines = []
    for series in range(SERIES):
        cv = 0.01 * 10 ** (series / (SERIES - 1))
        shape = 1 / (cv * cv)
        n = 10 + (series * 7) % 31
        level = (0.5 + series) * factor * math.exp(memory["drift"]) * neighbour * state_factor
        samples = [max(0.01, round(level * rng.gammavariate(shape, 1 / shape), 2)) for _ in range(n)]
        lines.append({"benchmark": "b_%02d" % series, "metric": "time_ms", "samples": samples})
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["A", "B"], required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--run-noise", type=float, default=0.05)
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--head-sha", default="")
    parser.add_argument("--log", help="also keep each output here, by call number and side")
    arguments = parser.parse_args()
    calls = counter(arguments.state)
    head = bool(arguments.head_sha) and os.environ.get("HHBENCH_AB_COMMIT") == arguments.head_sha
    factor = arguments.factor if head else 1.0
    if arguments.model == "A":
        lines = generator_a(calls, arguments.seed, arguments.run_noise, factor)
    else:
        lines = generator_b(calls, arguments.seed, arguments.run_noise, factor, arguments.state)
    text = "".join(json.dumps(line) + "\n" for line in lines)
    if arguments.log:
        with open(os.path.join(arguments.log, "%05d-%s.jsonl" % (calls, "head" if head else "base")), "w") as handle:
            handle.write(text)
    print(text, end="")


if __name__ == "__main__":
    main()
