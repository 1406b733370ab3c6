"""The Swift engine's forward pass (`wbdit forward`) and the package's network agree to 1e-5."""

import numpy as np
import pytest
import torch

from conftest import needs_wbdit, wbdit
from wbdit_torch.checkpoint import load_network


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / max(1e-12, np.abs(b).max()))


def forward_both(checkpoint, tmp_path, labels=None):
    model, _ = load_network(checkpoint)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, model.genes)).astype(np.float32)
    t = np.array([1, 999, 500, 17, 250, 998], dtype=np.int64)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "t.npy", t)
    args = ["forward", "--checkpoint", checkpoint, "--x", tmp_path / "x.npy", "--t", tmp_path / "t.npy",
            "--out", tmp_path / "eps.npy", "--threads", "1"]
    y = None
    if labels is not None:
        np.save(tmp_path / "y.npy", labels)
        args += ["--labels", tmp_path / "y.npy"]
        y = torch.from_numpy(labels)
    wbdit(*args)
    swift = np.load(tmp_path / "eps.npy")
    with torch.no_grad():
        ours = model(torch.from_numpy(x), torch.from_numpy(t), y).numpy()
    return swift, ours


@needs_wbdit
@pytest.mark.parametrize("name", ["pca", "dit"])
def test_swift_checkpoint_forward_agrees(swift_runs, tmp_path, name):
    run = swift_runs[name]
    latest = (run / "latest").read_text().strip()
    swift, ours = forward_both(run / "checkpoints" / f"{latest}.safetensors", tmp_path)
    assert np.abs(ours).max() > 1e-3, "a trained network should not output zeros"
    assert relative_error(ours, swift) <= 1e-5


@needs_wbdit
def test_conditional_checkpoint_forward_agrees(swift_runs, tmp_path):
    run = swift_runs["cond"]
    latest = (run / "latest").read_text().strip()
    model, _ = load_network(run / "checkpoints" / f"{latest}.safetensors")
    labels = np.array([0, 1, 2, model.num_classes, 0, 1], dtype=np.int64)   # including "no label"
    swift, ours = forward_both(run / "checkpoints" / f"{latest}.safetensors", tmp_path, labels)
    assert relative_error(ours, swift) <= 1e-5


@needs_wbdit
def test_two_attribute_checkpoint_forward_agrees(swift_runs, tmp_path):
    run = swift_runs["cond2"]
    latest = (run / "latest").read_text().strip()
    model, _ = load_network(run / "checkpoints" / f"{latest}.safetensors")
    first, second = model.label_classes
    assert len(model.label_classes) == 2 and model.config()["num_classes"] == f"{first},{second}"
    labels = np.array([[0, 1], [1, second], [first, 2], [first, second], [2, 0], [0, second - 1]], dtype=np.int64)
    swift, ours = forward_both(run / "checkpoints" / f"{latest}.safetensors", tmp_path, labels)
    assert relative_error(ours, swift) <= 1e-5
