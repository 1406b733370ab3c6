"""One writer per run: the trainer's lock refuses a live holder and replaces a stale one."""

import json
import os
import subprocess
import sys

import pytest

from conftest import copy_at, needs_wbdit, torch_train
from wbdit_torch.rundir import RunDirectory, RunError, host_name


@needs_wbdit
def test_lock_refuses_a_second_trainer_and_recovers_a_stale_one(swift_runs, tmp_path):
    run = copy_at(swift_runs["pca"], 40, tmp_path / "locked")
    lock = run / "lock"
    lock.write_text(json.dumps({"host": host_name(), "pid": os.getppid(), "engine": "a test", "started": "2026-12-02T07:00:00Z"}))
    with pytest.raises(RunError, match=r"is being trained by pid \d+ on .* \(a test, since"):
        RunDirectory(run).acquire_lock("second")
    refused = torch_train(run, "--steps", "41", check=False)
    assert refused.returncode == 2
    assert "(a test, since 2026-12-02T07:00:00Z)" in refused.stderr
    assert (run / "latest").read_text().strip() == "step-40"

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock.write_text(json.dumps({"host": host_name(), "pid": int(gone.stdout), "engine": "wbdit", "started": "2026-12-02T07:00:00Z"}))
    taken = torch_train(run, "--steps", "41")
    assert "taking over the lock of pid" in taken.stderr
    assert (run / "latest").read_text().strip() == "step-41"
    assert not lock.exists()


def test_lock_of_another_host_is_never_taken_over(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"format": 1}))
    (tmp_path / "lock").write_text(json.dumps({"host": "elsewhere", "pid": 1, "engine": "a cluster job", "started": "2026-12-02T07:00:00Z"}))
    with pytest.raises(RunError, match="on elsewhere .*remove"):
        RunDirectory(tmp_path).acquire_lock("me")


def test_lock_is_the_swift_format_while_training(tmp_path):
    """The holder record has exactly the Swift `RunLock.Holder` fields, so Swift can name it."""
    (tmp_path / "config.json").write_text(json.dumps({"format": 1}))
    run = RunDirectory(tmp_path)
    run.acquire_lock("wbdit-torch test")
    holder = json.loads((tmp_path / "lock").read_text())
    assert set(holder) == {"host", "pid", "engine", "started"}
    assert holder["pid"] == os.getpid() and holder["host"] == host_name()
    assert holder["started"].endswith("Z") and holder["started"][10] == "T"
    run.acquire_lock("again")                     # our own lock: held already
    run.release_lock()
    assert not (tmp_path / "lock").exists()
