"""The one error the run-directory reader and the trainer raise for bad input."""


class RunError(Exception):
    """The run directory cannot be read or continued; the message says why."""
