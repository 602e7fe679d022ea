#!/usr/bin/env bash
# Fuzzes every input parser with libFuzzer for a bounded time each, seeded from the test fixtures.
#
#   Tests/fuzz/run.sh [SECONDS] [TARGET...]     # default: 30 s for each target, all targets
#   FUZZ_JOBS=2 Tests/fuzz/run.sh 600           # two targets at a time
#   FUZZ_SHARED_BUILD=1 Tests/fuzz/run.sh 30    # CI: build beside the debug build, reusing its dependencies
#
# A crash, a trap, a failed property or a hang (over 10 s on one input) stops that target; the
# input is saved under Tests/hhbenchTests/Fixtures/fuzz/TARGET/ (the tests replay every file
# there) and the script exits 1. Prints each target's executions, coverage and corpus size.
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-30}"
shift || true
all=(json timestamp config detect native pytest-benchmark hyperfine hyperfine-csv google-benchmark go-bench
     package-benchmark-jmh package-benchmark-influx perf-baseline)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
jobs="${FUZZ_JOBS:-1}"

if [ -n "${FUZZ_SHARED_BUILD:-}" ]; then
    # CI's quick build: in .build, beside the debug build, whose compiled dependencies (GRDB,
    # swift-crypto) it reuses as they are, unoptimised; only our modules are rebuilt,
    # optimised and instrumented. About 75 s instead of 6 min; in CI each target ran about as many
    # executions as with the release build. It replaces the debug build's own modules: run it last.
    echo "building the fuzzers (debug dependencies, our modules optimised, libFuzzer + AddressSanitizer) ..."
    HHBENCH_FUZZ=1 swift build -c debug --product hhbench-fuzz 2>&1 | grep -E "error|warning: unre|Compiling|Build" | tail -3
    fuzzer=.build/debug/hhbench-fuzz
else
    echo "building the fuzzers (release, libFuzzer + AddressSanitizer) ..."
    HHBENCH_FUZZ=1 swift build -c release --scratch-path .build-fuzz --product hhbench-fuzz 2>&1 | grep -E "error|warning: unre|Compiling|Build" | tail -3
    fuzzer=.build-fuzz/release/hhbench-fuzz
fi
[ -x "$fuzzer" ] || { echo "the fuzz build failed"; exit 1; }

fixtures=Tests/hhbenchTests/Fixtures
seeds_for() {
    case "$1" in
        json|detect) find "$fixtures" -type f \( -name '*.json' -o -name '*.jsonl' -o -name '*.csv' -o -name '*.txt' \) ;;
        native) find "$fixtures" -type f -name '*.jsonl' ;;
        pytest-benchmark) find "$fixtures/pytest-benchmark" -type f ;;
        hyperfine) find "$fixtures/hyperfine" "$fixtures/hyperfine-extra" -type f -name '*.json' ;;
        hyperfine-csv) find "$fixtures/hyperfine" "$fixtures/hyperfine-extra" -type f -name '*.csv' ;;
        google-benchmark) find "$fixtures/google-benchmark" -type f ;;
        go-bench) find "$fixtures/go" -type f ;;
        package-benchmark-jmh) find "$fixtures/swift-package-benchmark/jmh" -type f ;;
        package-benchmark-influx) find "$fixtures/swift-package-benchmark/influx" -type f ;;
        perf-baseline) find "$fixtures/perf-baseline" -type f ;;
        timestamp) find Tests/fuzz/seeds/"$1" -type f ;;
        config) find Tests/fuzz/seeds/config "$fixtures/toml-test" -type f -name '*.toml' ;;
    esac
    [ -d "$fixtures/fuzz/$1" ] && find "$fixtures/fuzz/$1" -type f
}

fuzz_one() {
    local target="$1"
    local corpus=".build-fuzz/corpus/$target" seeds=".build-fuzz/seeds/$target" artifacts=".build-fuzz/artifacts/$target"
    rm -rf "$artifacts" "$seeds"
    mkdir -p "$corpus" "$seeds" "$artifacts"
    seeds_for "$target" | while read -r file; do cp "$file" "$seeds/$(echo "$file" | tr '/' '_')"; done
    local log=".build-fuzz/$target.log"
    # The config target compares hhbench's TOML reader with Python's tomllib on every input.
    local oracle=()
    if [ "$target" = config ]; then oracle=(HHBENCH_TOMLLIB_ORACLE="$PWD/Tests/tools/tomllib_oracle.py"); fi
    local extra=() asan="${ASAN_OPTIONS:-}"
    # Swift's own crash backtracer trips AddressSanitizer after a trap: libFuzzer reports the trap instead.
    env "${oracle[@]}" ASAN_OPTIONS="$asan" SWIFT_BACKTRACE=enable=no HHBENCH_FUZZ_TARGET="$target" "$fuzzer" "$corpus" "$seeds" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
        -max_len=262144 -print_final_stats=1 -artifact_prefix="$artifacts/" "${extra[@]}" >"$log" 2>&1
    local status=$?
    local execs cov corpus_size
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    cov=$(grep -oE '(DONE|pulse|REDUCE|NEW) +cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')
    corpus_size=$(find "$corpus" -type f | wc -l)
    if [ $status -ne 0 ]; then
        mkdir -p "$fixtures/fuzz/$target"
        for crash in "$artifacts"/*; do [ -f "$crash" ] && cp "$crash" "$fixtures/fuzz/$target/"; done
        echo "FAIL $target after ${execs:-?} executions: see $log; inputs saved in $fixtures/fuzz/$target/"
        grep -m5 -E 'ERROR|Fatal error|Precondition|SUMMARY|deadly signal|timeout' "$log" | sed 's/^/    /'
        return 1
    fi
    printf 'ok   %-26s %10s executions in %s s, %s, corpus %s inputs\n' "$target" "${execs:-?}" "$seconds" "${cov:-cov: ?}" "$corpus_size"
}

failed=0
running=0
for target in "${targets[@]}"; do
    fuzz_one "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n || failed=1; running=$((running - 1)); fi
done
while [ "$running" -gt 0 ]; do wait -n || failed=1; running=$((running - 1)); done
exit $failed
