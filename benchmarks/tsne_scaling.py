"""t-SNE as the data grows: `wbdit tsne` (Barnes–Hut and FFT-interpolated repulsion) beside
openTSNE 1.0.4 (its default: Barnes–Hut below 10,000 points, FFT from there; n_jobs=2) on the
same 50-PC points, timed as whole processes, alternating, with each map's KL divergence (as
its own method reports it) and its 10-nearest-neighbour preservation (the share of each of
2000 random points' 10 nearest neighbours in the 50 PCs that are among its 10 nearest on the
map).

The points: the 50 principal components of a real dataset's log-normalised top 2000 genes
(scikit-learn's PCA); for more points than it has cells, cells drawn with replacement, each
moved by Gaussian noise of half its distance to its 5th nearest neighbour, so that the
copies spread over the data's own neighbourhoods.

    python3 benchmarks/tsne_scaling.py DATA.h5ad OUT_DIR 3000 30000 100000 [--rounds 1]
    python3 benchmarks/tsne_scaling.py DATA.h5ad OUT_DIR 1000000 --methods openTSNE wbdit

Needs a release build (make build), scanpy, scikit-learn and openTSNE.
"""
import argparse
import json
import os
import subprocess
import time

import numpy as np

WBDIT = os.environ.get("WBDIT", ".build/release/wbdit")


def points(data, n, seed=0):
    import anndata
    import scanpy as sc
    from sklearn.decomposition import PCA
    from sklearn.neighbors import NearestNeighbors
    a = anndata.read_h5ad(data)
    sc.pp.normalize_total(a, target_sum=1e4)
    sc.pp.log1p(a)
    sc.pp.highly_variable_genes(a, n_top_genes=2000)
    x = a[:, a.var.highly_variable].X
    x = x.toarray() if hasattr(x, "toarray") else np.asarray(x)
    pcs = PCA(50, random_state=0).fit_transform(x).astype(np.float32)
    rng = np.random.default_rng(seed)
    if n <= len(pcs):
        return pcs[np.sort(rng.choice(len(pcs), n, replace=False))]
    radius = NearestNeighbors(n_neighbors=6).fit(pcs).kneighbors(pcs)[0][:, 5]
    pick = rng.integers(0, len(pcs), n)
    return (pcs[pick] + rng.normal(size=(n, 50)) * (radius[pick, None] / 2 / np.sqrt(50))).astype(np.float32)


def preservation(x, y, queries=2000, k=10, seed=0):
    from sklearn.neighbors import NearestNeighbors
    rng = np.random.default_rng(seed)
    q = rng.choice(len(x), min(queries, len(x)), replace=False)
    high = NearestNeighbors(n_neighbors=k + 1).fit(x).kneighbors(x[q], return_distance=False)[:, 1:]
    low = NearestNeighbors(n_neighbors=k + 1).fit(y).kneighbors(y[q], return_distance=False)[:, 1:]
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(high, low)]))


PEER = """
import sys, numpy as np, openTSNE
x = np.load(sys.argv[1])
e = openTSNE.TSNE(random_state=0, n_jobs=2).fit(x)
np.save(sys.argv[2], np.asarray(e))
print(e.kl_divergence)
"""


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data")
    p.add_argument("out")
    p.add_argument("sizes", type=int, nargs="+")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--methods", nargs="+", default=["openTSNE", "wbdit Barnes-Hut", "wbdit FFT"],
                   help="openTSNE; wbdit (its default for the size); wbdit Barnes-Hut or wbdit FFT (forced)")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results = []
    for n in args.sizes:
        path = os.path.join(args.out, f"points-{n}.npy")
        if not os.path.exists(path):
            np.save(path, points(args.data, n))
        x = np.load(path)
        runs = {
            "openTSNE": ["python3", "-c", PEER, path, os.path.join(args.out, f"opentsne-{n}.npy")],
            "wbdit": [WBDIT, "tsne", path, "--out", os.path.join(args.out, f"wbdit-{n}.npy")],
            "wbdit Barnes-Hut": [WBDIT, "tsne", path, "--interpolation-from", str(10**9), "--out", os.path.join(args.out, f"bh-{n}.npy")],
            "wbdit FFT": [WBDIT, "tsne", path, "--interpolation-from", "0", "--out", os.path.join(args.out, f"fft-{n}.npy")],
        }
        runs = {method: runs[method] for method in args.methods}
        for r in range(args.rounds):
            for method, command in runs.items():
                started = time.perf_counter()
                out = subprocess.run(command, check=True, capture_output=True, text=True)
                seconds = time.perf_counter() - started
                text = out.stdout + out.stderr
                kl = float(text.strip().split()[-1]) if method == "openTSNE" else float(text.split("KL divergence ")[1].split(",")[0])
                y = np.load(command[-1])
                row = {"cells": n, "method": method, "round": r, "seconds": seconds, "kl": kl, "knn10": preservation(x, y)}
                results.append(row)
                print(json.dumps(row), flush=True)
    json.dump(results, open(os.path.join(args.out, "results.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
