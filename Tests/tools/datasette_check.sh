#!/usr/bin/env bash
# Opens a warehouse in Datasette on loopback as the README says and checks what a person sees:
# the views first with people-first columns, the SQL box on a view, every shipped query as a
# canned query that runs (and gives rows on the example history), hh_samples faceted.
# Usage: Tests/tools/datasette_check.sh HHBENCH_BINARY
set -euo pipefail
hhbench=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
python3 "$root/Tests/tools/make_datasette_metadata.py" --check
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
"$hhbench" record --db history.db "$root/Examples/history.jsonl" > /dev/null
"$hhbench" record --db history.db "$root/Examples/demo.jsonl" > /dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
datasette serve history.db --metadata "$root/docs/datasette.json" --template-dir "$root/docs/datasette-templates" \
    --host 127.0.0.1 --port "$port" > datasette.log 2>&1 &
server=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/-/versions.json" > /dev/null 2>&1 && break
    sleep 0.2
done
base="http://127.0.0.1:$port/history"
curl -fsS "$base/hh_measurements.json?_shape=array&metric=p95_time_ms" > rows.json
python3 - rows.json <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
assert rows and all(r["metric"] == "p95_time_ms" for r in rows), rows
assert list(rows[0])[:6] == ["benchmark", "metric", "value", "unit", "commit", "recorded_at"], list(rows[0])
assert list(rows[0])[-3:] == ["run_id", "run_uuid", "machine_fingerprint"], list(rows[0])
print(f"datasette: hh_measurements served {len(rows)} p95_time_ms rows, benchmark, metric, value, unit, commit, time first")
PY
curl -fsS "$base.json" | python3 -c '
import json, sys
page = json.load(sys.stdin)
visible = [t["name"] for t in page["tables"] if not t.get("hidden")]
views = [v["name"] if isinstance(v, dict) else v for v in page.get("views", [])]
assert not visible, f"storage tables should be hidden: {visible}"
assert {"hh_measurements", "hh_samples", "hh_runs", "hh_commits"} <= set(views), views
print("datasette: the views come first:", views)'
curl -fsS "$base" > database.html
grep -q '<textarea id="sql-editor" name="sql">select \* from hh_measurements</textarea>' database.html \
    || { echo "datasette: the SQL box does not open on hh_measurements" >&2; exit 1; }
echo "datasette: the SQL box opens on hh_measurements"
# Every shipped query, as a canned query: with no parameters (the queries' defaults) and with some.
for sql in "$root"/queries/*.sql; do
    name=$(basename "$sql" .sql)
    for args in "" "&branch=main&window=5&limit=3"; do
        curl -fsS "$base/$name.json?_shape=objects$args" > "q-$name.json" || { echo "datasette: canned query $name failed" >&2; exit 1; }
        python3 - "q-$name.json" "$name" "$args" <<'PY'
import json, sys
page = json.load(open(sys.argv[1]))
assert page.get("ok", True) is not False, page
rows = page["rows"]
# On the example history (main, 60 commits) these answer with rows; budgets and regressions may rightly be empty.
if sys.argv[2] in ("latest", "runs", "trend", "baseline", "noisy"):
    assert rows, f"{sys.argv[2]}{sys.argv[3]}: no rows"
print(f"datasette: canned query {sys.argv[2]}{' with ' + sys.argv[3][1:] if sys.argv[3] else ''}: {len(rows)} rows")
PY
    done
done
curl -fsS "$base/hh_samples.json?_size=5" | python3 -c '
import json, sys
page = json.load(sys.stdin)
facets = page.get("facet_results", {})
facets = facets.get("results", facets)
assert "series" in facets and "benchmark" in facets, list(facets)
assert "order by recorded_at desc" in page["query"]["sql"], page["query"]["sql"]
print("datasette: hh_samples faceted by", ", ".join(sorted(facets)), "and sorted by recorded_at, newest first")'
