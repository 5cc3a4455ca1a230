"""A training worker's main loop: one training (or fine-tuning) at a time, in its own process.

Runs at a lower CPU priority than the web server, so pages stay quick while it trains. Between
epochs it reads the messages waiting on its pipe (pause, resume, stop, a new learning rate),
so a click acts before the next epoch starts. It streams one record per epoch and, at the end,
sends what the page shows of the result. Only plain data crosses the pipe; every message is
declared in ``nncore.workers.messages``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from nncore.network.spec import NetworkSpec
from nncore.training.run import State
from nncore.workers.messages import (
    Checkpoint,
    FineTuneRequest,
    FineTuneResult,
    StepRequest,
    TrainingOutcome,
    TrainJob,
)
from nncore.workers.playground import play
from nncore.workers.process import yield_to_everyone

PRIORITY = 19  # os.nice increment, the lowest priority: training is background work, and the
# web server and the inference worker (both at 0: they answer clicks) always come first
PAUSE_LIMIT = 15 * 60.0  # a training paused this long is stopped (keeping its model)
HEALTH_SECONDS = 0.4  # the gradient panel is measured at most this often during a training


def _warm_up() -> None:
    """Import TensorFlow and trace one tiny epoch, so the first visitor's training starts at once."""
    from nncore.network.spec import LayerSpec
    from nncore.training.engine import EpochEngine

    spec = NetworkSpec(layers=(LayerSpec("dense", units=4),), rows=500, epochs=1)
    EpochEngine.for_spec(spec).run_epoch(1)


def _commands(conn: Connection, paused: bool, engine: Any) -> tuple[bool, str]:
    """Apply every waiting message; while paused, wait for one.

    Returns (paused, what next): "go" on to the next epoch, "stop" the training, or "yield"
    the worker to someone waiting (the training goes on later, elsewhere).
    """
    while True:
        if paused:
            if not conn.poll(PAUSE_LIMIT):
                return paused, "stop"
        elif not conn.poll():
            return paused, "go"
        command = conn.recv()
        kind = command[0]
        if kind == "pause" and not paused:
            paused = True
            conn.send(("paused",))
        elif kind == "resume" and paused:
            paused = False
            conn.send(("running",))
        elif kind in ("stop", "yield"):
            return paused, kind
        elif kind == "lr":
            engine.learning_rate = float(command[1])


def train(conn: Connection, job: TrainJob) -> None:
    """Train epoch by epoch, streaming records; send the outcome when it is over."""
    from nncore.training.engine import EpochEngine
    from nncore.training.evaluation import evaluate
    from nncore.training.gradients import kernels, training_health

    spec = job.spec
    engine = EpochEngine.for_spec(spec, job.split)
    split = engine.split  # the rows trained and tested on, split once, here
    first = 1
    if job.resume is not None:  # a training that gave its worker up, going on
        engine.restore_state(job.resume.weights, job.resume.optimizer, job.resume.shuffler)
        first = job.resume.epochs_done + 1
    paused = False
    state: State = "done"
    measured_at, cost = -HEALTH_SECONDS, 0.0
    for epoch in range(first, spec.epochs + 1):
        paused, next_step = _commands(conn, paused, engine)
        if next_step == "stop":
            state = "stopped"
            break
        if next_step == "yield":
            weights, optimizer, shuffler = engine.save_state()
            test = evaluate(engine.predict_test(), split)
            checkpoint = Checkpoint(epoch - 1, weights, optimizer, shuffler, test)
            conn.send(("yielded", checkpoint))
            engine.release()
            return
        # The epoch's update is measured from the weights before it, a few times a second,
        # and never so often that measuring takes more than a tenth of the training's time.
        due = time.monotonic() - measured_at >= max(HEALTH_SECONDS, 9 * cost)
        before = kernels(engine.model) if due or epoch == spec.epochs else None
        record = engine.run_epoch(epoch)
        conn.send(("epoch", record))
        if before is not None:
            started = time.monotonic()
            conn.send(("health", training_health(engine.model, split, before)))
            measured_at = time.monotonic()
            cost = measured_at - started
        if not record.finite:
            state = "diverged"
            break
    test = evaluate(engine.predict_test(), split)
    conn.send(("finished", TrainingOutcome(state, engine.model.get_weights(), test)))
    engine.release()


def fine_tune(conn: Connection, request: FineTuneRequest) -> None:
    """Fine-tune a private copy of the visitor's network and check it on held-out MNIST rows."""
    from nncore.data.mnist import held_out_split, mnist_images
    from nncore.digits.inference import accuracy, classify
    from nncore.digits.teaching import fine_tune as teach
    from nncore.workers.inference import build

    model = build(request.source)
    shape = request.source.input_shape
    x, y = mnist_images()
    train_rows, held = held_out_split(y)
    before = classify(model, request.current, shape) if request.current is not None else None
    held_before = accuracy(model, x[held], y[held], shape)
    teach(model, request.drawings, request.labels, x[train_rows], y[train_rows], shape)
    after = classify(model, request.current, shape) if request.current is not None else None
    held_after = accuracy(model, x[held], y[held], shape)
    result = FineTuneResult(model.get_weights(), before, after, held_before, held_after, len(held))
    conn.send(("tuned", result))


def step(conn: Connection, request: StepRequest) -> None:
    """One optimizer step on one batch (Build's "Step one batch"), with every layer's gradient."""
    from nncore.training.gradients import step_one_batch

    conn.send(("stepped", step_one_batch(request.spec, request.state, request.split)))


def serve(conn: Connection) -> None:
    """The worker process: warm up, then run each job that arrives until the pipe closes."""
    yield_to_everyone(PRIORITY)
    _warm_up()
    conn.send(("ready", os.getpid()))
    jobs: dict[str, Callable[[Connection, Any], None]] = {
        "train": train,
        "fine_tune": fine_tune,
        "step": step,
        "playground": play,
    }
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the server is gone: so is this worker's purpose
            return
        if message[0] not in jobs:
            continue  # a late pause/stop/lr for a job that already ended: nothing to act on
        try:
            jobs[message[0]](conn, message[1])
        except (EOFError, BrokenPipeError):
            return
        except Exception as problem:  # reported to the visitor as a sentence by the server
            conn.send(("failed", f"{type(problem).__name__}: {problem}"))
