"""The writer's lock of a run directory: the Swift `RunLock`'s file and format.

`DIR/lock` is held while a trainer writes the run (`Sources/Diffusion/Run/RunLock.swift`);
`rundir.RunDirectory` takes and releases it through `RunLock`.
"""

import json
import os
import socket
import sys
import time
from pathlib import Path

from .errors import RunError


class RunLock:
    """The lock file `lock_path` of the run directory `run_path` (named in the messages)."""

    def __init__(self, run_path, lock_path):
        self.path, self.lock_path = Path(run_path), Path(lock_path)

    def holder(self) -> dict | None:
        try:
            holder = json.loads(self.lock_path.read_text())
        except (OSError, ValueError):
            return None
        return holder if isinstance(holder, dict) else None

    def acquire(self, engine: str) -> None:
        """Creates `lock` exclusively, whole, as `Sources/Diffusion/Run/RunLock.swift` does.

        The file is JSON `{"host", "pid", "engine", "started"}` (an ISO 8601 UTC time), the
        format the Swift trainer and workbench read to name the holder. A live holder is
        refused with one line naming it; a holder on this host whose process is gone is
        stale and taken over, with a note; another host's lock is never taken over.
        """
        me = {"host": host_name(), "pid": os.getpid(), "engine": engine,
              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        for _ in range(2):
            try:
                self._create(me)
            except FileExistsError:
                holder = self.holder()
                if holder is None:
                    raise RunError(f"{self.path} is locked by an unreadable {self.lock_path}; "
                                   "remove it if no trainer is running") from None
                if holder.get("host") == me["host"] and holder.get("pid") == me["pid"]:
                    return
                described = (f"pid {holder.get('pid', '?')} on {holder.get('host', '?')} "
                             f"({holder.get('engine', holder.get('writer', '?'))}, since {holder.get('started', '?')})")
                if holder.get("host") == me["host"] and not _alive(holder.get("pid")):
                    print(f"note: {self.path}: taking over the lock of {described}, which no longer runs",
                          file=sys.stderr, flush=True)
                    self.lock_path.unlink(missing_ok=True)
                    continue
                clear = "" if holder.get("host") == me["host"] else f"; if that trainer is gone, remove {self.lock_path}"
                raise RunError(f"{self.path} is being trained by {described}{clear}") from None
            return
        raise RunError(f"cannot take the lock {self.lock_path}")

    def _create(self, holder: dict) -> None:
        """Writes `holder` whole under a temporary name and links it into place, so that the
        lock is never seen half-written; FileExistsError when a lock is there already."""
        partial = self.lock_path.with_name(f".{self.lock_path.name}.partial-{os.getpid()}")
        try:
            partial.write_text(json.dumps(holder))
            os.link(partial, self.lock_path)
        finally:
            partial.unlink(missing_ok=True)

    def release(self) -> None:
        holder = self.holder()
        if holder and holder.get("pid") == os.getpid() and holder.get("host") == host_name():
            self.lock_path.unlink(missing_ok=True)


def host_name() -> str:
    """This host's name as Foundation's `ProcessInfo.hostName` gives it on Linux.

    gethostname(), resolved to its canonical name (getaddrinfo with AI_CANONNAME) when it
    resolves, so that a lock written here and one written by the Swift engine name the
    host alike.
    """
    name = socket.gethostname()
    try:
        for *_, canonical, _address in socket.getaddrinfo(name, None, flags=socket.AI_CANONNAME):
            if canonical:
                return canonical
    except OSError:
        pass
    return name


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
