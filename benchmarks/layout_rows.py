"""Rows N and O of docs/recipe.md: the same recipe trained on a re-laid-out copy of a run's
training cells, and the generated cells scored back in gene space with the three figures
`wbdit eval --run` reports, computed independently here (NumPy, scikit-learn): 50 PCs of
the training cells, MMD² as a V-statistic at the median bandwidth, the 5-NN real-vs-
generated AUC (fold i mod 5) and the gene–gene correlation agreement over 500 genes.

  python3 benchmarks/layout_rows.py make  RUN LAYOUT DIR   # LAYOUT: cluster, rotate or rotateK
  wbdit train --data DIR/train.npy --holdout 0 --no-pca-basis --run R ...  # the row's flags
  wbdit sample --run R --n 301 --steps 100 --no-clamp --out R/laid-out.npy
  python3 benchmarks/layout_rows.py score RUN DIR R/laid-out.npy

RUN is a run trained on the .h5ad (row G): its split.json says which cells train and
which are held out. `cluster` orders the genes by average-linkage clustering on 1 − r, so
that a token of 40 neighbouring genes holds correlated ones; `rotate` replaces the genes
by the training cells' centred principal-component scores (all 2000, an orthogonal map);
`rotate200` keeps the leading 200 scores, and the generated cells are restored from them
(as `wbdit train --pca-components 200` does, with NumPy's signs for the axes).
"""
import json
import os
import sys

import anndata
import numpy as np
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import PredefinedSplit, cross_val_predict
from sklearn.neighbors import KNeighborsClassifier


def cells(run):
    """The run's training and held-out cells, as its data holds them."""
    config = json.load(open(os.path.join(run, "config.json")))
    split = json.load(open(os.path.join(run, "split.json")))
    x = anndata.read_h5ad(config["data"]["path"]).X
    x = np.asarray(x.todense() if hasattr(x, "todense") else x, dtype=np.float64)
    return x[split["trainCells"]], x[split["heldOutCells"]]


def make(run, layout, out):
    train, _ = cells(run)
    os.makedirs(out, exist_ok=True)
    if layout == "cluster":
        r = np.nan_to_num(np.corrcoef(train, rowvar=False))
        d = 1 - r
        np.fill_diagonal(d, 0)
        order = leaves_list(linkage(squareform((d + d.T) / 2, checks=False), "average"))
        np.savez(os.path.join(out, "layout.npz"), order=order)
        laid = train[:, order]
    elif layout.startswith("rotate"):
        mean = train.mean(0)
        _, _, vt = np.linalg.svd(train - mean, full_matrices=False)
        np.savez(os.path.join(out, "layout.npz"), mean=mean, basis=vt.T)
        keep = int(layout[len("rotate"):] or vt.shape[0])
        laid = (train - mean) @ vt[:keep].T
    else:
        sys.exit(f"unknown layout {layout}: cluster, rotate or rotateK")
    np.save(os.path.join(out, "train.npy"), np.ascontiguousarray(laid, dtype=np.float32))


def undo(out, laid):
    layout = np.load(os.path.join(out, "layout.npz"))
    if "order" in layout:
        genes = np.zeros_like(laid)
        genes[:, layout["order"]] = laid
    else:
        genes = laid @ layout["basis"][:, :laid.shape[1]].T + layout["mean"]
    return np.maximum(genes, 0)


def figures(train, real, generated):
    mean = train.mean(0)
    _, _, vt = np.linalg.svd(train - mean, full_matrices=False)
    a, b = (real - mean) @ vt[:50].T, (generated - mean) @ vt[:50].T
    z = np.vstack([a, b])
    d2 = ((z[:, None] - z[None]) ** 2).sum(-1)
    sigma = np.median(np.sqrt(d2[np.triu_indices(len(z), 1)]))
    k, m = np.exp(-d2 / (2 * sigma ** 2)), len(a)
    mmd = k[:m, :m].mean() + k[m:, m:].mean() - 2 * k[:m, m:].mean()
    labels = np.r_[np.zeros(len(a)), np.ones(len(b))]
    score = cross_val_predict(KNeighborsClassifier(5), z, labels, cv=PredefinedSplit(np.arange(len(z)) % 5),
                              method="predict_proba")[:, 1]
    top = sorted(range(real.shape[1]), key=lambda j: (-real[:, j].var(ddof=1), j))[:500]
    upper = np.triu_indices(500, 1)
    ra, rb = (np.nan_to_num(np.corrcoef(x[:, top], rowvar=False))[upper] for x in (real, generated))
    return mmd, roc_auc_score(labels, score), np.corrcoef(ra, rb)[0, 1]


def nearest_training(train, cells):
    """Median distance from each of `cells` to its nearest training cell, in the training
    cells' 50 PCs: generated cells much closer than held-out ones would be copies."""
    mean = train.mean(0)
    _, _, vt = np.linalg.svd(train - mean, full_matrices=False)
    t, c = (train - mean) @ vt[:50].T, (cells - mean) @ vt[:50].T
    return np.median(np.sqrt(((c[:, None] - t[None]) ** 2).sum(-1).min(1)))


def score(run, out, generated):
    train, real = cells(run)
    cells_made = undo(out, np.load(generated).astype(np.float64))
    mmd, auc, r = figures(train, real, cells_made)
    print(f"MMD² (V-statistic) {mmd:.4f}   kNN AUC {auc:.3f}   gene–gene r {r:.3f}")
    print(f"nearest training cell, median distance: generated {nearest_training(train, cells_made):.2f}, "
          f"held-out {nearest_training(train, real):.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["make"]:
        make(*sys.argv[2:5])
    elif sys.argv[1:2] == ["score"]:
        score(*sys.argv[2:5])
    else:
        sys.exit(__doc__)
