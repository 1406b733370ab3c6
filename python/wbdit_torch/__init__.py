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

from .networks import (DIFFUSION_STEPS, ISTA, ISTA_LAMBDA, ISTA_STEP, LN_EPS, MSSA, TIME_FREQ_DIM, Attention, Block,
                       DiffusionTransformer, FinalLayer, LabelEmbedder, Mlp, PatchEmbed, TimestepEmbedder,
                       from_metadata, modulate, randomize_all, reference_init, sincos_pos_embed, timestep_features,
                       trainable_names, trainable_parameters)
from .diffusion import alphas_cumprod, make_optimizer, q_sample, training_step

__version__ = "0.1.0"
