"""Checkpoints and optimiser files in the Swift run directory's format (docs/training.md).

- `checkpoints/step-N.safetensors`: the network's float32 tensors under the reference
  names (`pos_embed` included) with string metadata `architecture, genes, patch_size,
  hidden_size, depth, num_heads, mlp_ratio[, num_classes]`, plus `step`, `nonnegative`,
  `label_names` (conditional runs, a JSON list) and `prediction` (when not ε).
- `checkpoints/step-N.optim.safetensors`: `adam.exp_avg`, `adam.exp_avg_sq` and, with
  EMA, `ema`, each one flat float32 vector over the trainable tensors in the Swift
  layout's order (`networks.trainable_names`); metadata `format, step, adam_step,
  epoch, cursor, threads, generator` (four decimal words), `training_seconds`.

Every file is written atomically (a temporary file beside it, fsync, `os.replace`,
fsync of the folder), weights first, then the optimiser file, then `latest`, as the
Swift trainer does, so `latest` always names a complete checkpoint.
"""

import json
import os
import struct
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save as safetensors_bytes

from .networks import DiffusionTransformer, from_metadata, trainable_names


def read_header(path) -> tuple[dict, dict[str, str]]:
    """(tensor entries, metadata) of a safetensors file, read from its header only."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
    metadata = header.pop("__metadata__", {}) or {}
    return header, metadata


def load_tensors(path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Every tensor (on the CPU) and the metadata of a safetensors file."""
    tensors = {}
    try:
        with safe_open(str(path), framework="pt") as f:
            metadata = f.metadata() or {}
            for name in f.keys():
                tensors[name] = f.get_tensor(name)
    except SafetensorError as error:   # a truncated or foreign file; a missing one stays FileNotFoundError
        raise ValueError(f"{path} is not a readable safetensors file ({error})") from error
    return tensors, metadata


def atomic_write(path, data: bytes) -> None:
    """Writes `data` to `path` so that a crash leaves the old file or the new one, never a mix."""
    path = Path(path)
    temporary = path.parent / f".{path.name}.partial-{os.getpid()}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        temporary.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(temporary, path)
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def load_network(path) -> tuple[DiffusionTransformer, dict[str, str]]:
    """The network of a checkpoint (float32, CPU) and its metadata; `pos_embed` may be absent."""
    tensors, metadata = load_tensors(path)
    model = from_metadata(metadata)
    expected = set(model.state_dict())
    missing = sorted(expected - set(tensors) - {"pos_embed"})
    extra = sorted(set(tensors) - expected)
    if missing or extra:
        raise ValueError(f"{path} does not fit the model its metadata describes: "
                         f"missing {missing or 'nothing'}, unexpected {extra or 'nothing'}")
    for name, tensor in tensors.items():
        if tensor.dtype != torch.float32:
            raise ValueError(f"{path}: {name} has dtype {tensor.dtype}, expected float32")
    model.load_state_dict(tensors, strict=False)
    return model, metadata


def network_bytes(model: DiffusionTransformer, metadata: dict[str, str]) -> bytes:
    """The safetensors bytes of a network's weights (every state_dict tensor) with `metadata`."""
    tensors = {name: t.detach().to("cpu", torch.float32).contiguous() for name, t in model.state_dict().items()}
    merged = {**metadata, **model.config()}
    return safetensors_bytes(tensors, metadata=dict(sorted(merged.items())))


def flatten(model: DiffusionTransformer, per_tensor: dict[str, torch.Tensor]) -> torch.Tensor:
    """One flat float32 CPU vector of per-tensor values in the Swift layout's order."""
    return torch.cat([per_tensor[name].detach().to("cpu", torch.float32).reshape(-1) for name in trainable_names(model)])


def unflatten(model: DiffusionTransformer, flat: torch.Tensor) -> dict[str, torch.Tensor]:
    """The per-tensor views of a flat vector in the Swift layout's order."""
    params = dict(model.named_parameters())
    out, offset = {}, 0
    for name in trainable_names(model):
        shape = params[name].shape
        count = params[name].numel()
        out[name] = flat[offset:offset + count].reshape(shape)
        offset += count
    if offset != flat.numel():
        raise ValueError(f"a flat vector of {flat.numel()} values does not fit {offset} trainable values")
    return out


def trainable_count(model: DiffusionTransformer) -> int:
    params = dict(model.named_parameters())
    return sum(params[name].numel() for name in trainable_names(model))


def optimiser_bytes(exp_avg: torch.Tensor, exp_avg_sq: torch.Tensor, ema: torch.Tensor | None,
                    metadata: dict[str, str]) -> bytes:
    tensors = {"adam.exp_avg": exp_avg.contiguous(), "adam.exp_avg_sq": exp_avg_sq.contiguous()}
    if ema is not None:
        tensors["ema"] = ema.contiguous()
    return safetensors_bytes(tensors, metadata=dict(sorted(metadata.items())))
