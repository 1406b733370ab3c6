"""The peer of `wbdit prep`: scanpy's read_h5ad, normalize_total, log1p, seurat highly
variable genes and write_h5ad (gzip), import included.
Run: python3 benchmarks/scanpy_prep.py IN.h5ad OUT.h5ad [N_TOP_GENES]"""
import sys

import scanpy as sc

adata = sc.read_h5ad(sys.argv[1])
sc.pp.normalize_total(adata, target_sum=1e4)
sc.pp.log1p(adata)
sc.pp.highly_variable_genes(adata, flavor="seurat", n_top_genes=int(sys.argv[3]) if len(sys.argv) > 3 else 2000)
adata = adata[:, adata.var["highly_variable"]].copy()
adata.X = adata.X.toarray() if hasattr(adata.X, "toarray") else adata.X
adata.write_h5ad(sys.argv[2], compression="gzip")
