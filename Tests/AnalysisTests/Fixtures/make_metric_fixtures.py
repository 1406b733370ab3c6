"""Writes two small cell matrices and the metrics scipy and NumPy compute between them,
for Tests/AnalysisTests.   Run: python3 Tests/AnalysisTests/Fixtures/make_metric_fixtures.py"""
import json
import os

import numpy as np
from scipy import stats
from sklearn.neighbors import NearestNeighbors

out = os.path.dirname(os.path.abspath(__file__))
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

# PCA (exact, by SVD of the centred real cells) and MMD² in its space, by the definitions
# in docs/metrics.md, computed independently in NumPy.
k = 10
centre = r.mean(0)
_, s, vt = np.linalg.svd(r - centre, full_matrices=False)
pa, pb = (r - centre) @ vt[:k].T, (g - centre) @ vt[:k].T


def mmd2(x, y, sigma):
    z = np.vstack([x, y])
    d2 = ((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)
    kern = np.exp(-d2 / (2 * sigma ** 2))
    m, n = len(x), len(y)
    kxx, kyy, kxy = kern[:m, :m], kern[m:, m:], kern[:m, m:]
    return ((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
            - 2 * kxy.sum() / (m * n))


def mmd2_biased(x, y, sigma):
    """The V-statistic: every pair, the diagonal included."""
    def k(a, b):
        return np.exp(-((a[:, None, :] - b[None, :, :]) ** 2).sum(-1) / (2 * sigma ** 2))
    return k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean()


pooled = np.vstack([pa, pb])
sigma = float(np.median(np.sqrt(((pooled[:, None] - pooled[None]) ** 2).sum(-1))[np.triu_indices(len(pooled), 1)]))
pca = {
    "components": k,
    "explainedVariance": [float(v) for v in (s[:k] ** 2) / (len(r) - 1)],
    "realDistances": [float(v) for v in np.sqrt(((pa[:5, None] - pa[None, :5]) ** 2).sum(-1)).ravel()],
    "mmdBandwidth": sigma,
    "mmd2": float(mmd2(pa, pb, sigma)),
    "mmd2Multi": float(np.mean([mmd2(pa, pb, sigma * f) for f in (0.25, 0.5, 1, 2, 4)])),
    "mmd2Biased": float(mmd2_biased(pa, pb, sigma)),
    # The copying check: each generated cell's distance to its nearest real cell, median.
    "nearestMedian": float(np.median(NearestNeighbors(n_neighbors=1).fit(pa).kneighbors(pb)[0][:, 0])),
}
with open(os.path.join(out, "expected-pca.json"), "w") as f:
    json.dump(pca, f, indent=1, sort_keys=True)
print(pca["explainedVariance"][:3], pca["mmd2"], pca["mmd2Multi"])

# The Fréchet distance between Gaussians fitted in that PC space, as FID computes it
# (scipy.linalg.sqrtm of the covariance product).
from scipy import linalg  # noqa: E402

mu_a, mu_b = pa.mean(0), pb.mean(0)
cov_a, cov_b = np.cov(pa, rowvar=False), np.cov(pb, rowvar=False)
cross = linalg.sqrtm(cov_a @ cov_b).real
pca["frechet2"] = float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * cross))
with open(os.path.join(out, "expected-pca.json"), "w") as f:
    json.dump(pca, f, indent=1, sort_keys=True)
print("frechet2", pca["frechet2"])

# The k-nearest-neighbour real-vs-generated classifier in that PC space: fold i mod 5,
# 5 neighbours, scikit-learn's predict_proba and roc_auc_score.
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import PredefinedSplit, cross_val_predict  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402

points = np.vstack([pa, pb])
labels = np.r_[np.zeros(len(pa)), np.ones(len(pb))]
split = PredefinedSplit(np.arange(len(points)) % 5)
proba = cross_val_predict(KNeighborsClassifier(5), points, labels, cv=split, method="predict_proba")[:, 1]
pca["knnAUC"] = float(roc_auc_score(labels, proba))
with open(os.path.join(out, "expected-pca.json"), "w") as f:
    json.dump(pca, f, indent=1, sort_keys=True)
print("knn auc", pca["knnAUC"])

# The two KL divergences, by the definitions in docs/metrics.md (scipy's softmax and entropy).
from scipy.special import softmax  # noqa: E402

pairs = min(len(r), len(g))
metrics_kl = float(np.mean([stats.entropy(softmax(r[i]), softmax(g[i])) for i in range(pairs)]))
per_gene = []
for j in range(genes):
    low, high = min(r[:, j].min(), g[:, j].min()), max(r[:, j].max(), g[:, j].max())
    if high <= low:
        per_gene.append(0.0)
        continue
    def hist(v):
        idx = np.minimum(((v - low) / (high - low) * 50).astype(int), 49)
        counts = np.bincount(idx, minlength=50).astype(float)
        return (counts + 0.5) / (counts.sum() + 0.5 * 50)
    p, q = hist(r[:, j]), hist(g[:, j])
    per_gene.append(float((p * np.log(p / q)).sum()))
expected["klReference"] = metrics_kl
expected["klPerGene"] = float(np.mean(per_gene))
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({k: (float(v) if not isinstance(v, list) else v) for k, v in expected.items()}, f, indent=1, sort_keys=True)
print("kl", metrics_kl, np.mean(per_gene))
