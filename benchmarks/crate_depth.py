"""CRATE's claims on real cells: does the coding rate R^c fall and the sparsity rise with
depth? For each run, `wbdit inspect --run R --noise-step T --cells N --json` on its
held-out cells at each noise level T; prints one Markdown row per run and level.

    python3 benchmarks/crate_depth.py --wbdit .build/release/wbdit pbmc3k:white-box:RUN pbmc3k:DiT:RUN2 ...
"""
import argparse
import json
import subprocess

parser = argparse.ArgumentParser()
parser.add_argument("--wbdit", default=".build/release/wbdit")
parser.add_argument("--steps", default="10,100,500,900")
parser.add_argument("--cells", type=int, default=512)
parser.add_argument("runs", nargs="+", help="DATASET:MODEL:RUN")
args = parser.parse_args()

print("| dataset | model | noise step | R^c by layer (nats; ceiling) | falls with depth | sparsity by layer | rises with depth |")
print("|---|---|---|---|---|---|---|")
for spec in args.runs:
    dataset, model, run = spec.split(":")
    for step in args.steps.split(","):
        out = subprocess.run([args.wbdit, "inspect", "--run", run, "--noise-step", step, "--cells", str(args.cells), "--json"],
                             check=True, capture_output=True, text=True).stdout
        layers = json.loads(out)["layers"]
        rates = [l["coding_rate"] for l in layers]
        sparsity = [l["sparsity"] for l in layers]
        falls = all(b < a for a, b in zip(rates, rates[1:]))
        rises = all(b > a for a, b in zip(sparsity, sparsity[1:]))
        print(f"| {dataset} | {model} | {step} | {' → '.join(f'{r:.1f}' for r in rates)} ({layers[0]['ceiling']:.1f}) | "
              f"{'yes' if falls else 'no'} | {' → '.join(f'{s:.3f}' for s in sparsity)} | {'yes' if rises else 'no'} |")
