"""The trainer's loop over a segment: the lock, the steps, when to write, the stop signals, the summary.

`train` takes the run's lock on rank 0 and runs `loop`, which steps a `Segment` to the
end, the time budget or a signal, with a checkpoint every `checkpointEvery` steps and
at the stop; the exit statuses are those of the `train` module's description.
"""

import json
import signal
import sys
import time

from .errors import DAMAGE, Interrupted, RunError, damaged
from .process_group import Group
from .rundir import RunDirectory
from .segment import WRITER, Segment

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


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
            except DAMAGE as e:
                error = str(damaged(args.run, e))
        error = group.broadcast_text(error)
        if error:
            raise RunError(error)
        try:
            segment = Segment(args, group)
        except DAMAGE as e:
            raise damaged(args.run, e) from e
        return loop(segment, args, group)
    finally:
        if locked:
            RunDirectory(args.run).release_lock()


def loop(s: Segment, args, group: Group) -> int:
    is_main = group.rank == 0
    stop_requested = {"signal": None}

    def on_signal(signum, _frame):
        if stop_requested["signal"] is not None:
            raise Interrupted(signum)
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
                reason, status = f"stopped at step {s.completed}", 128 + stop_requested["signal"]
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
