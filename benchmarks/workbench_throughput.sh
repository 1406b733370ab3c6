#!/usr/bin/env bash
# Training throughput with the workbench open against `wbdit train` headless, same preset
# (small: 256/3/8, batch 16), alternating A B A B. Each run's median seconds per step over
# steps 21..STEPS comes from its metrics.jsonl (the trainer's own clock around each step;
# the pause while the workbench samples is not in it, the CPU the map and the screen take is).
# Run: benchmarks/workbench_throughput.sh [STEPS] [ROUNDS]   (needs tmux and a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-500}; ROUNDS=${2:-2}
B=.build/release/wbdit
OUT=$(mktemp -d)
median() { python3 -c "
import json,sys
s=sorted(json.loads(l)['step_seconds'] for l in open('$1') if 'loss' in l and json.loads(l)['step']>20)
print(s[len(s)//2])"; }
for round in $(seq "$ROUNDS"); do
  $B train --data sample-data/zeisel2015.h5ad --arch wbdit --hidden 256 --depth 3 --heads 8 --patch 10 --batch 16 \
     --lr 1e-4 --steps "$STEPS" --checkpoint-every 250 --readout-every 25 --stratify level1 --run "$OUT/headless-$round" >/dev/null 2>&1
  echo "headless  round $round: $(median "$OUT/headless-$round/metrics.jsonl") s/step"
  tmux -L wbbench kill-server 2>/dev/null || true
  tmux -L wbbench new-session -d -s wb -x 120 -y 40 "LANG=C.UTF-8 $B tui --runs $OUT/tui-$round --steps $STEPS; sleep 3600"
  until grep -q "\"step\":$STEPS," "$OUT"/tui-$round/*/metrics.jsonl 2>/dev/null; do sleep 2; done
  tmux -L wbbench send-keys -t wb 3; sleep 1; tmux -L wbbench kill-server
  echo "workbench round $round: $(median "$(ls "$OUT"/tui-$round/*/metrics.jsonl)") s/step"
done
rm -rf "$OUT"
