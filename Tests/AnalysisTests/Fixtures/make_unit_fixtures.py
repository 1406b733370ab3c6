"""Writes expected-units.json: what UnitMeaning and its parts must reproduce, from the
committed real.npy (60 cells x 40 genes, log1p values) and generated.npy (the first 6
columns of its 50 cells, with its first 10 rows again below, standing in for 6 units'
activations over 60 cells), labelled a, b, c by cell index mod 3.

    python3 Tests/AnalysisTests/Fixtures/make_unit_fixtures.py   (scanpy, scipy, scikit-learn)
"""
import json
from pathlib import Path

import anndata
import numpy as np
import pandas as pd
import scanpy as sc
import scipy
from scipy import stats
from sklearn.metrics import roc_auc_score

here = Path(__file__).parent
real = np.load(here / "real.npy").astype(np.float64)
generated = np.load(here / "generated.npy")[:, :6].astype(np.float64)
units = np.vstack([generated, generated[:10]])
labels = np.array(["abc"[i % 3] for i in range(real.shape[0])])

adata = anndata.AnnData(real.astype(np.float32), obs=pd.DataFrame({"t": pd.Categorical(labels)}, index=[str(i) for i in range(len(labels))]))
adata.var_names = [f"g{j}" for j in range(real.shape[1])]
sc.tl.rank_genes_groups(adata, "t", method="wilcoxon", n_genes=real.shape[1])
result = adata.uns["rank_genes_groups"]
wilcoxon = {}
for group in ["a", "b", "c"]:
    scores = dict(zip(result["names"][group], result["scores"][group]))
    wilcoxon[group] = [float(scores[f"g{j}"]) for j in range(real.shape[1])]

rho = [[float(stats.spearmanr(units[:, u], real[:, j]).statistic) for j in range(real.shape[1])] for u in range(units.shape[1])]
auc = [[float(roc_auc_score(labels == t, units[:, u])) for t in "abc"] for u in range(units.shape[1])]
cases = [(0, 40, 8, 20), (3, 40, 8, 20), (6, 2000, 50, 20), (12, 2000, 50, 20), (20, 2000, 50, 20), (1, 10, 10, 3), (5, 30, 5, 5)]
hypergeometric = [{"k": k, "population": m, "successes": n, "draws": d, "upper_tail": float(stats.hypergeom.sf(k - 1, m, n, d))}
                  for k, m, n, d in cases]
p = [0.001, 0.04, 0.03, 0.2, 0.5, 0.04, 0.9, 0.0001, 1.0, 0.011]
q = [float(x) for x in stats.false_discovery_control(p, method="bh")]
out = {"versions": {"scanpy": sc.__version__, "scipy": scipy.__version__}, "wilcoxon": wilcoxon, "spearman": rho, "auc": auc,
       "hypergeometric": hypergeometric, "p": p, "bh": q}
(here / "expected-units.json").write_text(json.dumps(out, indent=1) + "\n")
