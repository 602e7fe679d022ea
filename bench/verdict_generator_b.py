"""A second history generator for bench/verdict_quality.py, written apart from the first and used
only to report, never to tune (issue 29).

Other sample families (gamma, Weibull, Laplace, a contaminated normal, a quantised timer), CVs
log-uniform from 0.5 to 8 %, means log-uniform over five decades, and noise models built another
way: run effects Laplace or Student-t(4) instead of normal, a bimodal machine state of +8 % with
probability 0.3, a +30 % noisy-neighbour run, AR(1) samples with rho = 0.7 from gamma innovations.
Each benchmark's true variances are kept, for the oracle.
"""
import math

import numpy as np

FAMILIES = ("gamma", "weibull", "laplace", "contaminated", "quantised")


def _family_draw(rng, family, cv, n):
    """n multiplicative noise values with mean 1 and SD cv."""
    if family == "gamma":
        k = 1.0 / (cv * cv)
        return rng.gamma(k, 1.0 / k, n)
    if family == "weibull":
        # Shape from the CV (Weibull CV ~ 1.2 / shape for small CV), then scaled to mean 1.
        shape = 1.2 / cv
        x = rng.weibull(shape, n)
        return x / math.gamma(1 + 1 / shape) if shape < 170 else x / np.mean(x)
    if family == "laplace":
        return 1 + rng.laplace(0, cv / math.sqrt(2), n)
    if family == "contaminated":
        # 90 % N(0, s), 10 % N(0, 4 s): total SD cv.
        s = cv / math.sqrt(0.9 + 0.1 * 16)
        wide = rng.random(n) < 0.1
        return 1 + rng.normal(0, s, n) * np.where(wide, 4.0, 1.0)
    # quantised: a timer tick of half a CV.
    tick = cv / 2
    return np.round((1 + rng.normal(0, cv, n)) / tick) * tick


class UniverseB:
    """One call's benchmarks under one noise model."""

    def __init__(self, rng, count, model):
        self.model = model
        self.count = count
        self.family = [FAMILIES[i] for i in rng.integers(0, len(FAMILIES), count)]
        self.cv = np.exp(rng.uniform(math.log(0.005), math.log(0.08), count))
        self.mean = np.exp(rng.uniform(math.log(0.01), math.log(1000.0), count))
        self.run_sd = {"run/2": 0.5, "run/1": 1.0, "neighbour": 0.5, "new-project": 1.0}.get(model, 0.0) * self.cv
        self.rho = 0.7 if model == "ar1" else 0.0
        self.neighbour_run = None

    def commits(self):
        return 2 if self.model == "new-project" else 10

    def start(self, rng, commits):
        """Chooses the noisy-neighbour run among the baseline's, for this history."""
        if self.model == "neighbour":
            self.neighbour_run = int(rng.integers(0, commits))

    def _run_effect(self, rng):
        if self.model in ("run/2", "neighbour"):
            return rng.laplace(0, self.run_sd / math.sqrt(2))
        if self.model in ("run/1", "new-project"):
            return rng.standard_t(4, self.count) * self.run_sd / math.sqrt(2)  # t4 has variance 2
        if self.model == "bimodal":
            return np.where(rng.random(self.count) < 0.3, 0.08, 0.0)
        return np.zeros(self.count)

    def run(self, rng, factors, per_run, index=None):
        """One run: per benchmark, `per_run` samples; `index` is the baseline run's position."""
        level = self.mean * factors * (1 + self._run_effect(rng))
        if index is not None and index == self.neighbour_run:
            level = level * 1.30
        out = []
        for b in range(self.count):
            noise = _family_draw(rng, self.family[b], self.cv[b], per_run)
            if self.rho > 0:
                # AR(1) in the noise: x_t = rho x_{t-1} + sqrt(1 - rho^2) e_t, started stationary.
                e = noise - 1
                x = np.empty(per_run)
                x[0] = e[0]
                for t in range(1, per_run):
                    x[t] = self.rho * x[t - 1] + math.sqrt(1 - self.rho ** 2) * e[t]
                noise = 1 + x
            out.append(np.maximum(level[b] * noise, level[b] * 0.01))
        return out

    def oracle_se(self, baseline_runs, candidate_runs, per_run):
        """The true SD of the log shift between the sides' mean run locations."""
        n = per_run
        if self.rho > 0:
            # Var(mean of n AR(1) values) / (sigma^2 / n) = 1 + 2 sum_k (1 - k/n) rho^k.
            inflation = 1 + 2 * sum((1 - k / n) * self.rho ** k for k in range(1, n))
        else:
            inflation = 1.0
        sampling = self.cv ** 2 / n * inflation
        if self.model == "bimodal":
            run_var = np.full(self.count, 0.3 * 0.7 * math.log(1.08) ** 2)
        else:
            run_var = self.run_sd ** 2
        clean_baseline = baseline_runs - (1 if self.model == "neighbour" else 0)
        return np.sqrt((run_var + sampling) * (1 / clean_baseline + 1 / candidate_runs))
