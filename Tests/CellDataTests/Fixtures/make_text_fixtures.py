"""Writes the 10x folder and CSV/TSV tables that Tests/CellDataTests read (the same 5 × 4
counts as the .h5ad fixtures), and checks that scanpy reads the 10x folder back.
Run: python3 Tests/CellDataTests/Fixtures/make_text_fixtures.py"""
import gzip
import io
import os

import numpy as np
import pandas as pd
import scanpy as sc
import scipy.io
import scipy.sparse as sp

out = os.path.dirname(os.path.abspath(__file__))
counts = np.array([[0, 1, 0, 3], [2, 0, 0, 0], [0, 0, 5, 1], [1, 1, 1, 1], [0, 7, 0, 0]], dtype=np.int64)
genes = ["Snap25", "Gfap", "Mbp", "Cx3cr1"]
cells = ["AAAC-1", "AAAG-1", "AACT-1", "ACGT-1", "TTTA-1"]

folder = os.path.join(out, "tenx")
os.makedirs(folder, exist_ok=True)
buffer = io.BytesIO()
scipy.io.mmwrite(buffer, sp.coo_matrix(counts.T))          # 10x stores genes × cells
with gzip.open(os.path.join(folder, "matrix.mtx.gz"), "wb") as f:
    f.write(buffer.getvalue())
with gzip.open(os.path.join(folder, "features.tsv.gz"), "wt") as f:
    f.writelines(f"ENSMUSG{i:05d}\t{g}\tGene Expression\n" for i, g in enumerate(genes))
with gzip.open(os.path.join(folder, "barcodes.tsv.gz"), "wt") as f:
    f.writelines(c + "\n" for c in cells)
assert (sc.read_10x_mtx(folder).X.toarray() == counts).all()

table = pd.DataFrame(counts, index=cells, columns=genes)
table.to_csv(os.path.join(out, "counts.csv"))
table.to_csv(os.path.join(out, "counts.tsv"), sep="\t", index=False)
