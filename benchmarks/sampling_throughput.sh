#!/usr/bin/env bash
# Generated cells per second as the sample grows: `wbdit sample` (DDIM 100 steps, batch 32)
# writing counts to .h5ad and writing the network's cells to .npy (the difference is the
# count model and the wider file), beside our PyTorch package's sampler on the same network
# shape, with each process's wall time and peak resident memory.
#
#   benchmarks/sampling_throughput.sh RUN OUT_DIR [CELLS...]      (default: 1000 10000 100000)
#
# The network's cells and PyTorch are timed up to NETWORK_MAX and PYTORCH_MAX cells
# (default 1000 each: at 14 cells/s, 10,000 cells take 12 minutes a row). Rows go to
# OUT_DIR/sampling.tsv. Needs a release build (make build) and PyTorch.
set -euo pipefail
run=$(realpath "${1:?usage: sampling_throughput.sh RUN OUT_DIR [CELLS...]}")
out=${2:?usage: sampling_throughput.sh RUN OUT_DIR [CELLS...]}
shift 2
sizes=("${@:-1000 10000 100000}")
wbdit=$(realpath "${WBDIT:-.build/release/wbdit}")
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
printf 'what\tcells\twall_s\tpeak_MiB\tcells_per_s\n' > "$out/sampling.tsv"

# timed WHAT CELLS COMMAND...: one row, from /usr/bin/time -v.
timed() {
    local what=$1 cells=$2; shift 2
    /usr/bin/time -v "$@" > "$out/$what-$cells.log" 2>&1 || { echo "$what failed: see $out/$what-$cells.log" >&2; exit 1; }
    awk -F': ' -v what="$what" -v cells="$cells" '
        /Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
        /Maximum resident set size/ { peak = $2 / 1024 }
        END { printf "%s\t%d\t%.1f\t%.0f\t%.1f\n", what, cells, s, peak, cells / s }' "$out/$what-$cells.log" | tee -a "$out/sampling.tsv"
}

shape=$(python3 -c "import json; m = json.load(open('$run/config.json'))['model']; print(m['architecture'], m['genes'], m['patchSize'], m['hiddenSize'], m['depth'], m['heads'])")
read -r arch genes patch hidden depth heads <<< "$shape"
for cells in ${sizes[*]}; do
    timed counts "$cells" "$wbdit" sample --run "$run" --n "$cells" --steps 100 --out "$out/generated.h5ad"
    [ "$cells" -gt "${NETWORK_MAX:-1000}" ] ||
        timed network "$cells" "$wbdit" sample --run "$run" --n "$cells" --steps 100 --values network --out "$out/generated.npy"
    rm -f "$out/generated.h5ad" "$out/generated.npy"
    [ "$cells" -gt "${PYTORCH_MAX:-1000}" ] || timed pytorch "$cells" python3 "$here/benchmarks/pytorch/bench_sample.py" --arch "$arch" \
        --genes "$genes" --patch "$patch" --hidden "$hidden" --depth "$depth" --heads "$heads" --cells "$cells" \
        --batch 32 --steps 100 --eta 1.0 --threads 2
done
