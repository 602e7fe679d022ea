#!/usr/bin/env bash
# Opens a warehouse in Datasette on loopback and reads one view as JSON: the README's browsing
# instructions work. Usage: Tests/tools/datasette_check.sh HHBENCH_BINARY
set -euo pipefail
hhbench=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
"$hhbench" record --db history.db "$root/Examples/demo.jsonl" > /dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
datasette serve history.db --metadata "$root/docs/datasette.json" --host 127.0.0.1 --port "$port" > datasette.log 2>&1 &
server=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/-/versions.json" > /dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/history/hh_measurements.json?_shape=array&metric=p95_time_ms" > rows.json
python3 - rows.json <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
assert rows and all(r["metric"] == "p95_time_ms" for r in rows), rows
assert {"run_id", "commit_sha", "branch", "machine", "recorded_at", "benchmark", "metric", "unit", "direction", "value"} <= set(rows[0])
print(f"datasette: hh_measurements served {len(rows)} p95_time_ms rows as JSON")
PY
curl -fsS "http://127.0.0.1:$port/history.json" | python3 -c '
import json, sys
page = json.load(sys.stdin)
visible = [t["name"] for t in page["tables"] if not t.get("hidden")]
views = [v["name"] if isinstance(v, dict) else v for v in page.get("views", [])]
assert not visible, f"storage tables should be hidden: {visible}"
assert {"hh_measurements", "hh_samples", "hh_runs", "hh_commits"} <= set(views), views
print("datasette: the views come first:", views)'
