"""Writes the small .h5ad files that Tests/CellDataTests read, with anndata itself, in the
encodings it writes today: CSR and CSC matrices (int32 and int64 indices), dense float64,
integer counts, raw/X and layers, categorical (string and numeric categories), string,
integer, float and boolean obs columns, nullable integer and boolean ones, and a file
with no X.   Run: python3 Tests/CellDataTests/Fixtures/make_h5ad_fixtures.py"""
import os

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

out = os.path.dirname(os.path.abspath(__file__))
counts = np.array([[0, 1, 0, 3],
                   [2, 0, 0, 0],
                   [0, 0, 5, 1],
                   [1, 1, 1, 1],
                   [0, 7, 0, 0]], dtype=np.float32)
obs = pd.DataFrame({
    "cell_type": pd.Categorical(["neuron", "glia", "neuron", "glia", "microglia"]),
    "cluster": pd.Categorical([3, 1, 3, 2, 1]),
    "barcode": ["AAAC", "AAAG", "AACT", "ACGT", "TTTA"],
    "n_genes": np.array([2, 1, 2, 4, 1], dtype=np.int64),
    "score": np.array([0.5, 1.25, -2.0, 0.0, 3.5]),
    "passed": np.array([True, False, True, True, False]),
}, index=[f"cell{i}" for i in range(5)])
var = pd.DataFrame(index=["Snap25", "Gfap", "Mbp", "Cx3cr1"])

csr = ad.AnnData(X=sp.csr_matrix(counts), obs=obs, var=var)
csr.write_h5ad(os.path.join(out, "csr.h5ad"))

wide = sp.csc_matrix(counts).astype(np.int64)
wide.indices = wide.indices.astype(np.int64)   # as files of more than 2³¹ values hold them
wide.indptr = wide.indptr.astype(np.int64)
dense = ad.AnnData(X=np.log1p(counts).astype(np.float64), obs=obs, var=var, layers={"counts": wide})
dense.raw = ad.AnnData(X=counts.astype(np.int32), var=var)
dense.write_h5ad(os.path.join(out, "dense.h5ad"))

# No X (anndata writes none when X is None), the counts in a layer, a categorical column
# with a missing value, and pandas' nullable integer and boolean columns (anndata's
# nullable-integer and nullable-boolean encodings).
nullable_obs = pd.DataFrame({
    "cell_type": pd.Categorical(["neuron", None, "neuron", "glia", "microglia"]),
    "n_genes": pd.array([2, None, 2, 4, 1], dtype="Int64"),
    "passed": pd.array([True, False, None, True, False], dtype="boolean"),
}, index=obs.index)
ad.AnnData(X=None, obs=nullable_obs, var=var, layers={"counts": sp.csr_matrix(counts)}).write_h5ad(
    os.path.join(out, "nullable-no-x.h5ad"))

# anndata 0.7's layout for categorical columns: integer codes in the dataframe, names in
# obs/__categories/NAME. Today's anndata cannot write it, so h5py writes it as 0.7 did.
import h5py  # noqa: E402

with h5py.File(os.path.join(out, "legacy-categories.h5ad"), "w") as f:
    f.create_dataset("X", data=counts)
    obs_group = f.create_group("obs")
    obs_group.attrs["_index"] = "index"
    obs_group.attrs["encoding-type"] = "dataframe"
    strings = h5py.string_dtype("utf-8")
    obs_group.create_dataset("index", data=np.array([f"cell{i}" for i in range(5)], dtype=object), dtype=strings)
    obs_group.create_dataset("cell_type", data=np.array([1, 0, 1, 0, 2], dtype=np.int8))
    obs_group.create_group("__categories").create_dataset(
        "cell_type", data=np.array(["glia", "neuron", "microglia"], dtype=object), dtype=strings)

# Broken files, each one way: the reader must refuse them with a one-line reason.
broken = os.path.join(out, "broken")
os.makedirs(broken, exist_ok=True)
open(os.path.join(broken, "empty.h5ad"), "wb").close()
with open(os.path.join(out, "csr.h5ad"), "rb") as f:
    head = f.read(3000)
with open(os.path.join(broken, "truncated.h5ad"), "wb") as f:
    f.write(head)
with open(os.path.join(broken, "random.h5ad"), "wb") as f:
    f.write(np.random.default_rng(0).bytes(4096))


def variant(name, edit):
    """A copy of csr.h5ad changed by `edit(h5py.File)`."""
    path = os.path.join(broken, name)
    with open(os.path.join(out, "csr.h5ad"), "rb") as src, open(path, "wb") as dst:
        dst.write(src.read())
    with h5py.File(path, "r+") as f:
        edit(f)


variant("no-x.h5ad", lambda f: f.__delitem__("X"))
variant("nan.h5ad", lambda f: f["X/data"].__setitem__(2, np.nan))
variant("inf.h5ad", lambda f: f["X/data"].__setitem__(2, np.inf))
variant("negative.h5ad", lambda f: f["X/data"].__setitem__(0, -4.0))
variant("indptr.h5ad", lambda f: f["X/indptr"].__setitem__(2, 1))
variant("indices.h5ad", lambda f: f["X/indices"].__setitem__(1, 9))
variant("shape.h5ad", lambda f: f["X"].attrs.__setitem__("shape", np.array([10**12, 10**12])))
variant("wide-shape.h5ad", lambda f: f["X"].attrs.__setitem__("shape", np.array([10**7, 4])))


def short_obs(f):
    """The obs index cut to 2 names for X's 5 cells."""
    del f["obs/_index"]
    f["obs"].create_dataset("_index", data=np.array(["cell0", "cell1"], dtype=object), dtype=h5py.string_dtype("utf-8"))


variant("short-obs.h5ad", short_obs)
ad.AnnData(X=np.zeros((5, 0), dtype=np.float32), obs=obs).write_h5ad(os.path.join(broken, "no-genes.h5ad"))
ad.AnnData(X=sp.csr_matrix((5, 4), dtype=np.float32), obs=obs, var=var).write_h5ad(os.path.join(broken, "zeros.h5ad"))
# LZF, which h5py offers and libhdf5 itself cannot decode.
ad.AnnData(X=counts, obs=obs, var=var).write_h5ad(os.path.join(broken, "lzf.h5ad"), compression="lzf")

# anndata 0.6's layout: obs and var as compound datasets (a structured array with an
# `index` field), categorical codes with their names in uns/NAME_categories, and a CSR X
# marked with h5sparse attributes. Written with h5py as anndata 0.6 wrote it.
with h5py.File(os.path.join(out, "legacy-compound.h5ad"), "w") as f:
    x = f.create_group("X")
    x.attrs["h5sparse_format"] = "csr"
    x.attrs["h5sparse_shape"] = np.array(counts.shape)
    m = sp.csr_matrix(counts)
    x.create_dataset("data", data=m.data)
    x.create_dataset("indices", data=m.indices)
    x.create_dataset("indptr", data=m.indptr)
    text = h5py.string_dtype("utf-8")
    obs_type = np.dtype([("index", text), ("cell_type", np.int8), ("n_genes", np.int64), ("score", np.float64)])
    obs_rows = np.array([(f"cell{i}", code, n, s) for i, (code, n, s) in
                         enumerate(zip([1, 0, 1, 0, 2], [2, 1, 2, 4, 1], [0.5, 1.25, -2.0, 0.0, 3.5]))], dtype=obs_type)
    f.create_dataset("obs", data=obs_rows)
    var_rows = np.array([(g,) for g in ["Snap25", "Gfap", "Mbp", "Cx3cr1"]], dtype=np.dtype([("index", text)]))
    f.create_dataset("var", data=var_rows)
    f.create_group("uns").create_dataset("cell_type_categories",
                                         data=np.array(["glia", "neuron", "microglia"], dtype=object), dtype=text)


# CSR rows as some writers leave them: row 2's genes out of order, and row 1 naming gene 0
# twice (9 and 2: scipy reads their sum, 11).
def unsorted(f):
    data, indices, indptr = f["X/data"][:], f["X/indices"][:], f["X/indptr"][:]
    row2 = slice(indptr[2], indptr[3])
    indices[row2], data[row2] = indices[row2][::-1].copy(), data[row2][::-1].copy()
    at = indptr[1]
    data, indices = np.insert(data, at, 9.0), np.insert(indices, at, 0)
    indptr[2:] += 1
    for name, values in [("data", data), ("indices", indices), ("indptr", indptr)]:
        del f["X/" + name]
        f["X"].create_dataset(name, data=values)


variant("unsorted.h5ad", unsorted)
