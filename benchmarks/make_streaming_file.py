"""Writes a large synthetic count matrix with anndata, for the streaming benchmark.

Each synthetic cell copies a random Zeisel 2015 cell (raw counts) with a random size
factor and Poisson noise, so sparsity and gene-gene structure look like the real data.
The cell type is kept as a categorical obs column. X is written as a CSR matrix.

    python3 benchmarks/make_streaming_file.py --cells 200000 --out /tmp/cells200k.h5ad
"""
import argparse

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

parser = argparse.ArgumentParser()
parser.add_argument("--source", default="../shared/data/zeisel2015/zeisel2015_counts.h5ad")
parser.add_argument("--cells", type=int, default=200_000)
parser.add_argument("--out", required=True)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

real = ad.read_h5ad(args.source)
counts = sp.csr_matrix(real.X).astype(np.float32)
rng = np.random.default_rng(args.seed)
label_column = "level1"

blocks, labels = [], []
for start in range(0, args.cells, 10_000):
    n = min(10_000, args.cells - start)
    picks = rng.integers(0, real.n_obs, n)
    means = counts[picks].toarray() * rng.uniform(0.5, 1.5, (n, 1)).astype(np.float32)
    blocks.append(sp.csr_matrix(rng.poisson(means).astype(np.float32)))
    labels.append(real.obs[label_column].to_numpy()[picks])
    print(f"{start + n} cells", flush=True)

X = sp.vstack(blocks, format="csr")
obs = pd.DataFrame({label_column: pd.Categorical(np.concatenate(labels))},
                   index=[f"cell{i}" for i in range(args.cells)])
out = ad.AnnData(X=X, obs=obs, var=pd.DataFrame(index=real.var_names.copy()))
out.write_h5ad(args.out)
print(f"wrote {args.out}: {out.n_obs} cells x {out.n_vars} genes, {X.nnz} non-zeros")
