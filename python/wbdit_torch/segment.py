"""A training segment: a run continued from its latest checkpoint, one step at a time.

`Segment` takes up the run's weights, AdamW moments and step, EMA, epoch, cursor and
generator (the `train` module's description says how), takes one step over the global batch, and
on rank 0 writes the metric lines, the readouts and the checkpoints in the Swift format.
`loop` decides when.
"""

import math
import os
import resource
import time

import numpy as np
import torch

from . import __version__
from .checkpoint import (atomic_write, flatten, load_network, load_tensors, network_bytes, optimiser_bytes,
                         trainable_count, unflatten)
from .diffusion import STANDARD, LearningRateSchedule, draw_timestep, draw_timesteps_torch, noisy_and_target
from .errors import RunError
from .networks import trainable_names, trainable_parameters
from .process_group import Group
from .readouts import probe_batch, readouts
from .rng import SeededGenerator, epoch_order, streamed_epoch_order
from .rundir import RunDirectory
from .runlock import host_name

WRITER = f"wbdit-torch {__version__}"
# `--noise auto` draws the Swift stream (pure Python, ~1.2 µs a normal) while a global batch
# needs at most this many normals (about 10 ms a step), and torch's generator beyond.
AUTO_SWIFT_LIMIT = 8192


def f32(x: float) -> float:
    """x rounded to float32, as the Swift side holds its Float settings."""
    return float(np.float32(x))


class Segment:
    def __init__(self, args, group: Group):
        self.args, self.group = args, group
        self.run = RunDirectory(args.run)
        self.config = config = self.run.config
        latest = self.run.latest_step()
        if latest is None:
            raise RunError(f"{args.run} has no checkpoint yet to continue from")
        self.start_step = self.completed = latest
        self.total = args.steps if args.steps is not None else int(config["totalSteps"])
        if self.total < latest:
            raise RunError(f"{args.run} is already at step {latest}, past --steps {self.total}")
        self.batch = int(config["batch"])
        self.global_batch = args.global_batch or self.batch * group.world
        if self.global_batch % group.world:
            raise RunError(f"the global batch {self.global_batch} does not divide among {group.world} ranks")
        self.local_batch = self.global_batch // group.world
        self.lr_factor = {"none": 1.0, "linear": self.global_batch / self.batch,
                          "sqrt": math.sqrt(self.global_batch / self.batch)}[args.lr_scale]
        self.seed = int(config["seed"])
        self.prediction = config.get("predictionTarget") or "epsilon"
        self.gamma = config.get("minSNRGamma")
        self.power = config.get("timestepPower")
        self.clip = config.get("gradientClip")
        self.ema_decay = config.get("emaDecay")
        self.label_dropout = float(config.get("labelDropout") or 0.0)
        # A run trained with BF16 products (`wbdit train --precision bf16`) continues in
        # PyTorch's mixed precision: the forward pass under autocast to bfloat16, weights,
        # gradients and AdamW in float32.
        self.precision = config.get("productPrecision") or "fp32"
        if self.precision not in ("fp32", "bf16"):
            raise RunError(f"{self.run.config_path}: productPrecision is {self.precision!r}, not fp32 or bf16")

        verify = {"auto": None, "yes": True, "no": False}[args.verify_data]
        cells, classes = self.run.training_cells(args.data, verify=verify)
        if cells.shape[0] < self.global_batch:
            raise RunError(f"the run has {cells.shape[0]} training cells, fewer than one global batch of {self.global_batch}")
        self.cells = torch.from_numpy(cells)
        self.noise = args.noise
        if self.noise == "auto":
            self.noise = "swift" if self.global_batch * cells.shape[1] <= AUTO_SWIFT_LIMIT else "torch"
        self.classes = None if classes is None else torch.from_numpy(classes)
        self.probe = probe_batch(cells, self.batch, self.seed)

        # Weights
        model, self.model_metadata = load_network(self.run.model_path(latest))
        expect = config["model"]
        got = {"architecture": model.arch, "genes": model.genes, "patchSize": model.patch_size,
               "hiddenSize": model.hidden_size, "depth": model.depth, "heads": model.num_heads}
        classes_expected = expect.get("classes") or []
        if any(expect.get(k) != v for k, v in got.items()) or (
                classes_expected if isinstance(classes_expected, list) else [classes_expected]) != model.label_classes:
            raise RunError(f"{self.run.model_path(latest)} does not match the model in {self.run.config_path}")
        self.model = model.to(group.device)
        self.params = trainable_parameters(self.model)
        self.names = trainable_names(self.model)

        # Optimiser state
        state, meta = load_tensors(self.run.optimiser_path(latest))
        count = trainable_count(self.model)
        need = ["adam.exp_avg", "adam.exp_avg_sq"] + (["ema"] if self.ema_decay else [])
        for name in need:
            if name not in state or tuple(state[name].shape) != (count,):
                raise RunError(f"{self.run.optimiser_path(latest)}: {name} is missing or misshapen")
        try:
            self.adam_step = int(meta["adam_step"])
            self.epoch, self.cursor = int(meta["epoch"]), int(meta["cursor"])
            self.generator = SeededGenerator.from_state_string(meta["generator"])
        except (KeyError, ValueError) as error:
            raise RunError(f"{self.run.optimiser_path(latest)}: metadata {error} is missing or malformed") from None
        self.training_seconds = float(meta.get("training_seconds", 0) or 0)
        self.optim_metadata = meta
        o = config["optimiser"]
        self.optimizer = torch.optim.AdamW(self.params, lr=f32(o.get("learningRate", 1e-4)),
                                           betas=(f32(o.get("beta1", 0.9)), f32(o.get("beta2", 0.999))),
                                           eps=f32(o.get("epsilon", 1e-8)), weight_decay=f32(o.get("weightDecay", 0.01)))
        m = unflatten(self.model, state["adam.exp_avg"])
        v = unflatten(self.model, state["adam.exp_avg_sq"])
        for name, p in zip(self.names, self.params):
            self.optimizer.state[p] = {"step": torch.tensor(float(self.adam_step)),
                                       "exp_avg": m[name].to(group.device).clone(),
                                       "exp_avg_sq": v[name].to(group.device).clone()}
        self.ema = None
        if self.ema_decay:
            e = unflatten(self.model, state["ema"])
            self.ema = [e[name].to(group.device).clone() for name in self.names]

        self.schedule = LearningRateSchedule.from_config(config["learningRate"])
        if args.steps is not None and args.steps != int(config["totalSteps"]):
            config["totalSteps"] = args.steps
            config["learningRate"]["totalSteps"] = args.steps
            self.schedule.total_steps = args.steps
            self.config_changed = True
        else:
            self.config_changed = False

        if group.distributed:
            from torch.nn.parallel import DistributedDataParallel
            self.network = DistributedDataParallel(self.model, device_ids=[group.local_rank] if group.device.type == "cuda" else None)
        else:
            self.network = self.model
        self._order_epoch, self._order = None, None
        self.draw_seconds = 0.0

    # Data order and draws
    def order(self, epoch: int) -> np.ndarray:
        if self._order_epoch != epoch:
            streaming = self.config["data"].get("streaming")
            if streaming:
                self._order = streamed_epoch_order(self.seed, epoch, self.cells.shape[0],
                                                   int(streaming["blockCells"]), int(streaming["windowBlocks"]))
            else:
                self._order = epoch_order(self.seed, epoch, self.cells.shape[0])
            self._order_epoch = epoch
        return self._order

    def draw(self, step: int, g: int):
        """(t int64 [Bg], ε float32 [Bg, G], dropped bool [Bg, A]) for the whole global batch:
        one dropout draw per label attribute, as the Swift trainer draws them."""
        n = self.global_batch
        attributes = len(self.model.label_classes)
        if self.noise == "swift":
            gen = self.generator
            t = np.empty(n, dtype=np.int64)
            eps = np.empty((n, g), dtype=np.float32)
            dropped = np.zeros((n, attributes), dtype=bool)
            for i in range(n):
                t[i] = draw_timestep(gen, self.power)
                eps[i] = gen.normals(g)
                for a in range(attributes):
                    dropped[i, a] = gen.next_uniform() < self.label_dropout
            return torch.from_numpy(t), torch.from_numpy(eps), torch.from_numpy(dropped)
        gen = torch.Generator().manual_seed(SeededGenerator(self.seed, stream=5_000_000 + step).next() >> 1)
        t = draw_timesteps_torch(n, self.power, gen)
        eps = torch.randn(n, g, generator=gen)
        if attributes == 0:
            return t, eps, torch.zeros((n, 0), dtype=torch.bool)
        dropped = torch.rand(n, attributes, generator=gen, dtype=torch.float64) < self.label_dropout
        return t, eps, dropped

    # One step
    def step(self) -> dict | None:
        """One update; returns the step's report, or None when the loss is not finite (nothing updated)."""
        step = self.completed + 1
        rate = self.schedule.rate(step) * self.lr_factor      # logged as the Swift trainer logs it
        started = time.perf_counter()
        if self.cursor + self.global_batch > self.cells.shape[0]:
            self.epoch += 1
            self.cursor = 0
        positions = self.order(self.epoch)[self.cursor:self.cursor + self.global_batch]
        g = self.cells.shape[1]
        t, eps, dropped = self.draw(step, g)
        self.draw_seconds += time.perf_counter() - started
        shard = slice(self.group.rank * self.local_batch, (self.group.rank + 1) * self.local_batch)
        index = torch.from_numpy(positions[shard])
        device = self.group.device
        x0 = self.cells[index].to(device)
        x_t, target = noisy_and_target(x0, eps[shard].to(device), t[shard].numpy(), self.prediction)
        labels = None
        if self.classes is not None:
            nulls = torch.tensor(self.model.label_classes)       # each attribute's "no label"
            classes = self.classes[index].reshape(len(index), -1)
            labels = torch.where(dropped[shard], nulls, classes).to(device)
        weights = None
        if self.gamma:
            weights = STANDARD.min_snr_weights(t[shard].numpy(), float(self.gamma), self.prediction).to(device)[:, None]

        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            output = self.network(x_t, t[shard].to(device), labels)
        output = output.float()
        squares = (output - target) ** 2
        if weights is not None:
            squares = squares * weights
        loss = squares.mean()
        with torch.no_grad():
            d = output.detach().double() - target.double()
            local = ((d * d * (weights.double() if weights is not None else 1.0)).sum() / d.numel()).item()
        global_loss = self.group.sum(local) / self.group.world
        if not math.isfinite(global_loss):
            self.last_loss = global_loss
            return None
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            grads = [p.grad for p in self.params]
            norm = math.sqrt(sum(float((gr.double() ** 2).sum()) for gr in grads))
            if self.clip:
                coefficient = float(self.clip) / (norm + 1e-6)
                if coefficient < 1:
                    for gr in grads:
                        gr.mul_(f32(coefficient))
        for group in self.optimizer.param_groups:
            group["lr"] = f32(rate)                             # the engine's Float(rate)
        self.optimizer.step()
        if self.ema is not None:
            with torch.no_grad():
                decay = f32(self.ema_decay)
                for e, p in zip(self.ema, self.params):
                    e.mul_(decay).add_(p.detach(), alpha=1 - decay)
        self.adam_step += 1
        self.cursor += self.global_batch
        self.completed = step
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds = time.perf_counter() - started
        return {"step": step, "epoch": self.epoch, "loss": global_loss, "lr": rate, "grad_norm": norm,
                "step_seconds": seconds, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}

    # Files (rank 0)
    def log(self, report: dict):
        line = ('{"step":%d,"epoch":%d,"loss":%.9g,"lr":%.9g,"grad_norm":%.9g,"step_seconds":%.6f,"peak_mib":%.1f}\n'
                % (report["step"], report["epoch"], report["loss"], report["lr"], report["grad_norm"],
                   report["step_seconds"], report["peak_mib"]))
        self.metrics.write(line)

    def log_readouts(self):
        self.model.eval()
        try:
            x_t, t = self.probe
            layers = readouts(self.model, x_t.to(self.group.device), t.to(self.group.device))
        finally:
            self.model.train()
        for r in layers:
            self.metrics.write('{"step":%d,"layer":%d,"coding_rate":%.6f,"coding_rate_sd":%.6f,"sparsity":%.6f}\n'
                               % (self.completed, r["layer"], r["coding_rate"], r["coding_rate_sd"], r["sparsity"]))
        return layers

    def generator_state(self) -> str:
        if self.noise == "swift":
            return self.generator.state_string()
        return SeededGenerator(self.seed, stream=4_000_000 + self.completed).state_string()

    def write_checkpoint(self):
        n = self.completed
        metadata = dict(self.model_metadata)
        metadata["step"] = str(n)
        self.metrics.flush()
        os.fsync(self.metrics.fileno())
        atomic_write(self.run.model_path(n), network_bytes(self.model, metadata))
        exp_avg = flatten(self.model, {name: self.optimizer.state[p]["exp_avg"] for name, p in zip(self.names, self.params)})
        exp_avg_sq = flatten(self.model, {name: self.optimizer.state[p]["exp_avg_sq"] for name, p in zip(self.names, self.params)})
        ema = None if self.ema is None else flatten(self.model, dict(zip(self.names, self.ema)))
        meta = {"format": "1", "step": str(n), "adam_step": str(self.adam_step), "epoch": str(self.epoch),
                "cursor": str(self.cursor), "threads": str(self.config.get("threads", 1)),
                "generator": self.generator_state(), "training_seconds": repr(float(self.training_seconds)),
                "writer": WRITER, "world_size": str(self.group.world), "global_batch": str(self.global_batch),
                "noise": self.noise, "host": host_name()}
        atomic_write(self.run.optimiser_path(n), optimiser_bytes(exp_avg, exp_avg_sq, ema, meta))
        self.run.commit(n, int(self.config.get("keepCheckpoints", 3)))
        self.last_checkpoint = n
