"""Bad input to the PyTorch trainer: one line on stderr and status 2, never a traceback;
stop signals: a checkpoint and 128 + the signal, as the Swift trainer does."""

import json
import signal
import subprocess
import sys
import time

import pytest

from conftest import REPO, copy_at, environment, needs_wbdit, torch_train, wbdit


def assert_one_line(result, status: int, text: str):
    lines = result.stderr.strip().splitlines()
    assert result.returncode == status, result.stderr
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert text in lines[0], lines[0]


@pytest.mark.parametrize("flags, text", [
    (["--steps", "0"], "--steps must be between 1 and"),
    (["--steps", str(2**64)], "--steps must be between 1 and"),
    (["--time-budget", "nan"], "--time-budget must be a positive number"),
    (["--time-budget", "inf"], "--time-budget must be a positive number"),
    (["--threads", "-3"], "--threads must be between 1 and 1024"),
    (["--steps", "abc"], "invalid int value"),
])
def test_bad_flags_are_one_line(tmp_path, flags, text):
    command = [sys.executable, "-m", "wbdit_torch.train", "--run", str(tmp_path), *flags]
    result = subprocess.run(command, cwd=REPO, env=environment(), capture_output=True, text=True, timeout=300)
    assert_one_line(result, 2, text)


def _edit_config(run, edit):
    config = json.loads((run / "config.json").read_text())
    edit(config)
    (run / "config.json").write_text(json.dumps(config))


@needs_wbdit
@pytest.mark.parametrize("name, damage, text", [
    ("garbage", lambda r: (r / "config.json").write_text("{garbage"), "not valid JSON"),
    ("no-data", lambda r: _edit_config(r, lambda c: c.pop("data")), "a required field is missing: 'data'"),
    ("batch", lambda r: _edit_config(r, lambda c: c.update(batch="x")), "ValueError"),
    ("truncated", lambda r: (r / "checkpoints" / "step-40.safetensors").write_bytes(b"\0" * 100), "cannot be continued"),
    ("no-optim", lambda r: (r / "checkpoints" / "step-40.optim.safetensors").unlink(), "no such file"),
    ("no-basis", lambda r: (r / "basis.npy").unlink(), "no such file"),
])
def test_a_damaged_run_is_one_line(swift_runs, tmp_path, name, damage, text):
    run = copy_at(swift_runs["pca"], 40, tmp_path / name)
    damage(run)
    result = torch_train(run, "--steps", "41", check=False)
    assert_one_line(result, 2, text)
    assert not (run / "lock").exists()


@needs_wbdit
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_writes_a_checkpoint_and_exits_with_its_status(swift_runs, tmp_path, signum):
    run = copy_at(swift_runs["pca"], 40, tmp_path / f"signal-{signum}")
    command = [sys.executable, "-m", "wbdit_torch.train", "--run", str(run), "--steps", "100000000", "--threads", "1"]
    process = subprocess.Popen(command, cwd=REPO, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while not (run / "metrics.jsonl").read_text().count("\n") > 45 and time.time() < deadline:
        time.sleep(0.1)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr, stderr
    latest = int((run / "latest").read_text().strip()[5:])
    assert latest > 40
    assert not (run / "lock").exists()
    assert not [p for p in run.rglob(".*partial*")]
    wbdit("train", "--resume", "--run", run, "--steps", latest + 1)


def test_a_ctrl_c_while_pytorch_loads_leaves_quietly(tmp_path):
    # PyTorch's import takes a second or more; the signal lands inside it.
    command = [sys.executable, "-m", "wbdit_torch.train", "--run", str(tmp_path / "run")]
    process = subprocess.Popen(command, cwd=REPO, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 128 + signal.SIGINT, stderr
    assert "Traceback" not in stderr, stderr
    assert not (tmp_path / "run").exists()
