"""The server's side of a playground training: a job in the training pool, and its controls.

    job = start_playground(request, owner)   # queued, then run by a training worker
    job.play(); job.pause(); job.step(); job.stop()
    job.latest                               # the newest Snapshot (what the page draws)

The job keeps every loss row it is sent, so the page's curves need only this object.
"""

from __future__ import annotations

import time
from dataclasses import replace

from nncore.workers.messages import Gradients, PlayRequest, Snapshot, StopRule
from nncore.workers.pool import Job, TrainerPool, trainer_pool

SHARE_SECONDS = 20.0  # a playground holding a worker this long yields it to a waiting job


class PlaygroundJob(Job):
    """One stretch of a visitor's playground training, in a worker.

    ``state``: "queued", "playing", "paused" (the worker waits), "released" (the worker has
    given the network back: ``latest.weights`` continue it in a new job), "failed".
    """

    kind = "playground"

    def __init__(self, request: PlayRequest, owner: object | None, pool: TrainerPool):
        super().__init__(request, owner)
        self.pool = pool
        self.request = request
        self.state = "queued"
        self.latest: Snapshot | None = None
        self.losses: list[tuple[int, float, float]] = []
        self.scores: list[tuple[int, float, float]] = []  # accuracy (classes) or R² (values)
        self.error = ""
        self.gradients: Gradients | None = None  # the newest backward pass (see show_backward)
        self.backward = False  # the page shows the backward pass: the worker sends it playing too
        self._since = time.monotonic()
        self._yielded = False
        self._awaiting_step = request.mode == "step"  # a Step whose epoch has not come back
        self._awaiting_pause = False  # a Pause whose last epochs have not come back
        self.stopped_by_rule = False  # the stop rule paused it (until the next Play)

    @property
    def active(self) -> bool:
        return self.state in ("queued", "playing", "paused")

    @property
    def playing(self) -> bool:
        """Whether epochs are (or are about to be) running: the page keeps redrawing."""
        return self.state == "playing" or (self.state == "queued" and self.request.mode == "play")

    @property
    def live(self) -> bool:
        """Whether something is still to arrive (epochs playing, a queued start, a Step under
        way): the page keeps redrawing while it is."""
        return self.state in ("queued", "playing") or (
            self.active and (self._awaiting_step or self._awaiting_pause)
        )

    # --- what the page does ---------------------------------------------------------------
    def play(self) -> None:
        if self.state == "paused":
            self.state = "playing"
            self.stopped_by_rule = False
            self.send(("play",))
            self._bump()

    def pause(self) -> None:
        if self.state == "playing":
            self.state = "paused"
            self._awaiting_pause = self.send(("pause",))
            self._bump()

    def step(self) -> None:
        if self.state in ("paused", "playing"):
            self.state = "paused"
            self._awaiting_step = True
            self.send(("step",))
            self._bump()

    def set_rule(self, rule: StopRule | None) -> None:
        """A new stop rule (None: none) from the next epoch on; a queued job starts with it."""
        if rule == self.request.stop or not self.active:
            return
        self.request = self.payload = replace(self.request, stop=rule)
        self.send(("rule", rule))

    def show_backward(self, on: bool) -> None:
        """Whether the page shows the backward pass. The worker sends it with every snapshot
        while the network waits anyway; while it plays, only when the page shows it."""
        if on != self.backward:
            self.backward = on
            self.send(("backward", on))

    def stop(self) -> None:
        """End the job (a queued one never starts); the worker sends the network back."""
        if self.state == "queued" and self.pool.cancel(self):
            self.state = "released"
            self._bump()
        elif self.active:
            self.send(("stop",))

    # --- what the pool does ---------------------------------------------------------------
    def started(self, worker) -> None:
        self.state = "playing" if self.request.mode == "play" else "paused"
        self._since = time.monotonic()
        super().started(worker)
        if self.backward:
            self.send(("backward", True))

    def receive(self, message: tuple) -> bool:
        kind = message[0]
        if kind == "gradients":  # comes just before the snapshot it belongs to
            self.gradients = message[1]
            return False
        self._share_the_worker()
        if kind in ("snapshot", "released", "stopped"):
            snapshot: Snapshot = message[1]
            self.losses.extend(snapshot.losses)
            self.scores.extend(snapshot.scores)
            self.latest = snapshot
            if snapshot.losses and not snapshot.playing:
                self._awaiting_step = False
            if not snapshot.playing:
                self._awaiting_pause = False
            if kind == "stopped":  # the stop rule paused the worker: the page says so
                self._awaiting_step = False
                self.stopped_by_rule = True
                if self.state == "playing":
                    self.state = "paused"
            if kind == "released":
                self.state = "released"
        elif kind == "failed":
            self.fail(f"Training failed: {message[1]}. Try other settings.")
        self._bump()
        return kind in ("released", "failed")

    def _share_the_worker(self) -> None:
        """After SHARE_SECONDS of holding a worker, give it up if another job is waiting."""
        held = time.monotonic() - self._since
        if not self._yielded and held > SHARE_SECONDS and self.pool.waiting():
            self._yielded = self.send(("yield",))

    def fail(self, reason: str) -> None:
        self.error = reason
        self.state = "failed"
        self._bump()


def start_playground(request: PlayRequest, owner: object | None = None) -> PlaygroundJob:
    """Queue a playground training; it waits for a free training worker like a training does."""
    pool = trainer_pool()
    return pool.submit(PlaygroundJob(request, owner, pool))
