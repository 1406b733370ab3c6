"""Where a run's generated cells fall short of the held-out cells (docs/recipe.md, "Where
the cells fall short"), in the 50 principal components of the training cells:

  wbdit sample --run RUN --n 301 --steps 100 --out generated.npy   # the cells eval draws
  python3 benchmarks/shortfall.py RUN generated.npy [LABEL_COLUMN]

Prints, per type (each generated cell takes the type of a 5-NN vote among the training
cells): how many cells, their spread (root-mean-square distance to the type's centre in
components 1–10) and the distance between the real and generated centres; then the kNN
AUC of the cells as they are, with every component's variance rescaled to the real
cells' (a diagnostic), and of real training cells shrunk along components 6–10 or 11–50.
"""
import json
import os
import sys

import anndata
import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import PredefinedSplit, cross_val_predict
from sklearn.neighbors import KNeighborsClassifier

from layout_rows import cells


def auc(a, b):
    z, labels = np.vstack([a, b]), np.r_[np.zeros(len(a)), np.ones(len(b))]
    score = cross_val_predict(KNeighborsClassifier(5), z, labels, cv=PredefinedSplit(np.arange(len(z)) % 5),
                              method="predict_proba")[:, 1]
    return roc_auc_score(labels, score)


def main(run, generated, column="level1"):
    train, held = cells(run)
    config = json.load(open(os.path.join(run, "config.json")))
    split = json.load(open(os.path.join(run, "split.json")))
    types = np.asarray(anndata.read_h5ad(config["data"]["path"], backed="r").obs[column].astype(str))
    train_types, held_types = types[split["trainCells"]], types[split["heldOutCells"]]
    mean = train.mean(0)
    _, _, vt = np.linalg.svd(train - mean, full_matrices=False)
    project = lambda x: (x - mean) @ vt[:50].T  # noqa: E731
    pt, pr, pg = project(train), project(held), project(np.load(generated).astype(np.float64))
    generated_types = KNeighborsClassifier(5).fit(pt, train_types).predict(pg)

    print(f"{'type':24} {'real':>5} {'gen':>5} {'spread real':>12} {'spread gen':>11} {'centre offset':>14}")
    for t in sorted(set(train_types)):
        r, g = pr[held_types == t, :10], pg[generated_types == t, :10]
        spread = lambda x: np.sqrt(((x - x.mean(0)) ** 2).sum(1).mean()) if len(x) > 1 else float("nan")  # noqa: E731
        offset = np.linalg.norm(r.mean(0) - g.mean(0)) if len(g) else float("nan")
        print(f"{t:24} {len(r):5d} {len(g):5d} {spread(r):12.2f} {spread(g):11.2f} {offset:14.2f}")

    rescaled = (pg - pg.mean(0)) * (pr.std(0) / pg.std(0)) + pg.mean(0)
    sample = pt[np.random.default_rng(1).choice(len(pt), len(pr), replace=False)]
    shrunk_6_10, shrunk_11_50 = sample.copy(), sample.copy()
    shrunk_6_10[:, 5:10] = sample[:, 5:10].mean(0) + 0.4 * (sample[:, 5:10] - sample[:, 5:10].mean(0))
    shrunk_11_50[:, 10:] *= 0.65
    print(f"kNN AUC: generated {auc(pr, pg):.3f}; with each component's variance rescaled {auc(pr, rescaled):.3f}; "
          f"training cells {auc(pr, sample):.3f}, shrunk 0.4x on PCs 6-10 {auc(pr, shrunk_6_10):.3f}, "
          f"0.65x on PCs 11-50 {auc(pr, shrunk_11_50):.3f}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:4])
