"""Writes the expected count-level, calibration, memorisation and differential-expression figures for the metric
fixtures (real.npy, generated.npy: log1p of Poisson counts, so expm1 recovers the counts),
as scipy and scanpy compute them, for Tests/AnalysisTests.
Run: python3 Tests/AnalysisTests/Fixtures/make_count_metric_fixtures.py"""
import json
import os

import anndata
import numpy as np
import scanpy as sc
from scipy import stats
from sklearn.neighbors import NearestNeighbors

here = os.path.dirname(os.path.abspath(__file__))
r = np.load(os.path.join(here, "real.npy")).astype(np.float64)
g = np.load(os.path.join(here, "generated.npy")).astype(np.float64)
cr, cg = np.rint(np.expm1(r)), np.rint(np.expm1(g))
types = ["a", "b", "c"]
lr = [types[i % 3] for i in range(len(r))]
lg = [types[(i * 7) % 3] for i in range(len(g))]


def fold_changes(x, labels):
    """scanpy's rank_genes_groups logfoldchanges, one type against the rest."""
    ad = anndata.AnnData(x.astype(np.float32))
    ad.obs["type"] = labels
    ad.obs["type"] = ad.obs["type"].astype("category")
    ad.uns["log1p"] = {"base": None}
    sc.tl.rank_genes_groups(ad, "type", method="t-test", n_genes=x.shape[1])
    result = ad.uns["rank_genes_groups"]
    out = {}
    for t in types:
        names = [int(n) for n in result["names"][t]]
        lfc = np.zeros(x.shape[1])
        lfc[names] = result["logfoldchanges"][t]
        out[t] = lfc
    return out


fa, fb = fold_changes(r, lr), fold_changes(g, lg)
top = 10
correlations = []
for t in types:
    genes = sorted(range(r.shape[1]), key=lambda j: (-abs(fa[t][j]), j))[:top]
    correlations.append(stats.pearsonr(fa[t][genes], fb[t][genes])[0])


def cell_cv(c):
    """Per cell with any count: std (ddof 1) over genes / mean."""
    m = c.mean(1)
    keep = m > 0
    return c[keep].std(1, ddof=1) / m[keep]


vr, vg = cr.var(0, ddof=1), cg.var(0, ddof=1)
ratios = vg[vr > 0] / vr[vr > 0]
mr, mg = cr.mean(0), cg.mean(0)
expressed = (mr > 0) & (mg > 0)
half = len(r) // 2
training, held_out = r[:half], r[half:]
nearest = NearestNeighbors(n_neighbors=1).fit(training)
# Generated cells for the copying check: eight exact copies of training cells, then every
# other held-out cell (new cells, as far from the training cells as real ones).
copied = np.vstack([training[:8], held_out[::2]])
d_generated = nearest.kneighbors(copied)[0].ravel()
d_held_out = nearest.kneighbors(held_out)[0].ravel()
expected = {
    "varianceRatioMedian": float(np.percentile(ratios, 50)),
    "varianceRatioP90": float(np.percentile(ratios, 90)),
    "geneCVSpearman": float(stats.spearmanr(np.sqrt(vr[expressed]) / mr[expressed], np.sqrt(vg[expressed]) / mg[expressed])[0]),
    "cellCVW1": stats.wasserstein_distance(cell_cv(cr), cell_cv(cg)),
    "nearestTrainingRatio": float(np.median(d_generated) / np.median(d_held_out)),
    "nearCopyShare": float(np.mean(d_generated < np.percentile(d_held_out, 5))),
    "ksMean": float(np.mean([stats.ks_2samp(r[:, j], g[:, j]).statistic for j in range(r.shape[1])])),
    "librarySizeW1Log": stats.wasserstein_distance(np.log1p(cr.sum(1)), np.log1p(cg.sum(1))),
    "genesDetectedW1Log": stats.wasserstein_distance(np.log1p((cr > 0).sum(1)), np.log1p((cg > 0).sum(1))),
    "foldChangesA": [float(v) for v in fa["a"]],
    "foldChangeTop": top,
    "foldChangeMeanR": float(np.mean(correlations)),
}
with open(os.path.join(here, "expected-counts.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
print({k: v for k, v in expected.items() if not isinstance(v, list)})
