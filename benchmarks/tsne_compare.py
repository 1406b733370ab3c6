"""Compares a `wbdit tsne` map with openTSNE's on the same cells: the KL divergence of each
map recomputed exactly in NumPy (openTSNE's affinities P, and Q over all pairs), and the
accuracy of a leave-one-out 5-nearest-neighbour cell-type classifier on each 2-D map.
Run: python3 benchmarks/tsne_compare.py sample-data/zeisel2015.h5ad map.csv level1
(map.csv from: wbdit tsne sample-data/zeisel2015.h5ad --labels level1 --out map.csv)"""
import sys

import anndata
import numpy as np
import openTSNE
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier
from sklearn.model_selection import cross_val_score, LeaveOneOut

adata = anndata.read_h5ad(sys.argv[1])
x = np.asarray(adata.X.todense() if hasattr(adata.X, "todense") else adata.X, dtype=np.float32)
labels = adata.obs[sys.argv[3]].astype(str).values
pcs = PCA(n_components=50, random_state=0).fit_transform(x)
affinities = openTSNE.affinity.PerplexityBasedNN(pcs, perplexity=30, method="exact", random_state=0)
theirs = np.asarray(openTSNE.TSNE(random_state=0).fit(affinities=affinities, initialization=openTSNE.initialization.pca(pcs, random_state=0)))
rows = np.genfromtxt(sys.argv[2], delimiter=",", names=True, dtype=None, encoding="utf-8")
ours = np.stack([rows["x"], rows["y"]], axis=1)[: x.shape[0]].astype(np.float64)  # the first file's cells come first

P = affinities.P.toarray()
P = P / P.sum()


def exact_kl(y):
    d2 = ((y[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    w = 1 / (1 + d2)
    np.fill_diagonal(w, 0)
    q = w / w.sum()
    mask = P > 0
    return float((P[mask] * np.log(P[mask] / q[mask])).sum())


def knn_accuracy(y):
    predictions = KNeighborsClassifier(n_neighbors=6).fit(y, labels).kneighbors(y, return_distance=False)[:, 1:]
    votes = [max(set(labels[p]), key=list(labels[p]).count) for p in predictions]
    return float(np.mean(np.array(votes) == labels))


for name, y in [("wbdit", ours), ("openTSNE", theirs)]:
    print(f"{name:9s} exact KL {exact_kl(y):.4f}   5-NN type accuracy {knn_accuracy(y):.4f}")
