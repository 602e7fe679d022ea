#!/usr/bin/env bash
# Builds and runs the tracing example into a database, then reads it back with hhbench.
# Usage: Examples/TracingOverhead/run.sh [DB]   (default: a temporary database)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
db=${1:-$(mktemp -d)/tracing.db}
export HHBENCH_DB=$db HHBENCH_MACHINE=${HHBENCH_MACHINE:-example}
swift build --package-path "$here" -c release
(cd "$root" && swift build -c release --product hhbench)
cd "$root"
"$here/.build/release/TracingOverhead"
hhbench=$root/.build/release/hhbench
"$hhbench" show latest | sed -n '1,3p;/computation_test /p;/memory_per_span /p;/load_test .*error_rate/p'
echo "--- hhbench compare (the same commit's runs against themselves) ---"
"$hhbench" compare --against "$("$hhbench" runs --format json --limit 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')" \
    --metric 'overhead_ratio' --format markdown || true
echo "--- hhbench trend overhead_ratio ---"
"$hhbench" trend overhead_ratio --benchmark computation_test || true
