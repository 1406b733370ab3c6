"""Marker-gene scores from scanpy's rank_genes_groups (t-test) and kNN label predictions
from scikit-learn on the t-SNE fixture's labelled points, for Tests/AnalysisTests.
Run: python3 Tests/AnalysisTests/Fixtures/make_label_fixtures.py   (after make_tsne_fixtures.py)"""
import json
import os

import anndata
import numpy as np
import pandas as pd
import scanpy as sc
from sklearn.neighbors import KNeighborsClassifier

out = os.path.dirname(os.path.abspath(__file__))
points = np.load(os.path.join(out, "tsne-points.npy"))
labels = [f"type{i}" for i in json.load(open(os.path.join(out, "expected-tsne.json")))["labels"]]
adata = anndata.AnnData(points.astype(np.float32), obs=pd.DataFrame({"t": pd.Categorical(labels)}, index=[str(i) for i in range(len(labels))]))
adata.var_names = [f"g{j}" for j in range(points.shape[1])]
sc.tl.rank_genes_groups(adata, "t", method="t-test", n_genes=points.shape[1])
result = adata.uns["rank_genes_groups"]
markers = {g: {"genes": [int(n[1:]) for n in result["names"][g]], "scores": [float(s) for s in result["scores"][g]]}
           for g in result["names"].dtype.names}

rng = np.random.default_rng(3)
generated = (points[::3] + rng.normal(scale=1.5, size=points[::3].shape)).astype(np.float32)
np.save(os.path.join(out, "label-generated.npy"), generated)
predicted = KNeighborsClassifier(n_neighbors=5).fit(points, labels).predict(generated)
json.dump({"markers": markers, "predicted": predicted.tolist()}, open(os.path.join(out, "expected-labels.json"), "w"), indent=1)
