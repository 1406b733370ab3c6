"""wbdit-torch: the PyTorch side of wbdit.

- `networks`: the White-Box Diffusion Transformer and the DiT baseline with the
  reference tensor names (the one PyTorch implementation; the parity fixtures and the
  benchmark peers use it), built from `embeddings`, `whitebox_layers` (MSSA, ISTA) and
  `dit_layers` (attention, MLP);
- `diffusion`, `sampling`: the schedule, ε/v targets, min-SNR weights, timestep draws,
  learning-rate schedules, DDIM and DDPM;
- `rng`: the Swift engine's seeded generator, bit for bit;
- `checkpoint`, `rundir`, `datafile`, `runlock`, `readouts`, `errors`: a Swift run
  directory read and written as the Swift trainer does;
- `train`: `torchrun -m wbdit_torch.train --run DIR` continues a run with
  DistributedDataParallel (docs/scaling.md), on `process_group`, `segment` and `loop`.
"""

import importlib

# The names below load their module (and so PyTorch) when first used, not when the package
# is imported: `python -m wbdit_torch.train` installs its signal handlers before PyTorch's
# import, which takes seconds, so a Ctrl-C then leaves quietly instead of with a traceback.
_EXPORTS = {
    "networks": ["DIFFUSION_STEPS", "ISTA", "ISTA_LAMBDA", "ISTA_STEP", "LN_EPS", "MSSA", "TIME_FREQ_DIM", "Attention",
                 "Block", "DiffusionTransformer", "FinalLayer", "LabelEmbedder", "Mlp", "PatchEmbed",
                 "TimestepEmbedder", "from_metadata", "modulate", "randomize_all", "reference_init",
                 "sincos_pos_embed", "timestep_features", "trainable_names", "trainable_parameters"],
    "diffusion": ["alphas_cumprod", "make_optimizer", "q_sample", "training_step"],
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_MODULE_OF[name]}", __name__), name)


__version__ = "0.1.0"
