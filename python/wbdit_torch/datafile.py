"""A run's data file: its checksum, and its cells prepared as the Swift side prepares them.

The training cells are recovered by preparing the run's data file the way the Swift
side prepares it (`Sources/CellData/CellLoader.swift`), step by step, with two
shortcuts that make it exact rather than a re-implementation of scanpy: the highly
variable genes are not selected again but taken by name from `data.geneNames`, and
`--scale-genes` divides by the recorded `data.geneScale`. So, for an .h5ad: the matrix
`preparation.source` (X, raw/X, layers/NAME); cells expressing fewer than
`minimumGenes` genes dropped; genes expressed in fewer than `minimumCells` cells
dropped; with seurat_v3, the named genes kept first; raw counts (every value a whole
number ≥ 0, or any value above 30, more than log-normalised values reach) normalised to `targetSum` per cell (sums in double, the per-cell factor
rounded to float32, as the engine) and log1p-transformed (log-normalised data is used as
it is); with seurat, the named genes kept; then the gene scale. A .npy is used as it is.
The result must have the recorded shape (`data.cells` × `data.genes`); the file's
FNV-1a checksum is checked against `data.checksum` (skipped for large files unless asked,
since pure Python hashes about 10 MB/s). `rundir.RunDirectory.training_cells` then takes
the rows `split.trainCells`, and with a principal basis their scores (x − μ)·A[:, :K],
K = `data.principalComponents`.

Other inputs (10x folders, CSV/TSV): convert them once with `wbdit prep` to an .h5ad
with the same preparation flags and pass that file as `data=` (with `verify=False`).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import RunError

LARGEST_LOG_VALUE = 30.0   # `Preprocessing.largestLogValue`


# MARK: - The data file's checksum

def fnv1a_file(path) -> str:
    """FNV-1a 64 of a file's bytes (for a folder: its files' names and bytes in name order), in hex."""
    path = Path(path)
    h = 0xCBF29CE484222325
    prime, mask = 0x100000001B3, (1 << 64) - 1
    files = [(p.name, p) for p in sorted(path.iterdir(), key=lambda p: p.name)] if path.is_dir() else [("", path)]
    for name, file in files:
        for byte in name.encode():
            h = ((h ^ byte) * prime) & mask
        with open(file, "rb") as f:
            while piece := f.read(1 << 20):
                for byte in piece:
                    h = ((h ^ byte) * prime) & mask
    return format(h, "x")


def data_size(path) -> int:
    path = Path(path)
    return sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size


# MARK: - Preparing the cells

@dataclass
class PreparedCells:
    values: np.ndarray               # float32 [cells, genes], as the network's data side sees them
    gene_names: list[str] | None
    labels: list[tuple[str, ...]] | None   # the obs columns asked for, a value each per prepared cell


EXACT_LOG1P_LIMIT = 20_000_000   # non-zero values put through the C library's log1pf one by one


def _log1p_float32(values: np.ndarray) -> np.ndarray:
    """log1p in float32 as the engine computes it (glibc's `log1pf`, called through ctypes).

    NumPy's own float32 log1p differs from glibc's in the last bit for a few per cent of
    values; beyond EXACT_LOG1P_LIMIT non-zero values (about 20 s) NumPy's is used instead.
    """
    out = np.array(values, dtype=np.float32, order="C", copy=True)
    nonzero = np.flatnonzero(out)
    libm = None
    if nonzero.size <= EXACT_LOG1P_LIMIT:
        try:
            import ctypes
            import ctypes.util
            libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
            libm.log1pf.restype, libm.log1pf.argtypes = ctypes.c_float, [ctypes.c_float]
        except (OSError, AttributeError):
            libm = None
    flat = out.reshape(-1)
    if libm is None:
        flat[nonzero] = np.log1p(flat[nonzero])
    else:
        f = libm.log1pf
        flat[nonzero] = np.fromiter((f(x) for x in flat[nonzero].tolist()), dtype=np.float32, count=nonzero.size)
    return out


def _dense(matrix) -> np.ndarray:
    if hasattr(matrix, "toarray"):
        matrix = matrix.toarray()
    return np.asarray(matrix, dtype=np.float32)


def _select_by_name(values: np.ndarray, names: list[str] | None, wanted: list[str], path) -> tuple[np.ndarray, list[str]]:
    """The columns named `wanted`, which the engine kept in gene order (a subsequence of `names`)."""
    if names is None:
        raise RunError(f"{path} names no genes, so the run's highly variable genes cannot be found in it")
    if len(set(names)) == len(names):
        index = {n: i for i, n in enumerate(names)}
        missing = [n for n in wanted if n not in index]
        if missing:
            raise RunError(f"{path} lacks {len(missing)} of the run's genes (e.g. {missing[:3]})")
        kept = [index[n] for n in wanted]
    else:                           # duplicated names: match the run's genes in order
        kept, j = [], 0
        for n in wanted:
            while j < len(names) and names[j] != n:
                j += 1
            if j == len(names):
                raise RunError(f"{path} lacks the run's gene {n!r} (in order)")
            kept.append(j)
            j += 1
    return values[:, kept], [names[i] for i in kept]


def _read_h5ad(path, source: str, label_column: str | None):
    import anndata

    adata = anndata.read_h5ad(path)
    if source == "X":
        matrix, names = adata.X, list(map(str, adata.var_names))
    elif source in ("raw", "raw/X"):
        if adata.raw is None:
            raise RunError(f"{path} has no raw matrix")
        matrix, names = adata.raw.X, list(map(str, adata.raw.var_names))
    elif source.startswith("layers/"):
        matrix, names = adata.layers[source[len("layers/"):]], list(map(str, adata.var_names))
    else:
        raise RunError(f"{path}: unknown matrix {source!r} (X, raw or layers/NAME)")
    labels = None
    if label_column is not None:
        # One column, or several joined by commas (`wbdit train --labels A,B`): a tuple of
        # values per cell, "" where a value is missing.
        columns = [label_column] if label_column in adata.obs else label_column.split(",")
        for column in columns:
            if column not in adata.obs:
                raise RunError(f"{path} has no obs column {column!r}")
        values = [["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in adata.obs[c].astype(object)]
                  for c in columns]
        labels = list(zip(*values))
    return _dense(matrix), names, labels


def prepare_cells(path, data: dict, label_column: str | None = None) -> PreparedCells:
    """The run's prepared cells from its data file (see the module's description)."""
    path = Path(path)
    if path.suffix.lower() == ".npy":
        values = np.load(path).astype(np.float32)
        if values.ndim == 3 and values.shape[1] == 1:
            values = values[:, 0, :]
        return PreparedCells(np.ascontiguousarray(values), None, None)
    if path.suffix.lower() != ".h5ad":
        raise RunError(f"{path}: this reader takes .h5ad or .npy; convert other inputs with `wbdit prep` "
                       "(same preparation flags) and pass the .h5ad as --data")
    prep = data.get("preparation", {})
    values, names, labels = _read_h5ad(path, prep.get("source", "X"), label_column)
    if not np.isfinite(values).all():
        raise RunError(f"{path} holds non-finite values")
    if (values < 0).any():
        raise RunError(f"{path} holds negative values (scaled data)")
    min_genes, min_cells = int(prep.get("minimumGenes", 0)), int(prep.get("minimumCells", 0))
    if min_genes > 0:
        kept = np.flatnonzero((values != 0).sum(axis=1) >= min_genes)
        values = values[kept]
        labels = None if labels is None else [labels[i] for i in kept]
    if min_cells > 0:
        kept = np.flatnonzero((values != 0).sum(axis=0) >= min_cells)
        values = values[:, kept]
        names = None if names is None else [names[i] for i in kept]
    # `Preprocessing.isUnlogged`: whole numbers, or values past any log-normalised value
    counts = bool(np.all(values == np.round(values))) or float(values.max(initial=0)) > LARGEST_LOG_VALUE
    wanted = data.get("geneNames")
    top = prep.get("topGenes")
    flavor = prep.get("flavor", "seurat")
    selecting = top is not None and wanted is not None and len(wanted) < values.shape[1]
    if top is not None and wanted is None and top < values.shape[1]:
        raise RunError(f"{path}: the run kept {top} highly variable genes but did not record their names")
    if selecting and flavor == "seurat_v3":
        values, names = _select_by_name(values, names, wanted, path)
    if counts:
        totals = values.astype(np.float64).sum(axis=1)
        scale = np.where(totals > 0, float(prep.get("targetSum", 1e4)) / np.where(totals > 0, totals, 1), 1.0)
        values = values * scale.astype(np.float32)[:, None]
        values = _log1p_float32(values)
    if selecting and flavor != "seurat_v3":
        values, names = _select_by_name(values, names, wanted, path)
    if data.get("geneScale") is not None:
        values = values / np.asarray(data["geneScale"], dtype=np.float32)[None, :]
    return PreparedCells(np.ascontiguousarray(values, dtype=np.float32), names, labels)
