"""A run with BF16 products (`wbdit train --precision bf16`) continues in PyTorch under autocast.

The Swift BF16 step rounds each product's operands to bfloat16 and keeps its sums in
float32; autocast also rounds the products' outputs, so the continuation follows the
Swift run's losses to bfloat16's precision, not to float rounding, and differs from the
same segment continued in float32.
"""

import json

import pytest

from conftest import COMMON, RUNS, close, copy_at, metrics, needs_wbdit, torch_train, wbdit


@needs_wbdit
def test_a_bf16_run_continues_under_autocast(tmp_path):
    swift = tmp_path / "bf16"
    made = wbdit("train", *COMMON, *RUNS["pca"], "--precision", "bf16", "--run", swift, check=False)
    if made.returncode == 2 and "AVX-512 BF16" in made.stderr:
        pytest.skip("this CPU has no AVX-512 BF16")
    assert made.returncode == 0, made.stderr
    assert json.loads((swift / "config.json").read_text())["productPrecision"] == "bf16"

    mixed = copy_at(swift, 20, tmp_path / "mixed")
    torch_train(mixed)
    float32 = copy_at(swift, 20, tmp_path / "float32")
    config = json.loads((float32 / "config.json").read_text())
    del config["productPrecision"]
    (float32 / "config.json").write_text(json.dumps(config))
    torch_train(float32)

    theirs, _ = metrics(swift)
    ours, _ = metrics(mixed)
    plain, _ = metrics(float32)
    for step in range(21, 41):
        assert close(ours[step]["loss"], theirs[step]["loss"], 5e-2), (step, ours[step]["loss"], theirs[step]["loss"])
    assert any(not close(ours[step]["loss"], plain[step]["loss"], 1e-6) for step in range(21, 41)), \
        "the segment under autocast equals the float32 one: autocast did not run"
