"""A playground training in a training worker: epochs as fast as they come, snapshots at ≤ 8 Hz.

The job's messages (declared in ``nncore.workers.messages``): it starts with ("playground",
PlayRequest) and obeys play, pause, step (one epoch, then wait), stop and yield (stop: others
wait), and ("rule", StopRule | None), a new stop rule. It sends a Snapshot after the first
evaluation, at most every SNAPSHOT_SECONDS while playing and after every step or pause,
("stopped", Snapshot) when the stop rule pauses it, and ("released", Snapshot) when it ends,
carrying the weights so the page can continue later from where it was.

A job gives its worker back (released) after RELEASE_SECONDS paused, or PLAY_LIMIT seconds of
playing, or when asked to yield because someone is waiting: a class shares few workers, and a
forgotten tab must not hold one. Pressing Play again continues from the released weights in a new job.
"""

from __future__ import annotations

import math
import time
from multiprocessing.connection import Connection

from nncore.playground.metrics import PlayMetrics, play_metrics
from nncore.workers.messages import PlayRequest, Snapshot
from nncore.workers.playground_backward import with_gradients

SNAPSHOT_SECONDS = 0.125  # at most 8 snapshots a second (the page redraws at 5 Hz)
RELEASE_SECONDS = 20.0
PLAY_LIMIT = 120.0
PLAY_LIMIT_NOTE = (
    "Paused after two minutes of training, so that others can train too: press Play to go on."
)
YIELD_NOTE = "Paused to let someone waiting for a trainer start: press Play to go on."


class _Progress:
    """The worker's side of one job: the engine, the epoch and the losses not yet sent."""

    def __init__(self, request: PlayRequest):
        from nncore.playground.engine import PlaygroundEngine  # TensorFlow: worker only

        self.engine = PlaygroundEngine(request)
        self.request = request
        self.epoch = request.epoch
        self.rule = request.stop
        self.seconds = request.seconds
        self.unsent: list[tuple[int, float, float]] = []
        self.unsent_scores: list[tuple[int, float, float]] = []
        self.accuracy = (math.nan, math.nan)
        self.metrics: PlayMetrics | None = None
        self.test_loss = math.nan
        self.finite = True

    def run_epoch(self) -> None:
        started = time.perf_counter()
        train, test, train_right, test_right = self.engine.epoch()
        self.seconds += time.perf_counter() - started
        self.epoch += 1
        self.unsent.append((self.epoch, train, test))
        self.accuracy = (train_right, test_right)
        self.test_loss = test
        self.finite = math.isfinite(train) and math.isfinite(test)
        # A few hundred answers: measured every epoch, so the curves of accuracy (or R²) have
        # every point the loss curves have.
        assert self.engine.outputs is not None
        out_train, out_test = self.engine.outputs
        request = self.request
        self.metrics = play_metrics(
            request.spec.classes, request.y_train, out_train, request.y_test, out_test
        )
        self.unsent_scores.append((self.epoch, self.metrics.train, self.metrics.test))

    def stop_note(self) -> str:
        """The stop rule's sentence if it fires at this epoch, else "". It fires once, then is
        forgotten: Play goes on from there."""
        rule = self.rule
        if rule is None or not rule.met(self.epoch, self.test_loss):
            return ""
        self.rule = None
        return rule.note(self.epoch)

    def snapshot(self, playing: bool, note: str = "") -> Snapshot:
        output, neurons = self.engine.grids()
        losses, self.unsent = tuple(self.unsent), []
        scores, self.unsent_scores = tuple(self.unsent_scores), []
        weights = self.engine.weights()
        return Snapshot(
            self.epoch,
            losses,
            output,
            neurons,
            weights,
            playing,
            note,
            self.accuracy,
            scores,
            self.metrics,
            self.seconds,
        )


def play(conn: Connection, request: PlayRequest) -> None:
    """Run one playground job until it is stopped, released or diverges."""
    progress = _Progress(request)
    conn = with_gradients(conn, progress.engine)  # the backward pass beside the snapshots
    playing, steps = request.mode == "play", int(request.mode == "step")
    conn.send(("snapshot", progress.snapshot(playing)))
    sent_at = played_since = time.perf_counter()
    while True:
        idle = not playing and not steps
        # Between epochs: act on every waiting click; while idle, wait for one (or release).
        while conn.poll(RELEASE_SECONDS if idle else 0):
            message = conn.recv()
            kind = message[0]
            if kind in ("stop", "yield"):
                note = YIELD_NOTE if kind == "yield" else ""
                conn.send(("released", progress.snapshot(False, note)))
                return
            if kind == "play" and not playing:
                playing, played_since = True, time.perf_counter()
            elif kind == "pause" and playing:
                playing = False
                conn.send(("snapshot", progress.snapshot(False)))
            elif kind == "step":
                playing, steps = False, steps + 1
            elif kind == "rule":
                progress.rule = message[1]
            idle = not playing and not steps
        if idle:  # nothing asked for RELEASE_SECONDS: give the worker back
            conn.send(("released", progress.snapshot(False)))
            return
        progress.run_epoch()
        steps = max(steps - 1, 0)
        now = time.perf_counter()
        if not progress.finite:
            note = "The loss became infinite: the learning rate is too large. Reset, lower it."
            conn.send(("released", progress.snapshot(False, note)))
            return
        note = progress.stop_note()
        if note:
            playing, steps = False, 0
            conn.send(("stopped", progress.snapshot(False, note)))
            sent_at = now
            continue
        if playing and now - played_since > PLAY_LIMIT:
            conn.send(("released", progress.snapshot(False, PLAY_LIMIT_NOTE)))
            return
        if not playing or now - sent_at >= SNAPSHOT_SECONDS:
            conn.send(("snapshot", progress.snapshot(playing)))
            sent_at = now
