"""nncore.training: the epoch engine learns as model.fit does, a run's state obeys its rules,
and a training that goes wrong is explained in words that name the cause."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pytest

from nncore.data.mnist import accuracy, prepare_split
from nncore.network.spec import SEED_NOTEBOOK, LayerSpec, NetworkSpec
from nncore.training.diagnosis import (
    ONE_NEURON_REASON,
    ZEROS_REASON,
    divergence_message,
    training_diagnosis,
    training_warnings,
)
from nncore.training.evaluation import confusion_matrix, misclassified
from nncore.training.run import ACTIVE_STATES, OVER_STATES, EpochRecord, TrainingRun

EPOCHS = 20
NOTEBOOK = replace(SEED_NOTEBOOK, epochs=EPOCHS)


@dataclass
class Trained:
    spec: NetworkSpec
    run: TrainingRun
    engine: object


def train(spec: NetworkSpec) -> Trained:
    """Train ``spec`` epoch by epoch as a worker does: stop at a non-finite loss, then settle."""
    from nncore.training.engine import EpochEngine

    engine = EpochEngine.for_spec(spec)
    run = TrainingRun(spec, run_id="test", state="running")
    for epoch in range(1, spec.epochs + 1):
        record = engine.run_epoch(epoch)
        run.history.append(record)
        if not record.finite:
            run.message = divergence_message(record, spec)
            run.settle("diverged")
            break
    run.settle("done")
    return Trained(spec, run, engine)


@pytest.fixture(scope="module")
def notebook() -> Trained:
    """The notebook's network, trained for 20 epochs on its 1,000 rows (shared: it is slow)."""
    return train(NOTEBOOK)


def record(epoch: int, loss: float, accuracy: float, lr: float = 0.001) -> EpochRecord:
    return EpochRecord(epoch, loss, accuracy, loss, accuracy, lr, 0.01)


# --- the engine ------------------------------------------------------------------------------


def test_engine_learns_like_model_fit(notebook):
    from nncore.keras_runtime import keras
    from nncore.network.model import build_model

    split = prepare_split(NOTEBOOK)
    fitted = build_model(NOTEBOOK)
    keras.utils.set_random_seed(NOTEBOOK.seed)  # fit shuffles with the global generator
    history = fitted.fit(
        split.x_train,
        split.y_train,
        batch_size=NOTEBOOK.batch,
        epochs=EPOCHS,
        validation_data=(split.x_test, split.y_test),
        verbose=0,
        shuffle=True,
    ).history
    run = notebook.run
    assert run.state == "done" and [r.epoch for r in run.history] == list(range(1, EPOCHS + 1))
    engine_loss = np.array([r.loss for r in run.history])
    fit_loss = np.array(history["loss"])
    assert abs(run.test_accuracy() - history["val_accuracy"][-1]) <= 0.03
    # Same course: both fall the same way, epoch by epoch, within 15 % of each other.
    assert np.all(np.abs(engine_loss - fit_loss) <= 0.15 * fit_loss + 0.02)
    assert np.corrcoef(engine_loss, fit_loss)[0, 1] > 0.99
    engine_val = np.array([r.val_loss for r in run.history])
    assert np.all(np.abs(engine_val - np.array(history["val_loss"])) <= 0.15 * engine_val + 0.02)
    # And it learned: after 20 epochs the notebook network reads most test digits.
    assert run.test_accuracy() >= 0.75


def test_the_engines_metrics_are_what_its_model_answers(notebook):
    """The in-graph accuracy and loss agree with the trained model's own answers, computed
    here with numpy."""
    probabilities = notebook.engine.predict_test()
    split = prepare_split(NOTEBOOK)
    last = notebook.run.history[-1]
    assert probabilities.shape == (200, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert accuracy(probabilities, split.labels_test) == pytest.approx(last.val_accuracy)
    cross_entropy = -np.mean(np.log(probabilities[split.y_test.astype(bool)]))
    assert cross_entropy == pytest.approx(last.val_loss, rel=1e-4)


def test_engine_counts_a_last_partial_batch():
    from nncore.network.model import build_model
    from nncore.training.engine import EpochEngine

    spec = NetworkSpec(layers=(LayerSpec("dense", units=8),), rows=500, batch=300, epochs=1)
    model = build_model(spec)
    before = [w.copy() for w in model.get_weights()]
    engine = EpochEngine(model, prepare_split(spec), batch_size=spec.batch)
    engine.run_epoch(1)
    # 400 rows in batches of 300: two optimizer steps, as fit would take.
    assert int(model.optimizer.iterations.numpy()) == 2
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


def test_learning_rate_change_applies_from_the_next_epoch():
    from nncore.training.engine import EpochEngine

    spec = replace(NOTEBOOK, rows=500, epochs=3, opt="sgd", lr=0.01)
    engine = EpochEngine.for_spec(spec)
    run = TrainingRun(spec, run_id="lr", state="running")
    run.history += [engine.run_epoch(1), engine.run_epoch(2)]
    engine.learning_rate = 0.5
    run.history.append(engine.run_epoch(3))
    assert [round(r.lr, 6) for r in run.history] == [0.01, 0.01, 0.5]
    assert [(epoch, round(lr, 6)) for epoch, lr in run.lr_changes] == [(3, 0.5)]
    assert float(engine.model.optimizer.learning_rate.numpy()) == pytest.approx(0.5)
    assert engine.learning_rate == pytest.approx(0.5)


def test_divergence_stops_with_an_explanation_that_names_the_learning_rate():
    layers = (LayerSpec("dense", units=512, act="linear"),) * 2
    spec = NetworkSpec(layers=layers, rows=500, opt="sgd", lr=10.0, batch=32, epochs=20)
    trained = train(spec)
    run = trained.run
    assert run.diverged and run.over and not run.active and run.epochs_done < 20
    assert not run.history[-1].finite and all(r.finite for r in run.history[:-1])
    assert f"Training stopped at epoch {run.epochs_done}" in run.message
    assert "learning rate η = 10" in run.message and "10× smaller" in run.message
    # The result is the last finite epoch's test accuracy.
    finite = [r.val_accuracy for r in run.history if r.finite]
    if finite:
        assert run.test_accuracy() == finite[-1]
    else:
        assert np.isnan(run.test_accuracy())


def test_a_network_with_all_zero_weights_is_explained():
    spec = NetworkSpec(layers=(LayerSpec("dense", units=32, init="zeros"),), rows=500, epochs=5)
    trained = train(spec)
    last = trained.run.history[-1]
    assert last.accuracy < 0.2  # every hidden neuron stays identical
    diagnosis = training_diagnosis(trained.run.history, spec)
    assert diagnosis.startswith(f"Training accuracy is {last.accuracy:.0%}")
    assert ZEROS_REASON in diagnosis


def test_a_network_that_learned_needs_no_explanation(notebook):
    assert training_diagnosis(notebook.run.history, NOTEBOOK) is None
    assert training_warnings(NOTEBOOK) == []


# --- a run's state ---------------------------------------------------------------------------


def test_a_pause_or_stop_after_the_run_finished_is_ignored(notebook):
    run = notebook.run  # its state came from finishing its 20 epochs
    history = list(run.history)
    assert run.state == "done" and run.over
    assert run.settle("paused") is False
    assert run.settle("stopped") is False
    assert run.settle("running") is False
    assert run.state == "done" and run.history == history


def test_a_diverged_run_stays_diverged_and_a_paused_one_can_still_stop():
    spec = NetworkSpec(layers=())
    diverged = TrainingRun(spec, "d", state="running")
    assert diverged.settle("diverged") and not diverged.settle("done")
    assert diverged.state == "diverged"
    paused = TrainingRun(spec, "p", state="running")
    assert paused.settle("paused") and paused.active and not paused.over
    assert paused.settle("paused") is False  # no change: nothing to tell the page
    assert paused.settle("stopped") and paused.over
    assert set(ACTIVE_STATES).isdisjoint(OVER_STATES)


def test_a_run_summarises_its_history():
    run = TrainingRun(NetworkSpec(layers=()), "s", state="running")
    run.history += [record(1, 2.0, 0.3, 0.01), record(2, 1.0, 0.5, 0.01), record(3, 0.5, 0.7, 0.1)]
    run.history.append(record(4, float("nan"), 0.1, 0.1))
    assert run.epochs_done == 4 and run.seconds() == pytest.approx(0.04)
    assert run.lr_changes == [(3, 0.1)]
    assert run.test_accuracy() == 0.7  # the last finite epoch's
    assert not run.has_model
    assert np.isnan(TrainingRun(NetworkSpec(layers=()), "e").test_accuracy())


# --- diagnosis: each message names its cause --------------------------------------------------


def test_a_growing_loss_is_blamed_on_the_learning_rate_it_used():
    history = [record(1, 2.3, 0.3, 2.0), record(2, 9.0, 0.25, 2.0), record(3, 40.0, 0.3, 2.0)]
    message = training_diagnosis(history, replace(NOTEBOOK, opt="sgd", lr=2.0))
    assert "grew from 2.3 to 40" in message and "η = 2 " in message


@pytest.mark.parametrize(
    ("spec", "lr", "words"),
    [
        (NetworkSpec(layers=(LayerSpec("dense", units=1),)), 0.001, ONE_NEURON_REASON),
        (NOTEBOOK, 1e-5, "η = 1e-05 moves the weights too little"),
        (NOTEBOOK, 0.8, "η = 0.8 makes every step overshoot"),
        (NOTEBOOK, 0.001, "the settings keep the network from learning"),
    ],
)
def test_chance_accuracy_is_explained_by_its_cause(spec, lr, words):
    history = [record(e, 2.30, 0.11, lr) for e in range(1, 6)]
    message = training_diagnosis(history, spec)
    assert message.startswith("Training accuracy is 11%, about what guessing gives (10%)")
    assert words in message


def test_a_loss_that_hardly_moves_says_whether_eta_is_too_small_or_too_large():
    small = [record(e, 1.0 - 0.01 * e, 0.5, 1e-4) for e in range(1, 6)]
    assert "η = 0.0001 is too small for this many epochs" in training_diagnosis(small, NOTEBOOK)
    bouncing = [record(e, 1.0 + 0.05 * (e % 2), 0.5, 0.9) for e in range(1, 6)]
    assert "η = 0.9 is so large that steps overshoot" in training_diagnosis(bouncing, NOTEBOOK)
    assert training_diagnosis(small[:1], NOTEBOOK) is None  # one epoch says nothing yet


def test_divergence_message_names_the_epoch_and_what_to_change():
    nan = EpochRecord(7, float("nan"), 0.1, float("nan"), 0.1, 0.5, 0.01)
    message = divergence_message(nan, replace(NOTEBOOK, opt="sgd", lr=0.5))
    assert message.startswith("Training stopped at epoch 7: the loss became nan.")
    assert "η = 0.5" in message and "10× smaller" in message
    small = divergence_message(replace(nan, lr=0.001), NOTEBOOK)
    assert "numbers overflowed" in small and "smaller learning rate" in small


def test_warnings_before_training_name_the_setting_that_will_hurt():
    zero = NetworkSpec(layers=(LayerSpec("dense", init="zeros"),))
    assert any("All-zero initial weights" in w for w in training_warnings(zero))
    big = training_warnings(replace(NOTEBOOK, opt="rmsprop", lr=2.0))
    assert big == ["η = 2 is very large for RMSprop; expect divergence."]
    one = training_warnings(NetworkSpec(layers=(LayerSpec("dense", units=1),)))
    assert one == [
        "A one-neuron layer squeezes each picture into a single number: expect low accuracy."
    ]
    mse = training_warnings(replace(NOTEBOOK, loss="mean_squared_error"))
    assert len(mse) == 1 and "Mean squared error" in mse[0]
    huge = training_warnings(replace(NOTEBOOK, rows=500, batch=900))
    assert huge == ["Batch size 900 is more than the 400 training rows: one step per epoch."]
    tiny = training_warnings(replace(NOTEBOOK, batch=2))
    assert tiny == ["Batch size 2 means 400 small, noisy steps per epoch: slow."]


# --- evaluation ------------------------------------------------------------------------------


def test_confusion_and_misclassified():
    true = np.array([0, 0, 1, 1, 2, 2, 2])
    said = np.array([0, 1, 1, 0, 2, 1, 1])
    counts = confusion_matrix(true, said, classes=3)
    assert counts.tolist() == [[1, 1, 0], [1, 1, 0], [0, 2, 1]]
    assert counts.sum() == len(true) and np.trace(counts) == np.sum(true == said)
    # One mistake per digit first, then the second ones.
    assert misclassified(true, said).tolist() == [1, 3, 5, 6]
    assert misclassified(true, said, limit=2).tolist() == [1, 3]
    assert misclassified(true, true).tolist() == []
