"""What pages call to train, answer drawings and fine-tune: processes and pipes stay hidden.

    handle = start_training(spec, owner)      # queued, then trained in a worker
    handle.pause(); handle.resume(); handle.stop(); handle.set_learning_rate(0.01)
    handle.wait(seen_version, timeout)         # for live curves
    answer(source, x)                          # probabilities and layer outputs
    start_fine_tune(request, owner)            # a job like a training
    start_step(spec, state, owner)             # exactly one batch, with every layer's gradient

The worker processes are started on first use and warm up in the background. Everything a
visitor gets back is plain data (records, weights, probabilities) kept in their session.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import replace
from typing import Any

import numpy as np

from nncore.data.mnist import Split
from nncore.digits.model_files import check_keras_file
from nncore.network.spec import NetworkSpec
from nncore.training.cost import training_problem
from nncore.training.diagnosis import divergence_message
from nncore.training.health import StepResult, StepState
from nncore.training.run import TrainingRun
from nncore.workers.messages import (
    BUNDLED,
    Answer,
    Checkpoint,
    FineTuneRequest,
    FineTuneResult,
    ModelSource,
    OpenedPixel,
    PlayMetrics,
    PlayRequest,
    Snapshot,
    StepRequest,
    StopRule,
    TrainingOutcome,
    TrainJob,
    UnknownModel,
    new_key,
)
from nncore.workers.playground_client import PlaygroundJob, start_playground
from nncore.workers.pool import Job, Owner, TrainerPool, one_per_process, trainer_pool
from nncore.workers.process import WorkerProcess, resident_bytes

# What pages use of the worker side, all reached through this module.
__all__ = [
    "BUNDLED",
    "Answer",
    "FineTuneJob",
    "FineTuneRequest",
    "ModelSource",
    "OpenedPixel",
    "Owner",
    "PlaygroundJob",
    "PlayMetrics",
    "PlayRequest",
    "Snapshot",
    "StopRule",
    "RunHandle",
    "StepJob",
    "WorkerUnavailable",
    "answer",
    "keras_file",
    "open_pixel",
    "open_uploaded_model",
    "start_fine_tune",
    "start_playground",
    "start_step",
    "start_training",
    "start_workers",
]

ANSWER_SECONDS = 90.0  # the first answer may wait for TensorFlow's import in a fresh worker
# A class shares few trainers: a training that has held one this long gives it to whoever
# waits, between two epochs, and goes on from where it was when a trainer is free again.
# A paused training gives its trainer up at once when someone waits.
SHARE_SECONDS = 30.0


class WorkerUnavailable(RuntimeError):
    """The inference worker could not answer, even after being replaced."""


class RunHandle(Job):
    """A visitor's training: its ``TrainingRun`` (what the page draws) and its controls.

    A training shares its trainer: after SHARE_SECONDS, or at once while paused, it gives the
    worker to a job that waits, and queues again with a ``Checkpoint`` (its history stays
    here); it goes on from that epoch on the next free worker.
    """

    kind = "train"

    def __init__(
        self, pool: TrainerPool, spec: NetworkSpec, owner: object | None, split: Split | None = None
    ):
        # An uploaded file's rows travel with the spec; the bundled digits are read by the worker.
        super().__init__(TrainJob(spec, split), owner)
        self.pool = pool
        self.run = TrainingRun(spec, run_id=new_key())
        self.stop_requested = False
        self.worker_paused = False  # the worker has finished its epoch and is waiting
        self.requested_lr = float(spec.lr)
        self.checkpoint: Checkpoint | None = None  # where it stopped when it gave its worker up
        self._first_epoch_at: float | None = None
        self._wall_before = 0.0  # training time of earlier stretches on other workers
        self._since = 0.0  # when the current worker took the job
        self._yield_sent = False
        self._requeue = False

    # --- what the page does ---------------------------------------------------------------
    def pause(self) -> None:
        """Pause before the next epoch starts (the model and history so far are kept)."""
        if self.run.state == "running":
            self.run.state = "paused"
            self.send(("pause",))
            self._bump()
        elif self.run.state == "queued" and self.checkpoint and self.pool.cancel(self):
            # Waiting to go on after giving its worker up: it simply stays out of the queue.
            self.run.state, self.worker_paused = "paused", True
            self._bump()

    @property
    def settled_pause(self) -> bool:
        """Paused, and the worker has finished the epoch it was in: the history is final."""
        return self.run.state == "paused" and self.worker_paused

    def resume(self) -> None:
        if self.run.state != "paused":
            return
        if self.running:
            self.run.state = "running"
            self.send(("resume",))
        else:  # it gave its worker up while paused: queue for the next free one
            self.run.state = "queued"
            self.pool.submit(self)
        self._bump()

    def stop(self) -> None:
        """Stop before the next epoch; a run still waiting in the queue never starts, and one
        waiting to go on keeps what it had learned."""
        queued = self.run.state == "queued" and self.pool.cancel(self)
        if queued or (self.run.state == "paused" and not self.running):
            self._stop_here()
        elif self.run.active and not self.stop_requested:
            self.stop_requested = True
            self.send(("stop",))
            self._bump()

    def set_learning_rate(self, lr: float) -> None:
        """A new learning rate, used from the next epoch (each epoch records its own)."""
        if float(lr) != self.requested_lr and self.run.active:
            self.requested_lr = float(lr)
            self.send(("lr", self.requested_lr))

    def _stop_here(self) -> None:
        """Stopped without a worker: with the checkpoint's network, if it had trained."""
        if self.checkpoint is not None:
            self.run.finish("stopped", self.checkpoint.weights, self.checkpoint.test)
        else:
            self.run.settle("stopped")
        self._bump()

    def waiting_note(self) -> str:
        if self.checkpoint is None:
            return super().waiting_note()
        return (
            f"Your training gave the trainer to a classmate after epoch "
            f"{self.checkpoint.epochs_done}; it goes on from there when a trainer is free. "
            + super().waiting_note()
        )

    # --- what the pool does ---------------------------------------------------------------
    def started(self, worker: Any) -> None:
        self.run.state = "running"
        self._since, self._yield_sent, self._requeue = time.monotonic(), False, False
        self.worker_paused = False
        super().started(worker)
        if self.requested_lr != self._job_lr():  # changed while it waited
            self.send(("lr", self.requested_lr))

    def _job_lr(self) -> float:
        """The learning rate the worker starts this stretch with."""
        if self.checkpoint is not None and self.run.history:
            return float(self.run.history[-1].lr)
        return float(self.run.spec.lr)

    def tick(self, others_waiting: int) -> None:
        if self._yield_sent or not others_waiting or not self.run.active:
            return
        held = time.monotonic() - self._since
        if self.settled_pause or held > SHARE_SECONDS:
            self._yield_sent = self.send(("yield",))

    def replaced(self) -> None:
        self.run.message = "Replaced by your newer request before it started."
        self._stop_here()

    def receive(self, message: tuple) -> bool:
        kind = message[0]
        if kind == "epoch":
            record = message[1]
            now = time.perf_counter()
            if self._first_epoch_at is None:
                self._first_epoch_at = now - record.seconds
            self.run.history.append(record)
            self.run.wall_seconds = self._wall_before + now - self._first_epoch_at
        elif kind == "health":
            self.run.health = message[1]
        elif kind in ("paused", "running"):
            self.worker_paused = kind == "paused"
        elif kind == "yielded":
            self.checkpoint = message[1]
            self.payload = replace(self.payload, resume=self.checkpoint)
            self._wall_before, self._first_epoch_at = self.run.wall_seconds, None
            if self.stop_requested:  # a Stop crossed the yield: stop with what it learned
                self._stop_here()
            elif self.run.state == "running":
                self.run.state, self._requeue = "queued", True
        elif kind == "finished":
            outcome: TrainingOutcome = message[1]
            diverged = outcome.state == "diverged"
            if diverged:
                self.run.message = divergence_message(self.run.history[-1], self.run.spec)
            # A diverged network's answers are noise: no confusion matrix for it.
            self.run.finish(outcome.state, outcome.weights, None if diverged else outcome.test)
        elif kind == "failed":
            self.fail(f"Training failed: {message[1]}. Try other settings.")
        self._bump()
        return kind in ("finished", "failed", "yielded")

    def ended(self) -> None:
        super().ended()
        if self._requeue and self.run.state == "queued":
            self._requeue = False
            self.pool.submit(self)  # at the back: those who waited go first

    def fail(self, reason: str) -> None:
        if not self.run.over:
            self.run.message = reason
            self.run.settle("failed")
        self._bump()


class OneReplyJob(Job):
    """A job that ends with one reply (``reply`` kind) or a failure, said as a sentence."""

    reply = ""
    failed = "{reason}"  # the sentence for a failure, with the worker's reason in it

    def __init__(self, payload: Any, owner: object | None):
        super().__init__(payload, owner)
        self.result: Any = None
        self.error: str | None = None

    @property
    def over(self) -> bool:
        return self.result is not None or self.error is not None

    def receive(self, message: tuple) -> bool:
        if message[0] == self.reply:
            self.result = message[1]
        elif message[0] == "failed":
            self.error = self.failed.format(reason=message[1])
        self._bump()
        return self.over

    def fail(self, reason: str) -> None:
        self.error = reason
        self._bump()


class FineTuneJob(OneReplyJob):
    """Teaching a private copy of a network the visitor's drawings, in a training worker."""

    kind, reply = "fine_tune", "tuned"
    failed = "Fine-tuning failed ({reason}). Empty the buffer and try again."
    result: FineTuneResult | None


class StepJob(OneReplyJob):
    """One optimizer step on one batch ("Step one batch"), queued like a training."""

    kind, reply = "step", "stepped"
    failed = "The step failed ({reason}). Try other settings."
    result: StepResult | None

    def __init__(
        self,
        spec: NetworkSpec,
        state: StepState | None,
        owner: object | None,
        split: Split | None = None,
    ):
        super().__init__(StepRequest(spec, state, split), owner)
        self.spec = spec


class InferenceService:
    """The inference worker: one process answering drawings, one at a time, replaced if it dies.

    Its memory is bounded and owned: the worker keeps visitors' networks up to a number of
    bytes (``inference.CACHE_BYTES``); a network is forgotten once the session that asked for
    it has ended; and a worker that has grown beyond ``MEMORY_BYTES`` anyway is replaced
    between two requests.
    """

    MEMORY_BYTES = 1536 * 2**20

    def __init__(self, threads: int = 1):
        self.worker = WorkerProcess("inference", threads)
        self._lock = threading.Lock()
        self._forgotten: list[str] = []  # keys whose sessions ended, to drop from the worker
        self._watched: set[str] = set()
        threading.Thread(target=self._warm, daemon=True).start()

    def _warm(self) -> None:
        with self._lock:
            self.worker.start_ready()

    def belongs_to(self, key: str, owner: object | None) -> None:
        """``key``'s network is dropped from the worker once ``owner`` (a session) is gone."""
        if owner is None or key in self._watched or key == BUNDLED.key:
            return
        self._watched.add(key)
        weakref.finalize(owner, self._forget_later, key)

    def _forget_later(self, key: str) -> None:
        # Runs wherever the session was collected: only note it; the next call tells the worker.
        self._forgotten.append(key)

    def call(self, kind: str, *args: Any) -> Any:
        """One request; a worker that dies is replaced and asked once more."""
        with self._lock:
            if self._forgotten:
                keys, self._forgotten = self._forgotten, []
                self._watched.difference_update(keys)
                self._request("forget", keys)
            reply = self._request(kind, *args)
            # Replaced between two requests when it has grown too large, whatever the cause.
            if resident_bytes(self.worker.pid) > self.MEMORY_BYTES:
                self.worker.stop()
            return reply

    def _request(self, kind: str, *args: Any) -> Any:
        """One request to the worker (the lock held); replaced and asked again if it died."""
        for _ in range(2):
            self.worker.start_ready()
            if self.worker.send((kind, *args)):
                try:
                    reply = None
                    deadline = time.monotonic() + ANSWER_SECONDS
                    while reply is None and time.monotonic() < deadline:
                        reply = self.worker.receive(0.5)
                except (EOFError, OSError):
                    reply = None
                if reply is not None:
                    status, value = reply
                    if status == "error":
                        raise value
                    return value
            self.worker.stop()

        raise WorkerUnavailable("the inference worker stopped twice in a row")

    def answer(self, source: ModelSource, x: np.ndarray, owner: object | None = None) -> Answer:
        """The network's answer to one drawing; the weights travel only if the worker lacks them."""
        self.belongs_to(source.key, owner)
        try:
            return self.call("answer", source.reference(), x)
        except UnknownModel:
            return self.call("answer", source, x)

    def open_pixel(
        self, source: ModelSource, x: np.ndarray, where: tuple[str, int, int, int]
    ) -> OpenedPixel:
        """One feature-map pixel of ``source`` for this drawing, opened up; ``where`` is
        (layer, row, column, map from 0)."""
        try:
            return self.call("open_pixel", source.reference(), x, *where)
        except UnknownModel:
            return self.call("open_pixel", source, x, *where)


class UploadService(InferenceService):
    """A second inference worker, for networks visitors upload: opening a file (however slow
    a legal one is) never holds up anybody's drawing on the bundled CNN or a Build network."""


def open_uploaded_model(data: bytes, file_name: str, owner: object | None = None) -> ModelSource:
    """A visitor's ``.keras`` file as a network the Draw page can use, private to its session.

    Checked here first (size, zip, Lambda, custom code: no Keras needed), then loaded by the
    inference worker with ``safe_mode=True``; raises ``ModelFileProblem`` with a sentence.
    """
    check_keras_file(data)
    source = ModelSource(new_key(), file_name, (784,), keras_file=data)
    service = service_for(source)
    service.belongs_to(source.key, owner)
    input_shape, _ = service.call("open_model", source)
    return replace(source, input_shape=tuple(input_shape))


def keras_file(source: ModelSource) -> bytes:
    """The network ``source`` describes, as the bytes of a ``.keras`` file."""
    return service_for(source).call("keras_file", source)


def inference_service() -> InferenceService:
    """This server's inference worker (started on first use, shared by every visitor)."""
    return one_per_process(InferenceService)


def upload_service() -> UploadService:
    """This server's worker for uploaded networks (started when the first file arrives)."""
    return one_per_process(UploadService)


def service_for(source: ModelSource) -> InferenceService:
    """Which worker answers for ``source``: uploaded files (and copies taught from them) have
    a worker of their own."""
    return upload_service() if source.keras_file is not None else inference_service()


def start_workers() -> None:
    """Start every worker now; they import TensorFlow in the background while pages load."""
    trainer_pool()
    inference_service()


def start_training(
    spec: NetworkSpec, owner: object | None = None, split: Split | None = None
) -> RunHandle:
    """Queue a training of ``spec`` (on ``split``'s rows if given, else the bundled digits);
    the handle fills in as the worker streams its epochs. A training that would hold a shared
    trainer too long is refused: ValueError with the sentence the page shows."""
    rows = None if split is None else len(split.x_train)
    if problem := training_problem(spec, rows):
        raise ValueError(problem)
    pool = trainer_pool()
    return pool.submit(RunHandle(pool, spec, owner, split))


def start_fine_tune(request: FineTuneRequest, owner: object | None = None) -> FineTuneJob:
    """Queue a fine-tuning; it waits for a free training worker like a training does."""
    return trainer_pool().submit(FineTuneJob(request, owner))


def start_step(
    spec: NetworkSpec,
    state: StepState | None,
    owner: object | None = None,
    split: Split | None = None,
) -> StepJob:
    """Queue one batch's step of ``spec`` from ``state`` (None: from fresh weights), on
    ``split``'s rows if given (an uploaded file), else the bundled digits."""
    return trainer_pool().submit(StepJob(spec, state, owner, split))


def answer(source: ModelSource, x: np.ndarray, owner: object | None = None) -> Answer:
    """Probabilities and layer outputs of ``source`` for one 28×28 drawing; ``owner`` is the
    session, once gone its network is dropped from the worker."""
    return service_for(source).answer(source, x, owner)


def open_pixel(source: ModelSource, x: np.ndarray, where: tuple[str, int, int, int]) -> OpenedPixel:
    """A Conv2D or MaxPooling2D pixel of ``source`` for one drawing, with the window, weights
    and output that made it; ``where`` is (layer name, row, column, map from 0). Raises
    ValueError when the network has no such pixel."""
    return service_for(source).open_pixel(source, x, where)
