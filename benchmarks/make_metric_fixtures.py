"""Writes two small cell matrices and the metrics scipy and NumPy compute between them,
for Tests/AnalysisTests.   Run: python3 benchmarks/make_metric_fixtures.py"""
import json
import os

import numpy as np
from scipy import stats

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "AnalysisTests", "Fixtures")
rng = np.random.default_rng(7)
genes = 40
rates = rng.gamma(1.0, 1.0, genes)
mix = rng.normal(size=(genes, genes)) * 0.3
real = np.log1p(rng.poisson(rates * np.exp(rng.normal(size=(60, genes)) @ mix))).astype(np.float32)
generated = np.log1p(rng.poisson(rates * 1.1, size=(50, genes))).astype(np.float32)
np.save(os.path.join(out, "real.npy"), real)
np.save(os.path.join(out, "generated.npy"), generated)

r, g = real.astype(np.float64), generated.astype(np.float64)
top = 20
order = sorted(range(genes), key=lambda j: (-r[:, j].var(ddof=1), j))[:top]
ca, cb = np.corrcoef(r[:, order], rowvar=False), np.corrcoef(g[:, order], rowvar=False)
upper = np.triu_indices(top, 1)
expected = {
    "meanPearson": stats.pearsonr(r.mean(0), g.mean(0))[0],
    "meanSpearman": stats.spearmanr(r.mean(0), g.mean(0))[0],
    "variancePearson": stats.pearsonr(r.var(0, ddof=1), g.var(0, ddof=1))[0],
    "varianceSpearman": stats.spearmanr(r.var(0, ddof=1), g.var(0, ddof=1))[0],
    "meanWasserstein": float(np.mean([stats.wasserstein_distance(r[:, j], g[:, j]) for j in range(genes)])),
    "geneZeroFractionGap": float(np.mean(np.abs((r == 0).mean(0) - (g == 0).mean(0)))),
    "cellZeroFractionGap": float((r == 0).mean() - (g == 0).mean()),
    "structureGenes": [int(j) for j in order],
    "structurePearson": stats.pearsonr(ca[upper], cb[upper])[0],
    "structureRMSE": float(np.sqrt(np.mean((ca[upper] - cb[upper]) ** 2))),
}
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({k: (float(v) if not isinstance(v, list) else v) for k, v in expected.items()}, f, indent=1, sort_keys=True)
print(expected)
