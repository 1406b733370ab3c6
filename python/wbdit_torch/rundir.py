"""A Swift run directory read (and appended to) as the Swift trainer does (docs/training.md).

    config.json        TrainingConfig (format 1): model, data, batch, optimiser, schedule, …
    split.json         trainCells / heldOutCells: rows of the prepared cells
    basis.npy          with principal-component runs: [genes + 1, genes], the mean then A's rows
    metrics.jsonl      one JSON object per step; readouts on their own lines
    checkpoints/step-N.safetensors, step-N.optim.safetensors
    latest             "step-N"

The training cells are recovered by preparing the run's data file the way the Swift
side prepares it (`Sources/CellData/CellLoader.swift`), step by step, with two
shortcuts that make it exact rather than a re-implementation of scanpy: the highly
variable genes are not selected again but taken by name from `data.geneNames`, and
`--scale-genes` divides by the recorded `data.geneScale`. So, for an .h5ad: the matrix
`preparation.source` (X, raw/X, layers/NAME); cells expressing fewer than
`minimumGenes` genes dropped; genes expressed in fewer than `minimumCells` cells
dropped; with seurat_v3, the named genes kept first; raw counts (every value a whole
number ≥ 0) normalised to `targetSum` per cell (sums in double, the per-cell factor
rounded to float32, as the engine) and log1p-transformed (log-normalised data is used as
it is); with seurat, the named genes kept; then the gene scale. A .npy is used as it is.
The result must have the recorded shape (`data.cells` × `data.genes`); the file's
FNV-1a checksum is checked against `data.checksum` (skipped for large files unless asked,
since pure Python hashes about 10 MB/s). Then the rows `split.trainCells`, and with a
principal basis their scores (x − μ)·A[:, :K], K = `data.principalComponents`.

Other inputs (10x folders, CSV/TSV): convert them once with `wbdit prep` to an .h5ad
with the same preparation flags and pass that file as `data=` (with `verify=False`).
"""

import json
import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .checkpoint import atomic_write

RUN_FORMAT = 1
CHECKSUM_LIMIT = 64 << 20     # bytes hashed by default


class RunError(Exception):
    """The run directory cannot be read or continued; the message says why."""


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
    labels: list[str] | None         # the obs column asked for, per prepared cell


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
        if label_column not in adata.obs:
            raise RunError(f"{path} has no obs column {label_column!r}")
        labels = [str(v) for v in adata.obs[label_column]]
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
    counts = bool(np.all(values == np.round(values)))
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


# MARK: - The run directory

class RunDirectory:
    def __init__(self, path):
        self.path = Path(path)
        if not self.config_path.exists():
            raise RunError(f"{self.path} is not a run directory (no config.json)")
        self.config = json.loads(self.config_path.read_text())
        if self.config.get("format") != RUN_FORMAT:
            raise RunError(f"{self.path} was written in run format {self.config.get('format')}; "
                           f"this reader reads format {RUN_FORMAT}")

    # Paths
    @property
    def config_path(self) -> Path: return self.path / "config.json"
    @property
    def metrics_path(self) -> Path: return self.path / "metrics.jsonl"
    @property
    def checkpoints_path(self) -> Path: return self.path / "checkpoints"
    @property
    def latest_path(self) -> Path: return self.path / "latest"
    @property
    def lock_path(self) -> Path: return self.path / "lock"
    def model_path(self, step: int) -> Path: return self.checkpoints_path / f"step-{step}.safetensors"
    def optimiser_path(self, step: int) -> Path: return self.checkpoints_path / f"step-{step}.optim.safetensors"

    # Reading
    def latest_step(self) -> int | None:
        if not self.latest_path.exists():
            return None
        name = self.latest_path.read_text().strip()
        if not name.startswith("step-") or not name[5:].isdigit():
            raise RunError(f"{self.latest_path} does not name a checkpoint ({name!r})")
        return int(name[5:])

    def split(self) -> dict:
        try:
            return json.loads((self.path / "split.json").read_text())
        except (OSError, ValueError) as error:
            raise RunError(f"{self.path} has no readable split.json ({error})") from None

    def basis(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(μ [genes], A[:, :K] [genes, K]) for a principal-component run, else None."""
        data = self.config["data"]
        if not data.get("principalBasis"):
            return None
        array = np.load(self.path / "basis.npy").astype(np.float32)
        genes = array.shape[1]
        if array.shape != (genes + 1, genes) or genes != data["genes"]:
            raise RunError(f"{self.path}/basis.npy has shape {array.shape}, expected [{data['genes'] + 1}, {data['genes']}]")
        k = data.get("principalComponents") or genes
        return array[0], np.ascontiguousarray(array[1:, :k])

    def data_path(self, override=None) -> Path:
        path = Path(override if override is not None else self.config["data"]["path"])
        if not path.exists():
            raise RunError(f"the run's data file {path} does not exist (give another copy with --data)")
        return path

    def training_cells(self, data_override=None, verify: bool | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """The cells the network trains on, float32 [train cells, model genes], and their classes (or None)."""
        data = self.config["data"]
        path = self.data_path(data_override)
        if verify is None:
            verify = data_size(path) <= CHECKSUM_LIMIT
        if verify and fnv1a_file(path) != data["checksum"]:
            raise RunError(f"{path} is not the file this run was trained on (its checksum differs from {data['path']}'s)")
        label_column = self.config.get("labelColumn") if self.config.get("labelNames") is not None else None
        prepared = prepare_cells(path, data, label_column)
        if prepared.values.shape != (data["cells"], data["genes"]):
            raise RunError(f"{path} prepares to {prepared.values.shape[0]} × {prepared.values.shape[1]} cells × genes, "
                           f"but the run recorded {data['cells']} × {data['genes']}")
        train = np.asarray(self.split()["trainCells"], dtype=np.int64)
        cells = prepared.values[train]
        basis = self.basis()
        if basis is not None:
            mean, axes = basis
            cells = (cells - mean[None, :]) @ axes
        model_genes = self.config["model"]["genes"]
        if cells.shape[1] != model_genes:
            raise RunError(f"the training cells have {cells.shape[1]} values each, the network takes {model_genes}")
        classes = None
        if label_column is not None:
            names = self.config["labelNames"]
            index = {n: k for k, n in enumerate(names)}
            labels = [prepared.labels[i] for i in train]
            unknown = sorted(set(labels) - set(index))
            if unknown:
                raise RunError(f"labels {unknown[:3]} are not among the run's {len(names)} labels")
            classes = np.asarray([index[l] for l in labels], dtype=np.int64)
        return np.ascontiguousarray(cells, dtype=np.float32), classes

    # Writing
    def write_config(self) -> None:
        atomic_write(self.config_path, json.dumps(self.config, indent=2, sort_keys=True).encode())

    def truncate_metrics(self, after: int) -> None:
        """Keeps only the metric lines up to step `after` (as `RunDirectory.truncateMetrics`)."""
        if not self.metrics_path.exists():
            return
        kept = []
        for line in self.metrics_path.read_text().split("\n"):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and isinstance(obj.get("step"), int) and obj["step"] <= after:
                kept.append(line)
        atomic_write(self.metrics_path, ("\n".join(kept) + ("\n" if kept else "")).encode())

    def commit(self, step: int, keep: int) -> None:
        """Points `latest` at checkpoint `step`, then removes all but the newest `keep` checkpoints."""
        atomic_write(self.latest_path, f"step-{step}\n".encode())
        steps = set()
        for p in self.checkpoints_path.iterdir():
            name = p.name
            if name.startswith("step-") and name.endswith(".safetensors"):
                digits = ""
                for ch in name[5:]:
                    if not ch.isdigit():
                        break
                    digits += ch
                if digits:
                    steps.add(int(digits))
        ordered = sorted(steps)
        for old in ordered[:max(0, len(ordered) - max(1, keep))]:
            if old != step:
                self.model_path(old).unlink(missing_ok=True)
                self.optimiser_path(old).unlink(missing_ok=True)

    # The writer's lock (the Swift `RunLock`'s file and format)
    def lock_holder(self) -> dict | None:
        try:
            holder = json.loads(self.lock_path.read_text())
        except (OSError, ValueError):
            return None
        return holder if isinstance(holder, dict) else None

    def acquire_lock(self, engine: str) -> None:
        """Creates `lock` exclusively, as `Sources/Diffusion/RunLock.swift` does.

        The file is JSON `{"host", "pid", "engine", "started"}` (an ISO 8601 UTC time), the
        format the Swift trainer and workbench read to name the holder. A live holder is
        refused with one line naming it; a holder on this host whose process is gone is
        stale and taken over, with a note; another host's lock is never taken over.
        """
        me = {"host": host_name(), "pid": os.getpid(), "engine": engine,
              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        for _ in range(2):
            try:
                fd = os.open(self.lock_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = self.lock_holder()
                if holder is None:
                    raise RunError(f"{self.path} is locked by an unreadable {self.lock_path}; "
                                   "remove it if no trainer is running") from None
                if holder.get("host") == me["host"] and holder.get("pid") == me["pid"]:
                    return
                described = (f"pid {holder.get('pid', '?')} on {holder.get('host', '?')} "
                             f"({holder.get('engine', holder.get('writer', '?'))}, since {holder.get('started', '?')})")
                if holder.get("host") == me["host"] and not _alive(holder.get("pid")):
                    print(f"note: {self.path}: taking over the lock of {described}, which no longer runs",
                          file=sys.stderr, flush=True)
                    self.lock_path.unlink(missing_ok=True)
                    continue
                clear = "" if holder.get("host") == me["host"] else f"; if that trainer is gone, remove {self.lock_path}"
                raise RunError(f"{self.path} is being trained by {described}{clear}") from None
            with os.fdopen(fd, "w") as f:
                json.dump(me, f)
            return
        raise RunError(f"cannot take the lock {self.lock_path}")

    def release_lock(self) -> None:
        holder = self.lock_holder()
        if holder and holder.get("pid") == os.getpid() and holder.get("host") == host_name():
            self.lock_path.unlink(missing_ok=True)


def host_name() -> str:
    """This host's name as Foundation's `ProcessInfo.hostName` gives it on Linux.

    gethostname(), resolved to its canonical name (getaddrinfo with AI_CANONNAME) when it
    resolves, so that a lock written here and one written by the Swift engine name the
    host alike.
    """
    name = socket.gethostname()
    try:
        for *_, canonical, _address in socket.getaddrinfo(name, None, flags=socket.AI_CANONNAME):
            if canonical:
                return canonical
    except OSError:
        pass
    return name


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
