"""Writes scanpy's own preprocessing results on a slice of the real Zeisel data, for
Tests/CellDataTests: the counts (every 15th cell, the first 400 genes) as .h5ad, the
normalize_total(1e4) + log1p matrix, and the seurat-flavour highly variable genes.
Run: python3 Tests/CellDataTests/Fixtures/make_preprocessing_fixtures.py /path/to/zeisel2015_counts.h5ad"""
import os
import sys

import anndata as ad
import numpy as np
import scanpy as sc

out = os.path.dirname(os.path.abspath(__file__))
full = ad.read_h5ad(sys.argv[1])
counts = full[::15, :400].copy()
counts.write_h5ad(os.path.join(out, "zeisel-slice.h5ad"), compression="gzip")

processed = counts.copy()
sc.pp.normalize_total(processed, target_sum=1e4)
sc.pp.log1p(processed)
np.save(os.path.join(out, "zeisel-slice-lognorm.npy"), processed.X.toarray().astype(np.float32))
for n in (50, 100):
    hvg = sc.pp.highly_variable_genes(processed, flavor="seurat", n_top_genes=n, inplace=False)
    np.save(os.path.join(out, f"zeisel-slice-hvg{n}.npy"), np.flatnonzero(hvg["highly_variable"].values).astype(np.int64))
# seurat_v3 runs on the counts themselves (scanpy uses scikit-misc's LOESS).
v3 = sc.pp.highly_variable_genes(counts, flavor="seurat_v3", n_top_genes=100, inplace=False)
np.save(os.path.join(out, "zeisel-slice-hvg100-v3.npy"), np.flatnonzero(v3["highly_variable"].values).astype(np.int64))

# scanpy's filters on the counts: which cells and genes survive.
cells_kept, _ = sc.pp.filter_cells(counts, min_genes=200, inplace=False)
genes_kept, _ = sc.pp.filter_genes(counts[cells_kept], min_cells=170, inplace=False)
np.save(os.path.join(out, "zeisel-slice-filter-cells.npy"), np.flatnonzero(cells_kept).astype(np.int64))
np.save(os.path.join(out, "zeisel-slice-filter-genes.npy"), np.flatnonzero(genes_kept).astype(np.int64))
print(counts.shape, cells_kept.sum(), genes_kept.sum())
