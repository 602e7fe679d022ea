#!/usr/bin/env python3
"""Writes Tests/hhbenchTests/Fixtures/statistics/*.json: reference answers from scipy/numpy for the
Statistics module's tests. Run once; the output is committed. (scipy 1.17, numpy 2.4)"""
import json, os, random
import numpy as np
from scipy import stats

out = os.path.join(os.path.dirname(__file__), "..", "hhbenchTests", "Fixtures", "statistics")
rng = random.Random(2026)

def sample(n, mu, sd, decimals=None):
    xs = [rng.gauss(mu, sd) for _ in range(n)]
    return [round(x, decimals) for x in xs] if decimals is not None else xs

pairs = [
    ("tiny", [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]),
    ("tiny-overlap", [1.1, 2.2, 3.3, 4.4], [2.5, 3.6, 4.7, 5.8, 6.9]),
    ("n5-shift", sample(5, 10, 1), sample(5, 12, 1)),
    ("n7-same", sample(7, 10, 1), sample(7, 10, 1)),
    ("n10-8pct", sample(10, 100, 3), sample(10, 108, 3)),
    ("n12-n9", sample(12, 50, 5), sample(9, 53, 5)),
    ("n20-noise", sample(20, 1.0, 0.2), sample(20, 1.05, 0.2)),
    ("n30-shift", sample(30, 5.0, 0.5), sample(30, 5.6, 0.5)),
    ("n50-n40", sample(50, 2.0, 0.3), sample(40, 2.1, 0.3)),
    ("ties-rounded", sample(15, 10, 1, 0), sample(15, 11, 1, 0)),
    ("ties-heavy", [1, 1, 1, 2, 2, 3, 3, 3, 3], [2, 3, 3, 4, 4, 4, 5]),
    ("n100-asym", sample(100, 0.05, 0.004), sample(100, 0.052, 0.004)),
    ("n200-n60", sample(200, 12, 2), sample(60, 12.5, 2)),
    ("identical", [3.0, 3.0, 3.0, 3.0, 3.0], [3.0, 3.0, 3.0, 3.0, 3.0]),
]
cases = []
for name, x, y in pairs:
    case = {"name": name, "x": x, "y": y}
    asym = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True)
    case["u"] = float(asym.statistic)
    case["p_asymptotic"] = float(asym.pvalue)
    has_ties = len(set(x + y)) < len(x) + len(y)
    if not has_ties and len(x) <= 50 and len(y) <= 50:
        exact = stats.mannwhitneyu(x, y, alternative="two-sided", method="exact")
        case["p_exact"] = float(exact.pvalue)
    diffs = sorted(b - a for a in x for b in y)
    case["hodges_lehmann"] = float(np.median(diffs))
    cases.append(case)
json.dump(cases, open(os.path.join(out, "mannwhitneyu.json"), "w"), indent=1)

t_cases = []
for df in [1, 2, 3, 5, 9, 30, 120]:
    for q in [0.9, 0.975, 0.995]:
        t_cases.append({"df": df, "q": q, "quantile": float(stats.t.ppf(q, df))})
    for t in [-2.5, 0.3, 1.7, 4.0]:
        t_cases.append({"df": df, "t": t, "sf": float(stats.t.sf(t, df))})
json.dump(t_cases, open(os.path.join(out, "student_t.json"), "w"), indent=1)
print(f"wrote {len(cases)} Mann-Whitney cases and {len(t_cases)} t cases")
