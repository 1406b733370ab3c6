"""The unit-interpretability benchmark: for each trained run, `wbdit inspect --units --json`
and, per kind of direction (the network's atoms or units, its heads, random directions in
the same layers, principal components), the share enriched for one type's markers and
the share specific to one type (docs/metrics.md, "Units in genes"). Prints a Markdown table.

    python3 benchmarks/units_enrichment.py --wbdit .build/release/wbdit \\
        pbmc3k:white-box:RUN:cell_type pbmc3k:DiT:RUN2:cell_type ...
"""
import argparse
import json
import subprocess
from collections import defaultdict

parser = argparse.ArgumentParser()
parser.add_argument("--wbdit", default=".build/release/wbdit")
parser.add_argument("runs", nargs="+", help="DATASET:MODEL:RUN:LABEL_COLUMN")
args = parser.parse_args()

print("| dataset | model | steps | network units: enriched / specific | heads: enriched / specific | random directions: enriched / specific | PCs: enriched / specific |")
print("|---|---|---|---|---|---|---|")
for spec in args.runs:
    dataset, model, run, column = spec.split(":")
    out = subprocess.run([args.wbdit, "inspect", "--run", run, "--units", "--labels", column, "--json"],
                         check=True, capture_output=True, text=True).stdout
    counts = defaultdict(lambda: [0, 0, 0])
    for line in out.splitlines():
        unit = json.loads(line)
        kind = "network" if unit["kind"] in ("atom", "unit") else unit["kind"]
        counts[kind][0] += 1
        counts[kind][1] += unit["q_value"] <= 0.05
        counts[kind][2] += (unit["specificity"] or 0) >= 0.9
    steps = max((json.loads(l).get("step", 0) for l in open(f"{run}/metrics.jsonl") if '"loss"' in l), default=0)

    def cell(kind):
        n, e, s = counts[kind]
        return f"{100 * e / n:.1f}% / {100 * s / n:.1f}% (of {n})"

    print(f"| {dataset} | {model} | {steps} | {cell('network')} | {cell('head')} | {cell('random')} | {cell('pca')} |")
