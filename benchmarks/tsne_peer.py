"""The t-SNE benchmark peer: what `wbdit tsne FILE` does, with scikit-learn's PCA and
openTSNE's defaults (Barnes-Hut below 10,000 cells). Prints the KL divergence.
Run: python3 benchmarks/tsne_peer.py sample-data/zeisel2015.h5ad [n_jobs]"""
import sys
import time

import anndata
import numpy as np
import openTSNE
from sklearn.decomposition import PCA

x = anndata.read_h5ad(sys.argv[1]).X
x = np.asarray(x.todense() if hasattr(x, "todense") else x, dtype=np.float32)
pcs = PCA(n_components=50, random_state=0).fit_transform(x)
jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
start = time.perf_counter()
embedding = openTSNE.TSNE(random_state=0, n_jobs=jobs).fit(pcs)
seconds = time.perf_counter() - start
print(f"openTSNE t-SNE of {x.shape[0]} cells: KL divergence {embedding.kl_divergence:.4f}, fit {seconds:.3f} s")
