"""The trainer's process group: one process, or the ranks torchrun starts (`torch.distributed`)."""

import datetime
import os

import torch
import torch.distributed as dist

from .errors import RunError


class Group:
    """The process group: rank, world size, device, and the few collectives the loop needs."""

    def __init__(self, device_choice: str):
        self.distributed = "RANK" in os.environ and "WORLD_SIZE" in os.environ
        cuda = torch.cuda.is_available() and device_choice != "cpu"
        if device_choice == "cuda" and not torch.cuda.is_available():
            raise RunError("--device cuda: no CUDA device is available")
        self.local_rank = int(os.environ.get("LOCAL_RANK", 0))
        if cuda:
            torch.cuda.set_device(self.local_rank)
            self.device = torch.device("cuda", self.local_rank)
        else:
            self.device = torch.device("cpu")
        if self.distributed:
            dist.init_process_group(backend="nccl" if cuda else "gloo", timeout=datetime.timedelta(minutes=30))
            self.rank, self.world = dist.get_rank(), dist.get_world_size()
        else:
            self.rank, self.world = 0, 1
        self.backend = dist.get_backend() if self.distributed else "none"
        self._flags_device = self.device if self.backend == "nccl" else torch.device("cpu")

    def sum(self, value: float) -> float:
        if not self.distributed:
            return value
        t = torch.tensor([value], dtype=torch.float64, device=self._flags_device)
        dist.all_reduce(t)
        return t.item()

    def any(self, *flags: bool) -> list[bool]:
        """Each flag OR-ed over the ranks."""
        if not self.distributed:
            return list(flags)
        t = torch.tensor([int(f) for f in flags], dtype=torch.int32, device=self._flags_device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return [bool(v) for v in t.tolist()]

    def broadcast_text(self, text: str | None) -> str | None:
        """Rank 0's text (or None) on every rank."""
        if not self.distributed:
            return text
        box = [text]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def barrier(self):
        if self.distributed:
            dist.barrier()

    def close(self):
        if self.distributed and dist.is_initialized():
            dist.destroy_process_group()
