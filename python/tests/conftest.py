"""Shared fixtures: tiny Swift runs made with the release binary, and helpers to run the trainer.

Every model here is tiny (width 16, one or two blocks, batch 8, ten principal components
or twenty genes), so each Swift run takes well under a second and each PyTorch segment a
few seconds, most of it importing torch. Run the tests niced on a shared machine:
`nice -n 19 python -m pytest python/tests`.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WBDIT = REPO / ".build" / "release" / "wbdit"
DATA = REPO / "Tests" / "CellDataTests" / "Fixtures" / "zeisel-slice.h5ad"
PACKAGE = REPO / "python"

needs_wbdit = pytest.mark.skipif(not WBDIT.exists(), reason=f"needs the release binary {WBDIT} (swift build -c release)")

COMMON = ["--data", str(DATA), "--top-genes", "20", "--holdout", "0.2", "--patch", "5", "--hidden", "16",
          "--batch", "8", "--threads", "1"]

# name → extra `wbdit train` flags
RUNS = {
    # the fast recipe on 10 principal components, with EMA, held out at random: the main run of the tests
    "pca": ["--depth", "1", "--heads", "2", "--no-stratify", "--pca-components", "10", "--ema", "0.99", "--steps", "40", "--checkpoint-every", "20",
            "--readout-every", "10"],
    # the DiT baseline on the 20 genes, ε-prediction, min-SNR and biased timesteps
    "dit": ["--arch", "dit", "--depth", "2", "--heads", "2", "--no-pca-basis", "--prediction", "epsilon", "--min-snr", "5",
            "--timestep-power", "2", "--steps", "20", "--checkpoint-every", "10", "--readout-every", "5"],
    # a conditional single-head white-box model, reference recipe
    "cond": ["--depth", "1", "--heads", "1", "--recipe", "reference", "--labels", "level1", "--no-pca-basis", "--steps", "20",
             "--checkpoint-every", "10", "--readout-every", "5"],
    # conditioned on two columns at once: one block of the label table each
    "cond2": ["--depth", "1", "--heads", "2", "--labels", "level1,level2", "--no-pca-basis", "--steps", "20",
              "--checkpoint-every", "10", "--readout-every", "5"],
    # cells streamed from disk in blocks of 16 (another cell order), across three epochs
    "stream": ["--depth", "1", "--heads", "2", "--no-pca-basis", "--streaming", "--block-cells", "16", "--steps", "60",
               "--checkpoint-every", "30", "--readout-every", "10"],
}


def environment() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PACKAGE) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["OMP_NUM_THREADS"] = "1"
    return env


def wbdit(*args, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(WBDIT), *map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"wbdit {' '.join(map(str, args))} failed ({result.returncode}): {result.stderr}")
    return result


def torch_train(run, *args, nproc: int | None = None, check=True) -> subprocess.CompletedProcess:
    """The PyTorch trainer on `run`: under torchrun with `nproc` processes, or one plain process."""
    if nproc is None:
        command = [sys.executable, "-m", "wbdit_torch.train", "--run", str(run)]
    else:
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(nproc),
                   "-m", "wbdit_torch.train", "--run-dir", str(run)]
    command += ["--threads", "1", "--quiet", *map(str, args)]
    result = subprocess.run(command, cwd=REPO, env=environment(), capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def close(a, b, tol):
    """a within tol of b, relative to |b| (absolute below 1)."""
    return abs(a - b) <= tol * max(1.0, abs(b))


def copy_at(run: Path, step: int, to: Path) -> Path:
    """A copy of `run` whose latest checkpoint is `step` (later checkpoints removed)."""
    shutil.copytree(run, to)
    (to / "latest").write_text(f"step-{step}\n")
    for f in (to / "checkpoints").iterdir():
        n = int(f.name[5:].split(".")[0])
        if n > step:
            f.unlink()
    return to


def metrics(run: Path) -> tuple[dict[int, dict], dict[tuple[int, int], dict]]:
    """(step lines by step, readout lines by (step, layer)) of a run's metrics.jsonl."""
    steps, layers = {}, {}
    for line in (run / "metrics.jsonl").read_text().splitlines():
        o = json.loads(line)
        if "layer" in o:
            layers[(o["step"], o["layer"])] = o
        else:
            assert o["step"] not in steps, f"step {o['step']} logged twice"
            steps[o["step"]] = o
    return steps, layers


@pytest.fixture(scope="session")
def swift_runs(tmp_path_factory) -> dict[str, Path]:
    """The runs of RUNS, trained by the Swift engine from step 0 to their end."""
    if not WBDIT.exists():
        pytest.skip(f"needs the release binary {WBDIT}")
    root = tmp_path_factory.mktemp("swift")
    runs = {}
    for name, flags in RUNS.items():
        path = root / name
        wbdit("train", *COMMON, *flags, "--run", path)
        runs[name] = path
    return runs
