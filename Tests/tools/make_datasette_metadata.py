#!/usr/bin/env python3
"""Writes docs/datasette.json from queries/*.sql: Datasette's metadata for an hhbench warehouse.

- The storage tables are hidden; the hh_* views (people-first columns since migration 0002) are
  described, and hh_samples gets facets and a default sort.
- Every shipped query is a canned query with its name, description and parameters. Datasette
  passes a parameter left empty as '' (hhbench query passes NULL), so each :param is read as
  nullif(:param, '') and numeric ones are cast, and the defaults in the queries apply in both.

Usage: python3 Tests/tools/make_datasette_metadata.py [--check]   (--check: exit 1 when the file differs)
"""
import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
NUMERIC = {"window": "INTEGER", "limit": "INTEGER", "last": "INTEGER", "threshold_pct": "REAL", "max_cv_pct": "REAL"}


def canned(path):
    text = open(path).read()
    name = re.search(r"^-- name: (.+)$", text, re.M).group(1).strip()
    description = re.search(r"^-- description: (.+)$", text, re.M).group(1).strip()
    params = [(p, d.strip()) for p, d in re.findall(r"^-- param: :(\w+)\s+(.*)$", text, re.M)]

    def read(match):
        param = match.group(1)
        value = f"nullif(:{param}, '')"
        return f"CAST({value} AS {NUMERIC[param]})" if param in NUMERIC else value

    # Parameters in the SQL only, not in its comments.
    sql = "\n".join(line if line.lstrip().startswith("--") else re.sub(r"(?<![:\w]):(\w+)", read, line) for line in text.splitlines())
    return name, {"title": name, "description": description + " Parameters: " + "; ".join(f"{p}: {d}" for p, d in params) + ".",
                  "sql": sql, "params": [p for p, _ in params]}


def metadata():
    queries = dict(canned(os.path.join(ROOT, "queries", f)) for f in sorted(os.listdir(os.path.join(ROOT, "queries"))) if f.endswith(".sql"))
    hidden = ["alert_deliveries", "benchmarks", "commits", "hh_schema_migrations", "machines", "measurements", "metrics", "runs", "sample_series"]
    tables = {name: {"hidden": True} for name in hidden}
    tables.update({
        "hh_measurements": {"description": "One row per run x benchmark x metric: benchmark, metric, value, unit, commit and time first, ids last.",
                            "facets": ["metric", "benchmark", "branch", "machine"], "sort_desc": "recorded_at", "size": 50},
        "hh_samples": {"description": "One row per raw sample, idx from 0 in recorded order.",
                       "facets": ["series", "benchmark", "machine"], "sort_desc": "recorded_at", "size": 100},
        "hh_runs": {"description": "One row per run, with its whole context.", "facets": ["branch", "machine", "source_format"],
                    "sort_desc": "recorded_at"},
        "hh_commits": {"description": "Recorded commits and their first-parent ancestry.", "sort_desc": "committed_at"},
    })
    return {
        "title": "hhbench history",
        "description": "Benchmark results warehouse. Start with the views: hh_measurements (one row per run x benchmark x metric), "
                       "hh_samples (every raw sample), hh_runs (runs with their context), hh_commits; or a canned query below. "
                       "Columns: docs/SCHEMA.md.",
        "databases": {"history": {"tables": tables, "queries": queries}},
    }


def main():
    text = json.dumps(metadata(), indent=2, ensure_ascii=False) + "\n"
    target = os.path.join(ROOT, "docs", "datasette.json")
    if "--check" in sys.argv:
        if open(target).read() != text:
            print("docs/datasette.json is not what queries/*.sql give: run python3 Tests/tools/make_datasette_metadata.py", file=sys.stderr)
            sys.exit(1)
        return
    with open(target, "w") as out:
        out.write(text)


if __name__ == "__main__":
    main()
