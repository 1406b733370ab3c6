"""Continue a Swift run with PyTorch DistributedDataParallel.

    torchrun --standalone --nproc_per_node N -m wbdit_torch.train --run-dir DIR [--steps S | --time-budget T]
    python -m wbdit_torch.train --run DIR ...          (one process, no torchrun)

(Under torchrun the flag is `--run-dir` or a positional DIR: torchrun's own argument
parser prefix-matches `--run` to its `--run-path` and refuses it.)

The run continues from its latest checkpoint — weights, AdamW moments and step, EMA,
epoch, position in the epoch and generator — and is written back in the Swift format, so
`wbdit train --resume`, `wbdit sample`, `eval`, `inspect` and `tui` take it up again.
docs/scaling.md has the commands and the semantics; in short:

- one step is one AdamW update over a global batch of `--global-batch` cells (default:
  the run's batch × the number of ranks); each rank computes its shard of it (rank r
  takes rows r·b … r·b + b − 1, b = global batch / ranks), DDP averages the gradients,
  so the step equals one step of a single process at the global batch;
- the learning rate is the run's schedule at the step, multiplied by `--lr-scale`
  (none by default; linear: × global batch / run batch; sqrt: × its square root);
- the cells are visited in the Swift trainer's order (the same seeded shuffle per
  epoch, the same epoch/cursor bookkeeping at the global batch);
- `--noise swift` draws timesteps, noise and label dropout from the run's own
  generator exactly as the Swift trainer would (bit for bit), and saves its state;
  `--noise torch` draws them with a torch generator seeded from (seed, step) — faster
  for large global batches — and saves a generator state derived from (seed, step)
  that the Swift side accepts: the stream after such a segment is not the one an
  all-Swift run would have drawn, but it is deterministic and the same for any number
  of ranks; `--noise auto` (the default) is swift while a global batch needs at most
  AUTO_SWIFT_LIMIT normals (global batch × width), torch beyond;
- rank 0 writes metrics.jsonl lines (the Swift keys), per-layer readouts every
  `readoutEvery` steps, and checkpoints every `checkpointEvery` steps, at the last step
  and when stopped (time budget, SIGINT/SIGTERM), atomically: weights, then the
  optimiser file, then `latest`; it holds `DIR/lock` while it trains.

Exit status: 0 done; 1 the loss became non-finite (no checkpoint is written for it);
2 bad input (one line on stderr); 130 stopped by a signal (after a checkpoint).
"""

import argparse
import datetime
import json
import math
import os
import resource
import signal
import sys
import time

import numpy as np
import torch
import torch.distributed as dist

from . import __version__
from .checkpoint import (atomic_write, flatten, load_network, load_tensors, network_bytes, optimiser_bytes,
                         trainable_count, unflatten)
from .diffusion import STANDARD, LearningRateSchedule, draw_timestep, draw_timesteps_torch, noisy_and_target
from .networks import trainable_names, trainable_parameters
from .readouts import probe_batch, readouts
from .rng import SeededGenerator, epoch_order, streamed_epoch_order
from .rundir import RunDirectory, RunError, host_name

WRITER = f"wbdit-torch {__version__}"
# `--noise auto` draws the Swift stream (pure Python, ~1.2 µs a normal) while a global batch
# needs at most this many normals (about 10 ms a step), and torch's generator beyond.
AUTO_SWIFT_LIMIT = 8192


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m wbdit_torch.train",
                                     description="Continue a wbdit run with PyTorch (DistributedDataParallel under torchrun).")
    parser.add_argument("run_positional", nargs="?", metavar="RUN", help="the run directory (or give --run-dir)")
    parser.add_argument("--run-dir", "--run", dest="run", help="the run directory, whose latest checkpoint is continued "
                        "(under torchrun write --run-dir or the positional RUN: torchrun's own parser takes --run for its --run-path)")
    parser.add_argument("--steps", type=int, help="train until this step (the run's total, as `wbdit train --resume --steps`); "
                                                  "default: the run's totalSteps")
    parser.add_argument("--time-budget", type=float, help="stop, with a checkpoint, after this many seconds of this segment")
    parser.add_argument("--global-batch", type=int, help="cells per step over all ranks (default: the run's batch × ranks)")
    parser.add_argument("--lr-scale", choices=["none", "linear", "sqrt"], default="none",
                        help="scale the schedule's learning rate by (global batch / run batch), its square root, or not (default)")
    parser.add_argument("--noise", choices=["auto", "swift", "torch"], default="auto",
                        help="swift: the run's own generator, bit for bit; torch: a torch generator per step; "
                             f"auto (default): swift while a global batch needs at most {AUTO_SWIFT_LIMIT} normals, else torch")
    parser.add_argument("--data", help="another copy of the run's data file (the recorded path is used otherwise)")
    parser.add_argument("--verify-data", choices=["auto", "yes", "no"], default="auto",
                        help="check the data file's FNV-1a checksum (auto: files up to 64 MiB)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--threads", type=int, help="torch threads per rank (default: torch's, 1 per rank under torchrun)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    if args.run_positional and args.run and args.run_positional != args.run:
        parser.error("give the run directory once")
    args.run = args.run or args.run_positional
    if not args.run:
        parser.error("give the run directory: RUN or --run-dir RUN")
    if args.steps is not None and args.steps < 1:
        parser.error(f"--steps must be at least 1 (got {args.steps})")
    if args.time_budget is not None and args.time_budget <= 0:
        parser.error("--time-budget must be positive")
    return args


# MARK: - Processes

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


# MARK: - The segment

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
        if any(expect.get(k) != v for k, v in got.items()) or int(expect.get("classes") or 0) != model.num_classes:
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
        """(t int64 [Bg], ε float32 [Bg, G], dropped bool [Bg]) for the whole global batch."""
        n = self.global_batch
        conditional = self.classes is not None
        if self.noise == "swift":
            gen = self.generator
            t = np.empty(n, dtype=np.int64)
            eps = np.empty((n, g), dtype=np.float32)
            dropped = np.zeros(n, dtype=bool)
            for i in range(n):
                t[i] = draw_timestep(gen, self.power)
                eps[i] = gen.normals(g)
                if conditional:
                    dropped[i] = gen.next_uniform() < self.label_dropout
            return torch.from_numpy(t), torch.from_numpy(eps), torch.from_numpy(dropped)
        gen = torch.Generator().manual_seed(SeededGenerator(self.seed, stream=5_000_000 + step).next() >> 1)
        t = draw_timesteps_torch(n, self.power, gen)
        eps = torch.randn(n, g, generator=gen)
        dropped = torch.rand(n, generator=gen, dtype=torch.float64) < self.label_dropout if conditional else torch.zeros(n, dtype=torch.bool)
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
            labels = torch.where(dropped[shard], torch.tensor(self.model.num_classes), self.classes[index]).to(device)
        weights = None
        if self.gamma:
            weights = STANDARD.min_snr_weights(t[shard].numpy(), float(self.gamma), self.prediction).to(device)[:, None]

        output = self.network(x_t, t[shard].to(device), labels)
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


# MARK: - Main

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def train(args, group: Group) -> int:
    is_main = group.rank == 0
    segment = None
    locked = False
    try:
        error = None
        if is_main:
            try:
                run = RunDirectory(args.run)
                run.acquire_lock(f"{WRITER} ({group.world} rank{'s' if group.world > 1 else ''}, {group.backend})")
                locked = True
            except RunError as e:
                error = str(e)
        error = group.broadcast_text(error)
        if error:
            raise RunError(error)
        segment = Segment(args, group)
        return loop(segment, args, group)
    finally:
        if locked:
            RunDirectory(args.run).release_lock()


def loop(s: Segment, args, group: Group) -> int:
    is_main = group.rank == 0
    stop_requested = {"signal": None}

    def on_signal(signum, _frame):
        if stop_requested["signal"] is not None:
            raise KeyboardInterrupt
        stop_requested["signal"] = signum

    previous = {sig: signal.signal(sig, on_signal) for sig in STOP_SIGNALS}
    s.last_checkpoint = s.start_step
    s.metrics = None
    try:
        if is_main:
            if s.config_changed:
                s.run.write_config()
            s.run.truncate_metrics(after=s.start_step)
            s.metrics = open(s.run.metrics_path, "a")
            print(f"continuing {args.run} from step {s.start_step} to {s.total} on {group.world} rank(s) "
                  f"({group.backend}, {group.device.type}): global batch {s.global_batch} = {group.world} × {s.local_batch}, "
                  f"lr × {s.lr_factor:g}, noise {s.noise}", file=sys.stderr, flush=True)
        segment_start = time.perf_counter()
        last_print = segment_start
        steps_done = 0
        readout_every = int(s.config.get("readoutEvery", 50))
        checkpoint_every = int(s.config.get("checkpointEvery", 500))
        reason = f"completed {s.total} steps"
        status = 0
        while s.completed < s.total:
            began = time.perf_counter()
            report = s.step()
            if report is None:
                if is_main:
                    print(f"failed: the loss became {s.last_loss} at step {s.completed + 1}; the last good checkpoint is "
                          f"step {s.last_checkpoint}", file=sys.stderr, flush=True)
                return 1
            steps_done += 1
            if is_main:
                s.log(report)
                if s.completed % readout_every == 0 or s.completed == 1:
                    s.log_readouts()
            elapsed_segment = time.perf_counter() - segment_start
            budget_spent = args.time_budget is not None and elapsed_segment >= args.time_budget
            budget_spent, stopping = group.any(budget_spent, stop_requested["signal"] is not None)
            s.training_seconds += time.perf_counter() - began
            if s.completed % checkpoint_every == 0 or s.completed == s.total or budget_spent or stopping:
                if is_main:
                    s.write_checkpoint()
                group.barrier()
            if is_main and not args.quiet and (time.perf_counter() - last_print >= 5 or s.completed == s.total):
                rate = steps_done / (time.perf_counter() - segment_start)
                print(f"step {s.completed}/{s.total}  epoch {report['epoch']}  loss {report['loss']:.4f}  "
                      f"lr {report['lr']:.3g}  {rate:.2f} steps/s  {rate * s.global_batch:.0f} cells/s",
                      file=sys.stderr, flush=True)
                last_print = time.perf_counter()
            if stopping:
                reason, status = f"stopped at step {s.completed}", 130
                break
            if budget_spent:
                reason = f"time budget of {args.time_budget:g} s spent at step {s.completed}"
                break
        seconds = time.perf_counter() - segment_start
        if is_main:
            summary = {"steps": steps_done, "seconds": seconds, "steps_per_second": steps_done / seconds if seconds else 0,
                       "ranks": group.world, "global_batch": s.global_batch, "noise": s.noise,
                       "draw_seconds": s.draw_seconds}
            print(f"finished: {reason} ({steps_done} steps in {seconds:.1f} s; drawing the batches took "
                  f"{s.draw_seconds:.1f} s)", file=sys.stderr, flush=True)
            print(json.dumps(summary), flush=True)
        return status
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if s.metrics is not None:
            s.metrics.close()


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    group = None
    try:
        group = Group(args.device)
        return train(args, group)
    except RunError as error:
        if group is None or group.rank == 0:
            print(f"error: {error}", file=sys.stderr, flush=True)
        return 2
    finally:
        if group is not None:
            group.close()


if __name__ == "__main__":
    sys.exit(main())
