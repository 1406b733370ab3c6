"""The one error the run-directory reader and the trainer raise for bad input."""

import json


class RunError(Exception):
    """The run directory cannot be read or continued; the message says why."""


class Interrupted(Exception):
    """A second stop signal arrived: leave at once (status 128 + the signal), without a checkpoint."""

    def __init__(self, signum: int):
        super().__init__(f"signal {signum}")
        self.signum = signum


# What reading a hand-edited or damaged run directory raises before training starts.
DAMAGE = (OSError, ValueError, KeyError, IndexError, TypeError)


def damaged(run, error: BaseException) -> RunError:
    """A one-line RunError for an exception met while reading the run at `run`."""
    if isinstance(error, FileNotFoundError):
        detail = f"no such file: {error.filename}"
    elif isinstance(error, KeyError):
        detail = f"a required field is missing: {error.args[0]!r}"
    elif isinstance(error, json.JSONDecodeError):
        detail = f"a JSON file is not valid JSON ({error.msg}, line {error.lineno})"
    else:
        detail = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return RunError(f"{run} cannot be continued: {detail}; the run directory was edited or damaged")
