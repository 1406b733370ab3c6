#!/usr/bin/env bash
# One dataset's row of the counts protocol in docs/benchmarks.md: our default command for 900 s,
# scored with counts out and without (the network's own cells), each at two seeds, then scVI on
# the same training counts for the same 900 s, scored by `wbdit eval` in the same space and
# floors; then both sets of counts scored by GGE (benchmarks/gge_score.py).
# Usage: [TOP_GENES=N] [LABELS=COLUMN] benchmarks/counts_vs_scvi.sh DATA.h5ad OUT_DIR [extra train flags…]
# (TOP_GENES: the genes kept, 2000 unless given; a file with fewer keeps them all.)
# Needs a release build (make build) and, for the peer, scvi-tools (pip install scvi-tools).
set -euo pipefail
data=$1 out=$2
shift 2
wbdit=${WBDIT:-.build/release/wbdit}
mkdir -p "$out"
"$wbdit" train --data "$data" --top-genes "${TOP_GENES:-2000}" --time-budget 900 --run "$out/run" "$@" 2>"$out/train.log" | tail -1
labels=${LABELS:+--labels $LABELS}   # LABELS=COLUMN: the obs column of cell types, for the type rows
"$wbdit" eval --run "$out/run" $labels --json > "$out/ours-counts.json"
"$wbdit" eval --run "$out/run" $labels --no-counts --json > "$out/ours-network.json"
"$wbdit" eval --run "$out/run" $labels --seed 1 --json > "$out/seed1-counts.json"
"$wbdit" eval --run "$out/run" $labels --seed 1 --no-counts --json > "$out/seed1-network.json"
python3 benchmarks/scvi_peer.py --run "$out/run" --out "$out/scvi.h5ad" --time-budget 900 > "$out/scvi.log" 2>&1
tail -1 "$out/scvi.log"
"$wbdit" eval --run "$out/run" $labels --generated "$out/scvi.h5ad" --json > "$out/scvi.json"
held_out=$(python3 -c "import json, sys; print(len(json.load(open(sys.argv[1]))['heldOutCells']))" "$out/run/split.json")
"$wbdit" sample --run "$out/run" --n "$held_out" --out "$out/counts.h5ad" 2>/dev/null
python3 benchmarks/gge_score.py --run "$out/run" --generated "$out/counts.h5ad" ${LABELS:+--labels $LABELS} > "$out/gge-ours.json"
python3 benchmarks/gge_score.py --run "$out/run" --generated "$out/scvi.h5ad" ${LABELS:+--labels $LABELS} > "$out/gge-scvi.json"
python3 benchmarks/summarize_counts.py "$out"
