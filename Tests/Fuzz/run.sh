#!/usr/bin/env bash
# make fuzz: each parser under libFuzzer with AddressSanitizer and LeakSanitizer for
# FUZZ_SECONDS (default 60) each. New coverage is merged into Tests/Fuzz/Corpus/TARGET
# (which `make test` replays); a crash or leak is kept in Tests/Fuzz/Crashes/TARGET and
# fails the run, a hang in Tests/Fuzz/Hangs/TARGET (not replayed). A crash inside libhdf5
# that the product contains (HDF5ReadGuard) belongs in Tests/Fuzz/Faults: move it by hand. Prints one line per target: executions, coverage, corpus size, findings.
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-60}
binary=.build-fuzz/debug/wbdit-fuzz
targets=${FUZZ_TARGETS:-"npy safetensors checkpoint h5ad csv mtx theme config split metrics"}
status=0
for target in $targets; do
    work=$(mktemp -d)
    crashes=Tests/Fuzz/Crashes/$target
    mkdir -p "$crashes"
    LSAN_OPTIONS=suppressions=Tests/Fuzz/lsan-libhdf5.supp WBDIT_FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$work" "Tests/Fuzz/Corpus/$target" > "$work.log" 2>&1
    code=$?
    # An input that hangs cannot be replayed in the test process: it goes to Hangs/.
    for hang in "$crashes"/timeout-*; do
        [ -e "$hang" ] && mkdir -p "Tests/Fuzz/Hangs/$target" && mv "$hang" "Tests/Fuzz/Hangs/$target/"
    done
    WBDIT_FUZZ_TARGET=$target "$binary" -merge=1 "Tests/Fuzz/Corpus/$target" "$work" > /dev/null 2>&1
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work.log" | grep -o '[0-9]*$')
    coverage=$(grep -o 'cov: [0-9]*' "$work.log" | tail -1)
    found=$(ls "$crashes" | wc -l)
    printf '%-12s %10s executions in %ss  %-10s corpus %4d  findings %d%s\n' "$target" "${runs:-?}" "$seconds" "$coverage" \
        "$(ls Tests/Fuzz/Corpus/$target | wc -l)" "$found" "$([ $code -ne 0 ] && echo "  (exit $code: see $work.log)")"
    [ "$code" -ne 0 ] && status=1
    rm -rf "$work"
done
exit $status
