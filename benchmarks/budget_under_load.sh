#!/usr/bin/env bash
# A time budget on a busy machine: the default command on PBMC 3k with BUSY busy loops
# running beside it for its first BUSY_SECONDS (while the step is timed), then scored by
# `wbdit eval` with counts out and without. Each wbdit named in WBDITS trains once loaded;
# the last also trains once on a quiet machine, for what the budget buys undisturbed.
#
#   WBDITS="old/wbdit .build/release/wbdit" benchmarks/budget_under_load.sh OUT
#
# Prints one line per run: steps, wall seconds, and the run's length choice; OUT/NAME-*.json
# hold the scores (benchmarks/summarize_counts.py reads them).
set -euo pipefail
out=${1:?usage: WBDITS="A B" budget_under_load.sh OUT}
data=${DATA:-sample-data/pbmc3k_counts.h5ad}
budget=${BUDGET:-240}
busy=${BUSY:-4}
busy_seconds=${BUSY_SECONDS:-45}
read -r -a wbdits <<< "${WBDITS:-.build/release/wbdit}"
mkdir -p "$out"

train() {  # NAME WBDIT LOADED
  local name=$1 wbdit=$2 loaded=$3 start
  rm -rf "$out/$name"
  if [ "$loaded" = yes ]; then
    for _ in $(seq "$busy"); do timeout "$busy_seconds" sh -c 'while :; do :; done' & done
  fi
  start=$(date +%s)
  "$wbdit" train --data "$data" --top-genes 2000 --time-budget "$budget" --run "$out/$name" 2> "$out/$name.log" > "$out/$name.out"
  echo "$name: $(grep -o 'spent at step [0-9]*\|completed [0-9]* steps' "$out/$name.out"), $(( $(date +%s) - start )) s wall; $(python3 -c "import json; print(json.load(open('$out/$name/config.json'))['lengthChoice'])")"
  wait
}

for i in "${!wbdits[@]}"; do train "loaded-$i" "${wbdits[$i]}" yes; done
last=${wbdits[${#wbdits[@]}-1]}
train quiet "$last" no
for run in "$out"/loaded-* "$out/quiet"; do
  [ -d "$run" ] || continue
  "$last" eval --run "$run" --labels cell_type --json > "$run-counts.json" 2>/dev/null
  "$last" eval --run "$run" --labels cell_type --no-counts --json > "$run-network.json" 2>/dev/null
done
