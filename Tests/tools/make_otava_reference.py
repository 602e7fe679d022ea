#!/usr/bin/env python3
"""Writes Tests/hhbenchTests/Fixtures/statistics/otava.json: series with steps of several sizes,
noise, outliers, a drift and a plateau, and the change points Apache Otava 0.8.0 finds in them with
its defaults (window 50, max p-value 0.001, min magnitude 0). Run once; the output is committed.
pip install apache-otava==0.8.0"""
import json, os, random
from otava.analysis import compute_change_points, split

rng = random.Random(42)

def noise(n, mean, sd):
    return [rng.gauss(mean, sd) for _ in range(n)]

def steps(levels, length, sd):
    out = []
    for level in levels:
        out += noise(length, level, sd)
    return out

series = {
    "single-big-step": steps([100, 150], 60, 3),
    "single-small-step": steps([100, 106], 80, 2),
    "step-too-small-for-noise": steps([100, 101], 60, 5),
    "three-steps": steps([50, 60, 45, 70], 40, 2),
    "tiny-noise-steps": steps([10, 10.5, 10.2], 30, 0.05),
    "pure-noise": noise(200, 20, 1),
    "noise-with-outliers": [x if i % 37 else x * 3 for i, x in enumerate(noise(150, 20, 1))],
    "step-with-outliers": [x if i % 23 else x + 40 for i, x in enumerate(steps([100, 120], 70, 2))],
    "drift": [100 + 0.2 * i + rng.gauss(0, 1) for i in range(150)],
    "drift-then-step": [100 + 0.05 * i + rng.gauss(0, 0.5) for i in range(80)] + noise(60, 115, 0.5),
    "plateau-then-regression": [50.0] * 40 + noise(40, 50, 0.2) + noise(40, 58, 0.2),
    "regression-and-recovery": steps([200, 260, 200], 50, 6),
    "short-series": steps([5, 8], 6, 0.1),
    "long-many-steps": steps([100, 110, 95, 130, 130, 80, 85], 60, 3),
    "improvement": steps([300, 240], 90, 10),
    "heavy-noise-large-step": steps([100, 180], 50, 25),
}

cases = []
for name, values in series.items():
    points, _ = compute_change_points(list(values))
    # compute_change_points returns its weak list after merge() has edited it in place: ask split() itself.
    weak = split(list(values), 50, 0.01)
    cases.append({
        "name": name,
        "values": values,
        "change_points": [
            {"index": int(c.index), "p_value": float(c.stats.pvalue), "mean_before": float(c.stats.mean_1), "mean_after": float(c.stats.mean_2)}
            for c in points
        ],
        "weak_change_points": [int(c.index) for c in weak],
    })
out = os.path.join(os.path.dirname(__file__), "..", "hhbenchTests", "Fixtures", "statistics", "otava.json")
json.dump(cases, open(out, "w"), indent=1)
for c in cases:
    print(f'{c["name"]:28s} n={len(c["values"]):4d} cps={[p["index"] for p in c["change_points"]]}')
