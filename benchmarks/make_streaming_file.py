"""Writes a large synthetic count matrix as an .h5ad, for the streaming and million-cell benchmarks.

Each synthetic cell copies a random cell of a real counts file with a random size factor
(0.5-1.5) and Poisson noise, so sparsity, library sizes and gene-gene structure look like
the real data, and keeps that cell's label as a categorical obs column. X is a CSR matrix
written block by block (anndata's on-disk encoding, through h5py), so memory stays bounded
whatever the number of cells; anndata and scanpy read the file as any other.

    python3 benchmarks/make_streaming_file.py --cells 200000 --out /tmp/cells200k.h5ad
    python3 benchmarks/make_streaming_file.py --source sample-data/pbmc3k_counts.h5ad \\
        --label cell_type --cells 1000000 --out /tmp/cells1m.h5ad     # 32,738 genes
"""
import argparse

import anndata as ad
import anndata.io
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp

parser = argparse.ArgumentParser()
parser.add_argument("--source", default="../shared/data/zeisel2015/zeisel2015_counts.h5ad")
parser.add_argument("--label", default="level1", help="the source's obs column kept as each cell's label")
parser.add_argument("--cells", type=int, default=200_000)
parser.add_argument("--out", required=True)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

real = ad.read_h5ad(args.source)
counts = sp.csr_matrix(real.X).astype(np.float32)
source_labels = real.obs[args.label].astype(str).to_numpy()
rng = np.random.default_rng(args.seed)
block = 10_000

with h5py.File(args.out, "w") as f:
    f.attrs["encoding-type"], f.attrs["encoding-version"] = "anndata", "0.1.0"
    X = f.create_group("X")
    X.attrs["encoding-type"], X.attrs["encoding-version"] = "csr_matrix", "0.1.0"
    X.attrs["shape"] = np.array([args.cells, real.n_vars], dtype=np.int64)
    data = X.create_dataset("data", (0,), dtype=np.float32, maxshape=(None,), chunks=(1 << 20,))
    indices = X.create_dataset("indices", (0,), dtype=np.int32, maxshape=(None,), chunks=(1 << 20,))
    indptr = np.zeros(args.cells + 1, dtype=np.int64)
    labels = np.empty(args.cells, dtype=object)
    for start in range(0, args.cells, block):
        n = min(block, args.cells - start)
        picks = rng.integers(0, real.n_obs, n)
        rows = counts[picks].multiply(rng.uniform(0.5, 1.5, (n, 1)).astype(np.float32)).tocsr()
        rows.data = rng.poisson(rows.data).astype(np.float32)
        rows.eliminate_zeros()
        end = indptr[start] + rows.nnz
        data.resize((end,))
        indices.resize((end,))
        data[indptr[start]:end], indices[indptr[start]:end] = rows.data, rows.indices.astype(np.int32)
        indptr[start + 1:start + n + 1] = indptr[start] + rows.indptr[1:]
        labels[start:start + n] = source_labels[picks]
        if (start // block) % 10 == 9 or start + n == args.cells:
            print(f"{start + n} cells, {end} non-zeros", flush=True)
    X.create_dataset("indptr", data=indptr)
    obs = pd.DataFrame({args.label: pd.Categorical(labels)}, index=[f"cell{i}" for i in range(args.cells)])
    anndata.io.write_elem(f, "obs", obs)
    anndata.io.write_elem(f, "var", real.var.copy())
    for empty in ("obsm", "varm", "obsp", "varp", "layers", "uns"):
        anndata.io.write_elem(f, empty, {})
print(f"wrote {args.out}: {args.cells} cells x {real.n_vars} genes, {indptr[-1]} non-zeros")
