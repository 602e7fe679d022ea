#!/usr/bin/env python3
"""Writes Examples/history.jsonl: 60 commits of main with the demo's benchmarks, in hhbench's
native format (one {"run": ...} line per run, its commit and first parent included), so
`hhbench record Examples/history.jsonl` gives a history to try `trend` and `report` on, with no
git repository. Deterministic (seeded); the file is committed, so running this is optional.

What it holds: computation_test/traced slows down by 15 % at commit 40 (a regression),
load_test gets 20 % faster at commit 25, cold_start creeps up slowly (drift), one commit of
computation_test/baseline is a one-off outlier, and the toolchain changes at commit 50.
"""
import hashlib
import json
import os
import random
import uuid

rng = random.Random(2026)
COMMITS = 60
MACHINE = {"name": "ci-linux", "hostname": "ci-linux", "os": "Debian GNU/Linux 12 (bookworm)", "kernel": "Linux 6.1",
           "arch": "x86_64", "cpu_model": "Example CPU", "cpu_cores": 4, "memory_bytes": 17179869184}
SUBJECTS = ["Tidy the span exporter", "Batch attribute writes", "Cache the sampler decision", "Add a context propagation test",
            "Move the clock behind a protocol", "Bump the HTTP client", "Inline the fast path of start_span",
            "Log dropped spans", "Refactor the config loader", "Reuse buffers in the encoder"]
AUTHORS = ["Ada Example", "Grace Example", "Linus Example"]


def sha_of(index):
    return hashlib.sha1(f"example commit {index}".encode()).hexdigest()


def samples(center, spread, count):
    return [round(center * (1 + rng.gauss(0, spread)), 4) for _ in range(count)]


lines = []
for i in range(COMMITS):
    sha = sha_of(i)
    day = 1 + i // 3
    time = f"2026-10-{day:02d}T{8 + (i % 3) * 3:02d}:00:00.000Z" if day <= 31 else f"2026-11-{day - 31:02d}T{8 + (i % 3) * 3:02d}:00:00.000Z"
    commit = {"sha": sha, "parents": [sha_of(i - 1)] if i else [], "subject": SUBJECTS[i % len(SUBJECTS)] + f" (#{100 + i})",
              "author_name": AUTHORS[i % len(AUTHORS)], "committed_at": time}
    run = {"uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "source_format": "native", "recorded_at": time,
           "branch": "main", "commit": commit, "machine": MACHINE, "toolchain": "cpython-3.11" if i < 50 else "cpython-3.12",
           "tags": {"suite": "sdk-performance"}}
    body = []
    baseline = 0.0485 * (1.6 if i == 33 else 1.0)
    traced = 0.0515 * (1.15 if i >= 40 else 1.0)
    body.append({"benchmark": "computation_test/baseline", "metric": "time_ms", "samples": samples(baseline, 0.015, 10)})
    body.append({"benchmark": "computation_test/traced", "metric": "time_ms", "samples": samples(traced, 0.015, 10)})
    body.append({"benchmark": "computation_test", "metric": "overhead_ratio", "value": round(traced / 0.0485 * (1 + rng.gauss(0, 0.01)), 4)})
    body.append({"benchmark": "memory_test", "metric": "memory_per_span_kb", "value": round(1.8 + rng.gauss(0, 0.02), 3)})
    load = 12.6 * (0.8 if i >= 25 else 1.0)
    body.append({"benchmark": "load_test", "metric": "time_ms", "samples": samples(load, 0.04, 10)})
    body.append({"benchmark": "load_test", "metric": "error_rate", "value": round(abs(0.004 + rng.gauss(0, 0.0005)), 5),
                 "direction": "lower_is_better", "unit": "ratio"})
    body.append({"benchmark": "cold_start", "metric": "time_ms", "samples": samples(180 * (1 + 0.004 * i), 0.01, 5)})
    text = "\n".join(json.dumps(line, separators=(",", ":")) for line in body)
    run["content_hash"] = hashlib.sha256(text.encode()).hexdigest()
    lines.append(json.dumps({"run": run}, separators=(",", ":")))
    lines.append(text)

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "history.jsonl"), "w") as out:
    out.write("\n".join(lines) + "\n")
