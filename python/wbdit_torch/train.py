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
  optimiser file, then `latest`; it holds `DIR/lock` while it trains;
- a run trained with BF16 products (`wbdit train --precision bf16`, `productPrecision`
  in config.json) continues under `torch.autocast` to bfloat16, PyTorch's mixed precision:
  close to the Swift BF16 step, not equal to it (autocast also rounds the products'
  outputs to bfloat16; the Swift kernel keeps them in float32).

Exit status: 0 done; 1 the loss became non-finite (no checkpoint is written for it);
2 bad input (one line on stderr); 128 + the signal when stopped by SIGINT (130), SIGTERM
(143) or SIGHUP (129), after a checkpoint — a second signal leaves at once, and one before
training starts leaves with the same status and nothing written.
"""

import argparse
import math
import os
import signal
import sys

if __name__ == "__main__":
    # Until main() takes them over, a stop signal leaves at once with 128 + its number
    # (nothing is written yet), also while PyTorch loads.
    for _stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(_stop, lambda signum, _frame: os._exit(128 + signum))

import torch

from .errors import Interrupted, RunError
from .loop import STOP_SIGNALS, loop, train
from .process_group import Group
from .segment import AUTO_SWIFT_LIMIT, WRITER, Segment, f32

# The trainer's parts live in `process_group`, `segment` and `loop`; their names are importable from here.
__all__ = ["AUTO_SWIFT_LIMIT", "STOP_SIGNALS", "WRITER", "Group", "Segment", "f32", "loop", "main", "parse_args", "train"]


# The largest step count the Swift side reads back (a 64-bit integer).
MAX_STEPS = 2**63 - 1


class OneLineParser(argparse.ArgumentParser):
    """Refusals as one line on stderr, status 2 (argparse's own prints the usage block too)."""

    def error(self, message):
        print(f"{self.prog}: error: {message} (--help lists the options)", file=sys.stderr, flush=True)
        sys.exit(2)


def parse_args(argv=None) -> argparse.Namespace:
    parser = OneLineParser(prog="python -m wbdit_torch.train",
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
    if args.steps is not None and not 1 <= args.steps <= MAX_STEPS:
        parser.error(f"--steps must be between 1 and {MAX_STEPS} (got {args.steps})")
    if args.time_budget is not None and not (math.isfinite(args.time_budget) and args.time_budget > 0):
        parser.error(f"--time-budget must be a positive number of seconds (got {args.time_budget:g})")
    if args.threads is not None and not 1 <= args.threads <= 1024:
        parser.error(f"--threads must be between 1 and 1024 (got {args.threads})")
    if args.global_batch is not None and args.global_batch < 1:
        parser.error(f"--global-batch must be at least 1 (got {args.global_batch})")
    return args


# MARK: - Main

def main(argv=None) -> int:
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    group = None
    # Until the loop takes the stop signals over, any of them leaves at once, nothing written
    # (SIGINT as KeyboardInterrupt, so that what holds a file lets it go on the way out).
    previous = {sig: signal.signal(sig, _leave) for sig in (signal.SIGTERM, signal.SIGHUP)}
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        group = Group(args.device)
        return train(args, group)
    except RunError as error:
        if group is None or group.rank == 0:
            print(f"error: {error}", file=sys.stderr, flush=True)
        return 2
    except Interrupted as stop:
        return 128 + stop.signum
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if group is not None:
            group.close()


def _leave(signum, _frame):
    raise Interrupted(signum)


if __name__ == "__main__":
    sys.exit(main())
