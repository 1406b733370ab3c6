#!/usr/bin/env bash
# The engine's training-step benchmark against the PyTorch peer, side by side:
# for each configuration, ROUNDS alternating runs (wbdit, pytorch, wbdit, pytorch, …),
# every result one JSON line in $OUT, then a table of medians and ratios.
#
#   benchmarks/run-engine.sh [ROUNDS]     (needs a release build and PyTorch)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads=${THREADS:-2}
out=${OUT:-benchmarks/results/engine-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
mkdir -p "$(dirname "$out")"
wbdit=.build/release/wbdit

configs=(
  "--arch wbdit --hidden 256 --depth 3 --heads 8"
  "--arch dit   --hidden 256 --depth 3 --heads 8"
  "--arch wbdit --hidden 768 --depth 3 --heads 8"
  "--arch dit   --hidden 768 --depth 3 --heads 8"
)
common="--genes 2000 --patch 10 --batch 16 --steps ${STEPS:-10} --threads $threads --json"

for round in $(seq "$rounds"); do
  for config in "${configs[@]}"; do
    echo "round $round/$rounds: $config" >&2
    # shellcheck disable=SC2086
    $wbdit bench $config $common 2>/dev/null >> "$out"
    # shellcheck disable=SC2086
    python3 benchmarks/pytorch/bench_step.py $config $common >> "$out"
  done
done
python3 benchmarks/summarize.py "$out"
