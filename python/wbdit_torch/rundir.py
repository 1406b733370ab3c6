"""A Swift run directory read (and appended to) as the Swift trainer does (docs/training.md).

    config.json        TrainingConfig (format 1): model, data, batch, optimiser, schedule, …
    split.json         trainCells / heldOutCells: rows of the prepared cells
    basis.npy          with principal-component runs: [genes + 1, genes], the mean then A's rows
    metrics.jsonl      one JSON object per step; readouts on their own lines
    checkpoints/step-N.safetensors, step-N.optim.safetensors
    latest             "step-N"
    lock               while a trainer writes the run (`runlock`)

The training cells are the run's data file prepared as the Swift side prepares it
(`datafile`, which describes the steps), then the rows `split.trainCells`, and with a
principal basis their scores (x − μ)·A[:, :K], K = `data.principalComponents`. The
checkpoint files themselves are read and written by `checkpoint`.

`RunError`, `host_name` and the data file's functions are importable from here as well.
"""

import json
from pathlib import Path

import numpy as np

from .checkpoint import atomic_write
from .datafile import EXACT_LOG1P_LIMIT, PreparedCells, data_size, fnv1a_file, prepare_cells
from .errors import RunError
from .runlock import RunLock, host_name

__all__ = ["CHECKSUM_LIMIT", "EXACT_LOG1P_LIMIT", "RUN_FORMAT", "PreparedCells", "RunDirectory", "RunError", "RunLock",
           "data_size", "fnv1a_file", "host_name", "prepare_cells"]

RUN_FORMAT = 1
CHECKSUM_LIMIT = 64 << 20     # bytes hashed by default


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
            columns = label_column.split(",")
            names = self.config["labelNames"]
            names = [names] if len(columns) == 1 else names      # one list for one column, one per column for several
            labels = [prepared.labels[i] for i in train]         # a value per column, "" where the cell has none
            classes = np.empty((len(labels), len(columns)), dtype=np.int64)
            for a, column_names in enumerate(names):
                index = {n: k for k, n in enumerate(column_names)}
                index[""] = len(column_names)                     # a missing value is the column's "no label"
                values = [l[a] for l in labels]
                unknown = sorted(set(values) - set(index))
                if unknown:
                    raise RunError(f"labels {unknown[:3]} are not among the run's {len(column_names)} {columns[a]} labels")
                classes[:, a] = [index[v] for v in values]
            if len(columns) == 1:
                classes = classes[:, 0]
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

    # The writer's lock (`runlock`)
    def lock_holder(self) -> dict | None:
        return RunLock(self.path, self.lock_path).holder()

    def acquire_lock(self, engine: str) -> None:
        """Creates `lock` exclusively, as `Sources/Diffusion/Run/RunLock.swift` does (`RunLock.acquire`)."""
        RunLock(self.path, self.lock_path).acquire(engine)

    def release_lock(self) -> None:
        RunLock(self.path, self.lock_path).release()
