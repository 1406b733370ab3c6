#!/usr/bin/env bash
# The engine's training-step benchmark against the PyTorch peer, side by side:
# for each configuration, ROUNDS alternating runs (wbdit with its AVX-512 kernels, wbdit
# with the portable ones, pytorch, …), every result one JSON line in $OUT, then a table
# of medians and ratios.
#
#   benchmarks/run-engine.sh [ROUNDS]     (needs a release build and PyTorch)
#   CONFIGS=recipe benchmarks/run-engine.sh 3    (only the recipe's shape: 200 scores, patch 40)
#   BF16=1 benchmarks/run-engine.sh 3            (also both sides with BF16 products:
#                                                 wbdit --precision bf16, PyTorch under autocast)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads=${THREADS:-2}
out=${OUT:-benchmarks/results/engine-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
mkdir -p "$(dirname "$out")"
wbdit=.build/release/wbdit

recipe=(
  "--arch wbdit --hidden 256 --depth 3 --heads 8 --genes 200 --patch 40 --steps ${STEPS:-40}"
  "--arch dit   --hidden 256 --depth 3 --heads 8 --genes 200 --patch 40 --steps ${STEPS:-40}"
)
paper=(
  "--arch wbdit --hidden 256 --depth 3 --heads 8 --genes 2000 --patch 10 --steps ${STEPS:-10}"
  "--arch dit   --hidden 256 --depth 3 --heads 8 --genes 2000 --patch 10 --steps ${STEPS:-10}"
  "--arch wbdit --hidden 768 --depth 3 --heads 8 --genes 2000 --patch 10 --steps ${STEPS:-10}"
  "--arch dit   --hidden 768 --depth 3 --heads 8 --genes 2000 --patch 10 --steps ${STEPS:-10}"
)
case ${CONFIGS:-all} in
  recipe) configs=("${recipe[@]}") ;;
  paper) configs=("${paper[@]}") ;;
  *) configs=("${recipe[@]}" "${paper[@]}") ;;
esac
common="--batch 16 --threads $threads --json"

for round in $(seq "$rounds"); do
  for config in "${configs[@]}"; do
    echo "round $round/$rounds: $config" >&2
    # shellcheck disable=SC2086
    $wbdit bench $config $common --kernels avx512 2>/dev/null >> "$out"
    # shellcheck disable=SC2086
    $wbdit bench $config $common --kernels portable 2>/dev/null >> "$out"
    # shellcheck disable=SC2086
    python3 benchmarks/pytorch/bench_step.py $config $common >> "$out"
    if [ -n "${BF16:-}" ]; then
      # shellcheck disable=SC2086
      $wbdit bench $config $common --kernels avx512 --precision bf16 2>/dev/null >> "$out"
      # shellcheck disable=SC2086
      python3 benchmarks/pytorch/bench_step.py $config $common --precision bf16 >> "$out"
    fi
  done
done
python3 benchmarks/summarize.py "$out"
