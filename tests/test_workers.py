"""The worker processes: trainings stream, obey Pause/Stop before the next epoch, survive a
killed worker, and drawings are answered without TensorFlow in this process."""

from __future__ import annotations

import os
import signal
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nncore.data.mnist import prepare_split
from nncore.network.spec import SEED_NOTEBOOK, LayerSpec, NetworkSpec
from nncore.training.health import StepResult, StepState
from nncore.workers.client import InferenceService, RunHandle, StepJob
from nncore.workers.messages import BUNDLED, ModelSource, new_key
from nncore.workers.pool import DIED, Owner, TrainerPool
from nncore.workers.process import FORK_SERVER, WorkerProcess
from tests.helpers import wait_until

# About half a second an epoch on this machine: slow enough to click between epochs.
SLOW = NetworkSpec(layers=(LayerSpec("dense", units=32),), rows=2000, batch=2, epochs=100)
QUICK = replace(SEED_NOTEBOOK, rows=500, epochs=5)


@pytest.fixture(scope="module")
def pool() -> TrainerPool:
    pool = TrainerPool(workers=1)
    assert pool.ready.wait(180), "the training worker did not start"
    return pool


KEPT: list[Owner] = []  # the sessions of these tests: alive until the module ends


def train(pool: TrainerPool, spec: NetworkSpec, owner: Owner | None = None) -> RunHandle:
    if owner is None:
        owner = Owner()
        KEPT.append(owner)
    handle = RunHandle(pool, spec, owner)
    pool.submit(handle)
    return handle


def step(pool: TrainerPool, state: StepState | None, owner: Owner) -> StepResult:
    """One batch in a worker, from ``state`` (None: fresh weights); what the worker sent back."""
    job = StepJob(QUICK, state, owner)
    pool.submit(job)
    wait_until(lambda: job.over)
    assert job.result is not None, job.error
    return job.result


def pid_of(worker: WorkerProcess) -> int:
    assert worker.pid is not None, f"the {worker.kind} worker is not running"
    return worker.pid


def fork_server_pid() -> int:
    assert FORK_SERVER._process is not None, "the fork server is not running"
    return FORK_SERVER._process.pid


def test_a_training_streams_its_epochs_and_brings_its_weights_back(pool: TrainerPool):
    owner = Owner()
    handle = train(pool, QUICK, owner)
    wait_until(lambda: handle.run.over)
    run = handle.run
    assert run.state == "done"
    assert [r.epoch for r in run.history] == [1, 2, 3, 4, 5]
    assert run.history[-1].loss < run.history[0].loss  # it learned
    # The weights are the trained model's: the notebook network's 6 arrays, 109,386 numbers.
    assert run.weights is not None
    assert sum(w.size for w in run.weights) == 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10
    assert run.test is not None
    assert run.test.probabilities.shape == (100, 10)
    assert np.allclose(run.test.probabilities.sum(axis=1), 1, atol=1e-5)
    # The test rows came back with it: the page never splits the digits again to draw them.
    assert np.array_equal(run.test.labels, prepare_split(QUICK).labels_test)
    wrong = run.test.mistakes
    assert len(wrong) and np.all(run.test.labels[wrong] != run.test.predicted[wrong])
    assert np.array_equal(run.test.mistake_images, prepare_split(QUICK).x_test[wrong])
    # The gradient panel's last measurement came along: every weighted layer, after the end.
    assert run.health is not None
    assert [layer.name for layer in run.health.layers] == ["dense_1", "dense_2", "output"]
    assert run.health.span == "one epoch"
    assert all(layer.update_norm > 0 for layer in run.health.layers)


def test_a_step_of_one_batch_runs_in_a_worker_and_carries_on_from_its_state(pool: TrainerPool):
    owner = Owner()
    first = step(pool, None, owner)
    second = step(pool, first.state, owner)
    assert (first.state.steps, second.state.steps) == (1, 2)
    changed = [
        not np.array_equal(a, b)
        for a, b in zip(first.state.weights, second.state.weights, strict=True)
    ]
    assert all(changed)  # the second step moved every weight array on from the first's


def test_pause_and_stop_act_before_the_next_epoch(pool: TrainerPool):
    handle = train(pool, SLOW)
    wait_until(lambda: handle.run.epochs_done >= 1)
    handle.pause()
    clicked_at = handle.run.epochs_done
    # The worker says it has paused once the epoch under way is over: the history is final.
    wait_until(lambda: handle.settled_pause, 60, "the worker to pause")
    paused_at = handle.run.epochs_done
    assert paused_at <= clicked_at + 1  # only the epoch already under way finishes
    # Paused means paused: for two epochs' time, nothing at all arrives from the worker.
    epoch_seconds = max(record.seconds for record in handle.run.history)
    seen = handle.version
    assert handle.wait(seen, 2 * epoch_seconds + 0.5) == seen
    assert handle.run.epochs_done == paused_at and handle.run.state == "paused"
    handle.set_learning_rate(0.05)
    handle.resume()
    wait_until(lambda: handle.run.epochs_done >= paused_at + 2)
    handle.stop()
    stopped_at = handle.run.epochs_done
    wait_until(lambda: handle.run.over)
    assert handle.run.state == "stopped"
    assert handle.run.epochs_done <= stopped_at + 1
    assert handle.run.weights is not None  # the model so far is kept
    # The new learning rate took effect from the first epoch after the resume.
    assert handle.run.lr_changes and handle.run.lr_changes[0] == (
        paused_at + 1,
        pytest.approx(0.05),
    )


def test_a_killed_worker_fails_only_that_training_and_is_replaced(pool: TrainerPool):
    handle = train(pool, SLOW)
    wait_until(lambda: handle.run.epochs_done >= 1)
    os.kill(pid_of(pool.workers[0]), signal.SIGKILL)
    wait_until(lambda: handle.run.over)
    assert handle.run.state == "failed"
    assert handle.run.message == DIED
    assert handle.run.history  # the curves so far stay on the page
    again = train(pool, QUICK)
    wait_until(lambda: again.run.over, seconds=180)
    assert again.run.state == "done"


def test_queued_runs_know_their_place_and_a_stopped_one_never_starts(pool: TrainerPool):
    first = train(pool, SLOW)
    second = train(pool, QUICK)
    third = train(pool, QUICK)
    wait_until(lambda: first.run.state == "running")
    assert (second.ahead, third.ahead) == (0, 1)
    second.stop()
    assert second.run.state == "stopped" and not second.run.history
    assert third.ahead == 0
    first.stop()
    wait_until(lambda: third.run.over)
    assert third.run.state == "done" and second.run.epochs_done == 0


def test_a_visitor_who_left_stops_their_training(pool: TrainerPool):
    owner = Owner()
    handle = train(pool, SLOW, owner)
    wait_until(lambda: handle.run.epochs_done >= 1)
    del owner  # the session is gone
    wait_until(lambda: handle.run.over, seconds=30)
    assert handle.run.state == "stopped" and handle.run.epochs_done < SLOW.epochs


@pytest.fixture(scope="module")
def answers() -> InferenceService:
    return InferenceService()


def vertical_stroke() -> np.ndarray:
    x = np.zeros((28, 28), np.float32)
    x[4:24, 13:15] = 1.0
    return x


def test_the_bundled_cnn_reads_a_stroke_as_a_one(answers: InferenceService):
    reply = answers.answer(BUNDLED, vertical_stroke())
    assert int(np.argmax(reply.probabilities)) == 1
    # Every feature map's layer, pooling included, in the network's order.
    names = [name for name, _ in reply.layers]
    assert [name for name in names if name.startswith("conv")][:3] == ["conv1", "conv2", "conv3"]
    assert names[:2] == ["conv1", "pool1"]
    assert reply.layers[0][1].shape == (28, 28, 32)


def test_a_session_network_is_sent_once_and_rebuilt_after_a_worker_dies(
    answers: InferenceService, pool: TrainerPool
):
    handle = train(pool, QUICK)
    wait_until(lambda: handle.run.over)
    assert handle.run.weights is not None
    source = ModelSource(new_key(), "mine", QUICK.input_shape, QUICK, tuple(handle.run.weights))
    first = answers.answer(source, vertical_stroke())
    os.kill(pid_of(answers.worker), signal.SIGKILL)
    again = answers.answer(source, vertical_stroke())  # a new worker, told the model anew
    assert np.allclose(first.probabilities, again.probabilities, atol=1e-6)
    assert [name for name, _ in again.layers] == ["dense_1", "dense_2", "output"]


def test_training_yields_the_cpu_and_answering_a_drawing_does_not(
    pool: TrainerPool, answers: InferenceService
):
    """A training is background work: a slider move or a stroke (the web server, the inference
    worker) always gets the CPU first, so a class training never makes a page wait."""
    answers.answer(BUNDLED, vertical_stroke())  # the inference worker is up
    trainer = pid_of(pool.workers[0])
    assert os.getpriority(os.PRIO_PROCESS, trainer) == 19
    assert os.getpriority(os.PRIO_PROCESS, pid_of(answers.worker)) == os.getpriority(
        os.PRIO_PROCESS, 0
    )
    # Below everyone, not only below the server: Linux shares the cores between sessions
    # (autogroups) first, so the trainer is a session of its own, niced as a whole.
    assert os.getsid(trainer) == trainer != os.getsid(0)
    group = Path(f"/proc/{trainer}/autogroup")
    if Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1":
        assert group.read_text().split()[-1] == "19"


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def test_workers_are_forked_from_one_import_and_a_lost_fork_server_is_replaced(
    pool: TrainerPool, answers: InferenceService
):
    """Every worker comes from the one process that imported TensorFlow, so a replaced worker
    is ready in about a second. A training worker does not outlive that process (it would train
    on after the server stopped): losing it fails that training as a crash would, and the next
    training gets a worker from a new fork server."""
    answers.answer(BUNDLED, vertical_stroke())
    forkserver = fork_server_pid()
    assert parent_of(pid_of(pool.workers[0])) == forkserver == parent_of(pid_of(answers.worker))
    training = train(pool, SLOW)
    wait_until(lambda: training.run.epochs_done >= 1)
    os.kill(forkserver, signal.SIGKILL)
    wait_until(lambda: training.run.over, seconds=30)
    assert training.run.state == "failed" and training.run.message == DIED
    again = train(pool, QUICK)
    wait_until(lambda: again.run.over, seconds=180)
    assert again.run.state == "done"
    assert parent_of(pid_of(pool.workers[0])) == fork_server_pid() != forkserver
