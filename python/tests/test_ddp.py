"""torchrun with two gloo processes: the same step as one process at the global batch, and back to Swift."""

import json
import shutil

import numpy as np
import pytest

from conftest import DATA, copy_at, metrics, needs_wbdit, torch_train, wbdit
from wbdit_torch.checkpoint import load_tensors

START, END = 40, 46           # six steps at global batch 16 = 2 × the run's 8


def compare_runs(a, b, end):
    sa, la = metrics(a)
    sb, lb = metrics(b)
    assert sorted(sa) == sorted(sb) == list(range(1, end + 1))
    for step in range(START + 1, end + 1):
        assert abs(sa[step]["loss"] - sb[step]["loss"]) <= 1e-5 * abs(sb[step]["loss"]), step
        assert abs(sa[step]["grad_norm"] - sb[step]["grad_norm"]) <= 1e-5 * sb[step]["grad_norm"], step
        assert sa[step]["epoch"] == sb[step]["epoch"]
    for suffix in ("safetensors", "optim.safetensors"):
        ta, ma = load_tensors(a / "checkpoints" / f"step-{end}.{suffix}")
        tb, mb = load_tensors(b / "checkpoints" / f"step-{end}.{suffix}")
        for k in tb:
            assert float((ta[k] - tb[k]).abs().max()) <= 1e-5 * max(1e-3, float(tb[k].abs().max())), k
        for k in ("epoch", "cursor", "adam_step", "generator", "step"):
            if k in mb:
                assert ma[k] == mb[k], k


@pytest.fixture(scope="module")
def ddp_runs(swift_runs, tmp_path_factory):
    """For each noise stream: (2 ranks at global batch 16, 1 rank at batch 16), both from the Swift run's step 40."""
    root = tmp_path_factory.mktemp("ddp")
    runs = {}
    for noise in ("swift", "torch"):
        two = copy_at(swift_runs["pca"], START, root / f"two-{noise}")
        one = copy_at(swift_runs["pca"], START, root / f"one-{noise}")
        torch_train(two, "--steps", END, "--noise", noise, nproc=2)
        torch_train(one, "--steps", END, "--noise", noise, "--global-batch", 16, nproc=1)
        runs[noise] = (two, one)
    return runs


@needs_wbdit
@pytest.mark.parametrize("noise", ["swift", "torch"])
def test_two_ranks_match_one_rank_at_the_global_batch(ddp_runs, noise):
    two, one = ddp_runs[noise]
    compare_runs(two, one, END)
    _, meta = load_tensors(two / "checkpoints" / f"step-{END}.optim.safetensors")
    assert meta["world_size"] == "2" and meta["global_batch"] == "16" and meta["noise"] == noise
    assert int(meta["cursor"]) % 16 == 0 or int(meta["epoch"]) > 0


@needs_wbdit
def test_loss_continues_without_a_jump(ddp_runs, swift_runs):
    two, _ = ddp_runs["swift"]
    steps, _ = metrics(two)
    swift_tail = np.mean([steps[s]["loss"] for s in range(START - 9, START + 1)])
    torch_head = np.mean([steps[s]["loss"] for s in range(START + 1, END + 1)])
    assert 0.5 < torch_head / swift_tail < 2, (swift_tail, torch_head)


@needs_wbdit
@pytest.mark.parametrize("noise", ["swift", "torch"])
def test_swift_takes_the_run_back(ddp_runs, tmp_path, noise):
    two = tmp_path / "back"
    shutil.copytree(ddp_runs[noise][0], two)
    out = tmp_path / "x.npy"
    wbdit("sample", "--run", two, "--n", 4, "--steps", 5, "--values", "network", "--out", out, "--threads", 1)
    cells = np.load(out)
    assert cells.shape == (4, 20) and np.isfinite(cells).all()
    wbdit("sample", "--run", two, "--ema", "--n", 2, "--steps", 3, "--values", "network", "--out", out, "--threads", 1)
    # The Swift trainer resumes from the PyTorch checkpoint and optimiser state.
    wbdit("train", "--resume", "--run", two, "--data", DATA, "--steps", END + 4)
    assert (two / "latest").read_text().strip() == f"step-{END + 4}"
    steps, _ = metrics(two)
    assert sorted(steps) == list(range(1, END + 5))
    config = json.loads((two / "config.json").read_text())
    assert config["totalSteps"] == END + 4
    _, meta = load_tensors(two / "checkpoints" / f"step-{END + 4}.optim.safetensors")
    assert meta["adam_step"] == str(END + 4) and "writer" not in meta
