"""A PyTorch segment continues a Swift run exactly: Swift 0→40 against Swift 0→20 then PyTorch 20→40.

With `--noise swift` and one process at the run's own batch, the PyTorch trainer draws
the same cells, timesteps and noise from the same generator as the Swift trainer would
have, so the two runs agree to float rounding: every step's loss, the readouts, the
weights, the AdamW moments, the EMA and the saved generator, epoch and position.
"""

import json
import math

import pytest

from conftest import close, copy_at, metrics, needs_wbdit, torch_train
from wbdit_torch.checkpoint import load_tensors, read_header

SWIFT_OPTIM_KEYS = {"format", "step", "adam_step", "epoch", "cursor", "threads", "generator", "training_seconds"}


@needs_wbdit
@pytest.mark.parametrize("name,split,end", [("pca", 20, 40), ("dit", 10, 20), ("cond", 10, 20),
                                                ("cond2", 10, 20), ("stream", 30, 60)])
def test_pytorch_segment_continues_the_swift_stream(swift_runs, tmp_path, name, split, end):
    swift = swift_runs[name]
    run = copy_at(swift, split, tmp_path / name)
    torch_train(run)                         # to the run's totalSteps
    assert (run / "latest").read_text().strip() == f"step-{end}"

    ours, our_layers = metrics(run)
    theirs, their_layers = metrics(swift)
    assert sorted(ours) == list(range(1, end + 1))
    assert set(our_layers) == set(their_layers)
    for step in range(split + 1, end + 1):
        a, b = ours[step], theirs[step]
        assert set(a) == set(b)
        assert a["epoch"] == b["epoch"]
        assert close(a["loss"], b["loss"], 1e-5), (step, a["loss"], b["loss"])
        assert close(a["grad_norm"], b["grad_norm"], 1e-5)
        assert close(a["lr"], b["lr"], 1e-12)
    for key, b in their_layers.items():
        a = our_layers[key]
        assert set(a) == set(b)
        for field in ("coding_rate", "coding_rate_sd", "sparsity"):
            assert close(a[field], b[field], 1e-5), (key, field, a[field], b[field])

    for suffix in ("safetensors", "optim.safetensors"):
        mine, meta = load_tensors(run / "checkpoints" / f"step-{end}.{suffix}")
        reference, ref_meta = load_tensors(swift / "checkpoints" / f"step-{end}.{suffix}")
        assert set(mine) == set(reference)
        for k, tensor in reference.items():
            scale = max(1e-3, float(tensor.abs().max()))
            assert float((mine[k] - tensor).abs().max()) <= 1e-5 * scale, k
        assert set(ref_meta) <= set(meta)
        for k in ref_meta:
            if k != "training_seconds":
                assert meta[k] == ref_meta[k], k
    _, optim_meta = read_header(run / "checkpoints" / f"step-{end}.optim.safetensors")
    assert SWIFT_OPTIM_KEYS <= set(optim_meta)
    assert optim_meta["noise"] == "swift"          # what --noise auto picks for a batch this small
    float(optim_meta["training_seconds"])
    assert not (run / "lock").exists()


@needs_wbdit
def test_time_budget_stops_with_a_checkpoint(swift_runs, tmp_path):
    run = copy_at(swift_runs["pca"], 40, tmp_path / "budget")
    result = torch_train(run, "--steps", "100000", "--time-budget", "0.5")
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    latest = int((run / "latest").read_text().strip()[5:])
    assert 40 < latest < 100000 and summary["steps"] == latest - 40
    config = json.loads((run / "config.json").read_text())
    assert config["totalSteps"] == 100000 and config["learningRate"]["totalSteps"] == 100000
    steps, _ = metrics(run)
    assert max(steps) == latest


def test_a_schedule_resized_by_a_time_budget_reads_as_wbdit_writes_it():
    # `LearningRateSchedule.resized(at: 60, totalSteps: 210)` of peak 1, warm-up 10, floor
    # 0.1, 110 steps, as config.json holds it (TimeBudgetPlanningTests checks the same rates).
    from wbdit_torch.diffusion import LearningRateSchedule
    c = {"peakRate": 1, "warmupSteps": 10, "cosineDecay": True, "minimumRate": 0.1, "totalSteps": 210,
         "anchor": {"step": 60, "progress": 0.5}}
    resized = LearningRateSchedule.from_config(c)
    original = LearningRateSchedule.from_config({**c, "totalSteps": 110, "anchor": None})
    assert resized.rate(60) == pytest.approx(original.rate(60)) == pytest.approx(0.55)
    assert resized.rate(135) == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 0.75)))
    assert resized.rate(210) == pytest.approx(0.1)
    assert resized.rate(85) > original.rate(85)   # the longer decay falls more slowly
