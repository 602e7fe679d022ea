#!/usr/bin/env python3
"""Writes Tests/hhbenchTests/Fixtures/statistics/*.json: reference answers from scipy/numpy for the
Statistics module's tests. Run once; the output is committed. (scipy 1.17, numpy 2.4)"""
import json, os
import numpy as np
from scipy import stats

out = os.path.join(os.path.dirname(__file__), "..", "hhbenchTests", "Fixtures", "statistics")
# The reference values of the run-level test, the trimmed mean and Benjamini-Hochberg are small
# enough to sit in StatisticsTests.swift with the scipy calls that made them in its comments.

t_cases = []
for df in [1, 2, 3, 5, 9, 30, 120]:
    for q in [0.9, 0.975, 0.995]:
        t_cases.append({"df": df, "q": q, "quantile": float(stats.t.ppf(q, df))})
    for t in [-2.5, 0.3, 1.7, 4.0]:
        t_cases.append({"df": df, "t": t, "sf": float(stats.t.sf(t, df))})
json.dump(t_cases, open(os.path.join(out, "student_t.json"), "w"), indent=1)
print(f"wrote {len(t_cases)} t cases")
