"""Writes a small clustered point set with scikit-learn's exact t-SNE affinities and the KL
divergences openTSNE and scikit-learn reach on it, for Tests/AnalysisTests.
Run: python3 Tests/AnalysisTests/Fixtures/make_tsne_fixtures.py   (needs scikit-learn and openTSNE)"""
import json
import os

import numpy as np
import openTSNE
from sklearn.manifold import TSNE, _t_sne
from scipy.spatial.distance import squareform, pdist

out = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(11)
clusters, per, dims = 5, 60, 10
centres = rng.normal(scale=6.0, size=(clusters, dims))
points = np.concatenate([c + rng.normal(size=(per, dims)) for c in centres]).astype(np.float32)
labels = np.repeat(np.arange(clusters), per)
np.save(os.path.join(out, "tsne-points.npy"), points)

# scikit-learn's exact joint probabilities at perplexity 10 on the first 60 points.
small = points[:60].astype(np.float64)
p_small = squareform(_t_sne._joint_probabilities(squareform(pdist(small, "sqeuclidean")), 10.0, 0))

open_kl = openTSNE.TSNE(random_state=0).fit(points).kl_divergence
sk = TSNE(init="pca", learning_rate="auto", method="exact", random_state=0, max_iter=750).fit(points)

json.dump({
    "labels": labels.tolist(),
    "smallPerplexity": 10.0,
    "smallJointP": p_small.ravel().tolist(),
    "openTSNEKL": float(open_kl),
    "sklearnExactKL": float(sk.kl_divergence_),
}, open(os.path.join(out, "expected-tsne.json"), "w"), indent=1)
print("openTSNE KL", open_kl, "sklearn exact KL", sk.kl_divergence_)
