#!/usr/bin/env bash
# Builds and runs the tracing example, records its JSON lines with hhbench, then reads them back.
# Usage: Examples/TracingOverhead/run.sh [DB]   (default: a temporary database)
# HHBENCH_BIN names an hhbench binary to use (CI passes its debug build); else it is built in release.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
db=${1:-$(mktemp -d)/tracing.db}
export HHBENCH_DB=$db HHBENCH_MACHINE=${HHBENCH_MACHINE:-example}
swift build --package-path "$here" -c release
if [ -n "${HHBENCH_BIN:-}" ]; then
    hhbench=$(cd "$(dirname "$HHBENCH_BIN")" && pwd)/$(basename "$HHBENCH_BIN")
else
    (cd "$root" && swift build -c release --product hhbench)
    hhbench=$root/.build/release/hhbench
fi
cd "$root"
"$here/.build/release/TracingOverhead" | "$hhbench" record -
"$hhbench" show latest | sed -n '1,3p;/computation_test /p;/memory_per_span /p;/load_test .*error_rate/p'
echo "--- hhbench compare (the same commit's runs against themselves) ---"
"$hhbench" compare --against "$("$hhbench" runs --format json --limit 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')" \
    --metric 'overhead_ratio' --format markdown || true
echo "--- hhbench trend overhead_ratio ---"
"$hhbench" trend overhead_ratio --benchmark computation_test || true
