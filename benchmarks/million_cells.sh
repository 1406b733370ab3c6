#!/usr/bin/env bash
# A million cells end to end on one machine: every stage's wall time and peak resident
# memory (/usr/bin/time -v), beside scanpy's preprocessing of the same file.
#
#   benchmarks/million_cells.sh OUT_DIR [CELLS] [TRAIN_SECONDS] [SAMPLED_CELLS]
#
# The file: CELLS (default 1,000,000) copies of PBMC 3k's real cells (32,738 genes, CSR
# counts) with random size factors and Poisson noise (benchmarks/make_streaming_file.py).
# Stages: scanpy's read + normalize_total + log1p + seurat HVG + write (the peer, skipped
# with SKIP_SCANPY=1); `wbdit train --streaming` with the README's default otherwise
# (--top-genes 2000, TRAIN_SECONDS of training); `wbdit sample` of SAMPLED_CELLS counts;
# `wbdit eval` and `wbdit report` on the run; and the workbench reopening the run in tmux
# until its map is drawn. Rows go to OUT_DIR/stages.tsv. Needs a release build (make build).
set -euo pipefail
out=${1:?usage: million_cells.sh OUT_DIR [CELLS] [TRAIN_SECONDS] [SAMPLED_CELLS]}
cells=${2:-1000000}
seconds=${3:-600}
sampled=${4:-2000}
wbdit=$(realpath "${WBDIT:-.build/release/wbdit}")
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
cd "$out"
data=cells.h5ad
# KEEP_RUN=1 keeps a trained run and the rows timed so far, and runs the stages still missing.
[ "${KEEP_RUN:-0}" = 1 ] && [ -f stages.tsv ] || printf 'stage\twall_s\tpeak_MiB\n' > stages.tsv

# stage NAME COMMAND...: runs COMMAND under /usr/bin/time -v, its output in NAME.log (with
# KEEP_RUN=1, a stage already in stages.tsv is not run again).
stage() {
    local name=$1; shift
    [ "${KEEP_RUN:-0}" = 1 ] && grep -q "^$name"$'\t' stages.tsv && return
    /usr/bin/time -v "$@" > "$name.log" 2>&1 || { echo "$name failed: see $out/$name.log" >&2; exit 1; }
    local wall peak
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$name.log")
    peak=$(awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$name.log")
    printf '%s\t%s\t%s\n' "$name" "$wall" "$peak" | tee -a stages.tsv
}

[ -f "$data" ] || stage make-file python3 "$here/benchmarks/make_streaming_file.py" \
    --source "$here/sample-data/pbmc3k_counts.h5ad" --label cell_type --cells "$cells" --out "$data"
[ "${SKIP_SCANPY:-0}" = 1 ] || stage scanpy-prep python3 "$here/benchmarks/scanpy_prep.py" "$data" scanpy-prep.h5ad 2000
if [ "${KEEP_RUN:-0}" != 1 ] || [ ! -d run ]; then
    rm -rf run
    stage train "$wbdit" train --data "$data" --streaming --top-genes 2000 --time-budget "$seconds" --run run
fi
stage sample "$wbdit" sample --run run --n "$sampled" --steps 100 --out generated.h5ad
stage eval "$wbdit" eval --run run --json
stage report "$wbdit" report --run run --out report.html

# The workbench reopening the run: until its Cells screen shows the finished map (KL in the title).
session=wbdit-million-$$
tmux new-session -d -s "$session" -x 160 -y 48 \
    "/usr/bin/time -v $wbdit tui --run run 2> workbench.log; sleep 2"
start=$(date +%s.%N)
tmux send-keys -t "$session" 3
until tmux capture-pane -p -t "$session" | grep -q 'held-out cells .* KL'; do
    sleep 0.5
    if ! tmux has-session -t "$session" 2> /dev/null; then echo "the workbench exited: see $out/workbench.log" >&2; exit 1; fi
done
mapped=$(echo "$(date +%s.%N) - $start" | bc)
tmux capture-pane -p -t "$session" > workbench-map.txt
tmux send-keys -t "$session" q
while tmux has-session -t "$session" 2> /dev/null; do sleep 0.5; done
peak=$(awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' workbench.log)
printf 'workbench-map\t%.1f\t%s\n' "$mapped" "$peak" | tee -a stages.tsv
