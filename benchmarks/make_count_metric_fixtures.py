"""Writes the expected count-level and differential-expression figures for the metric
fixtures (real.npy, generated.npy: log1p of Poisson counts, so expm1 recovers the counts),
as scipy and scanpy compute them, for Tests/AnalysisTests.
Run: python3 benchmarks/make_count_metric_fixtures.py"""
import json
import os

import anndata
import numpy as np
import scanpy as sc
from scipy import stats

here = os.path.join(os.path.dirname(__file__), "..", "Tests", "AnalysisTests", "Fixtures")
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
expected = {
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
