"""One writer per run: the trainer's lock refuses a live holder and replaces a stale one."""

import json
import os
import socket
import subprocess
import sys

import pytest

from conftest import copy_at, needs_wbdit, torch_train
from wbdit_torch.rundir import RunDirectory, RunError


@needs_wbdit
def test_lock_refuses_a_second_trainer_and_recovers_a_stale_one(swift_runs, tmp_path):
    run = copy_at(swift_runs["pca"], 40, tmp_path / "locked")
    lock = run / "lock"
    lock.write_text(json.dumps({"host": socket.gethostname(), "pid": os.getpid(), "writer": "a test"}))
    with pytest.raises(RunError, match="is being trained by a test"):
        RunDirectory(run).acquire_lock("second")
    refused = torch_train(run, "--steps", "41", check=False)
    assert refused.returncode == 2
    assert "is being trained by a test" in refused.stderr
    assert (run / "latest").read_text().strip() == "step-40"

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock.write_text(json.dumps({"host": socket.gethostname(), "pid": int(gone.stdout), "writer": "killed"}))
    torch_train(run, "--steps", "41")
    assert (run / "latest").read_text().strip() == "step-41"
    assert not lock.exists()


def test_lock_of_another_host_is_never_taken_over(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"format": 1}))
    (tmp_path / "lock").write_text(json.dumps({"host": "elsewhere", "pid": 1, "writer": "a cluster job"}))
    with pytest.raises(RunError, match="on elsewhere"):
        RunDirectory(tmp_path).acquire_lock("me")
