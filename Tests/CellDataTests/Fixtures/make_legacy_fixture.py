"""Copies scanpy's bundled example (`10x_pbmc68k_reduced.h5ad`, written by anndata before
0.7: obs and var as compound datasets, categorical codes with uns/NAME_categories, the raw
matrix as `raw.X` with h5sparse attributes and `raw.var` at the root; X scaled) into the
CellData fixtures, with what anndata itself reads from it. scanpy is BSD-3-Clause.
Run: python3 Tests/CellDataTests/Fixtures/make_legacy_fixture.py"""
import json
import os
import shutil

import anndata
import numpy as np
import scanpy

source = os.path.join(os.path.dirname(scanpy.__file__), "datasets", "10x_pbmc68k_reduced.h5ad")
out = os.path.dirname(os.path.abspath(__file__))
target = os.path.join(out, "scanpy-pbmc68k-reduced.h5ad")
shutil.copyfile(source, target)
a = anndata.read_h5ad(target)
raw = a.raw.X.toarray().astype(np.float64)
expected = {
    "scanpy": scanpy.__version__, "anndata": anndata.__version__,
    "x_shape": list(a.shape), "raw_shape": list(raw.shape),
    "raw_sum": float(raw.sum()), "raw_first_row_sum": float(raw[0].sum()),
    "raw_gene_names_head": list(a.raw.var_names[:5]), "gene_names_head": list(a.var_names[:5]),
    "bulk_labels_head": [str(v) for v in a.obs["bulk_labels"][:5]],
    "x_min": float(np.asarray(a.X).min()),
}
with open(os.path.join(out, "scanpy-pbmc68k-reduced.json"), "w") as f:
    json.dump(expected, f, indent=1)
print(expected)
