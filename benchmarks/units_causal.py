"""Causal checks of the units `wbdit inspect --units` reads: scale one unit while sampling
(`wbdit sample --scale-unit`) and measure what moves, beside scaling a random unit of the
same layer.

For the `--units` most specific units of a run (by AUC, one type each) and as many random
units of the same layers: cells generated with the unit ×`--scale` and ×0, against cells
from the same seed untouched (the network's own cells, `--values network`). Measured:
- the share of generated cells a kNN classifier (15 neighbours, 50 PCs, trained on the
  run's real cells and types) calls the unit's type: amplified − untouched, removed − untouched;
- the mean expression of the unit's 20 most positively correlated genes, amplified − untouched;
- for removal, whether its own type's share moves more than any other type's.

    python3 benchmarks/units_causal.py --wbdit .build/release/wbdit --run R --data D.h5ad --labels cell_type
"""
import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import anndata
import numpy as np
import scanpy as sc
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier

parser = argparse.ArgumentParser()
parser.add_argument("--wbdit", default=".build/release/wbdit")
parser.add_argument("--run", required=True)
parser.add_argument("--data", required=True)
parser.add_argument("--labels", required=True)
parser.add_argument("--units", type=int, default=5)
parser.add_argument("--scale", type=float, default=4)
parser.add_argument("--cells", type=int, default=300)
parser.add_argument("--steps", type=int, default=50)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

config = json.load(open(Path(args.run) / "config.json"))
genes = config["data"]["geneNames"]
real = anndata.read_h5ad(args.data)
sc.pp.normalize_total(real, target_sum=config["data"]["preparation"]["targetSum"])
sc.pp.log1p(real)
real = real[:, genes]
x_real = np.asarray(real.X.todense() if hasattr(real.X, "todense") else real.X)
types = real.obs[args.labels].astype(str).values
pca = PCA(50, random_state=0).fit(x_real)
knn = KNeighborsClassifier(15).fit(pca.transform(x_real), types)
names = sorted(set(types))

units = [json.loads(l) for l in subprocess.run([args.wbdit, "inspect", "--run", args.run, "--units", "--labels", args.labels, "--json"],
                                               check=True, capture_output=True, text=True).stdout.splitlines()]
network = [u for u in units if u["kind"] in ("atom", "unit") and u["type"] is not None]
chosen = sorted(network, key=lambda u: (-u["specificity"], u["layer"], u["index"]))[: args.units]
rng = np.random.default_rng(args.seed)
comparators = []
for u in chosen:
    pool = [v for v in network if v["layer"] == u["layer"] and v["index"] != u["index"]]
    comparators.append(pool[rng.integers(len(pool))])

tmp = Path(tempfile.mkdtemp())


def sample(spec=None):
    out = tmp / f"{spec or 'plain'}.h5ad".replace(":", "_")
    command = [args.wbdit, "sample", "--run", args.run, "--n", str(args.cells), "--steps", str(args.steps), "--seed", str(args.seed),
               "--values", "network", "--out", str(out)]
    if spec:
        command += ["--scale-unit", spec]
    subprocess.run(command, check=True, capture_output=True)
    x = anndata.read_h5ad(out).X
    predicted = knn.predict(pca.transform(np.asarray(x)))
    return np.asarray(x), {t: float(np.mean(predicted == t)) for t in names}


plain_x, plain_share = sample()


def effect(u):
    top = [genes.index(g["gene"]) for g in u["top_genes"] if g["rho"] > 0][:20]
    amp_x, amp_share = sample(f"{u['layer']}:{u['index']}:{args.scale:g}")
    _, off_share = sample(f"{u['layer']}:{u['index']}:0")
    t = u["type"]
    moved = {s: off_share[s] - plain_share[s] for s in names}
    own_most = abs(moved[t]) > max(abs(v) for s, v in moved.items() if s != t)   # strictly: nothing moving is not "most"
    genes_up = float(amp_x[:, top].mean() - plain_x[:, top].mean()) if top else float("nan")
    return amp_share[t] - plain_share[t], moved[t], own_most, genes_up


print(f"run {args.run}: {args.cells} cells, DDIM {args.steps} steps, seed {args.seed}; scale ×{args.scale:g} and ×0")
print("| unit (layer:index) | type (AUC) | amplified: type share Δ | its genes Δ (log) | removed: type share Δ | own type moves most | random unit | its type | amplified Δ | genes Δ | removed Δ | own most |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
rows = []
for u, r in zip(chosen, comparators):
    a, b = effect(u), effect(r)
    rows.append((a, b))
    print(f"| {u['layer']}:{u['index']} | {u['type']} ({u['specificity']:.3f}) | {a[0]:+.3f} | {a[3]:+.3f} | {a[1]:+.3f} | {'yes' if a[2] else 'no'} "
          f"| {r['layer']}:{r['index']} | {r['type']} | {b[0]:+.3f} | {b[3]:+.3f} | {b[1]:+.3f} | {'yes' if b[2] else 'no'} |")
mean = lambda k, side: float(np.nanmean([row[side][k] for row in rows]))   # a unit with no positively tracking gene has no genes Δ
print(f"\nmeans — specific units: amplified type share {mean(0, 0):+.3f}, genes {mean(3, 0):+.3f}, removed {mean(1, 0):+.3f}, own type moves most {sum(r[0][2] for r in rows)}/{len(rows)}; "
      f"random units: {mean(0, 1):+.3f}, {mean(3, 1):+.3f}, {mean(1, 1):+.3f}, {sum(r[1][2] for r in rows)}/{len(rows)}")
