"""The 2D Playground's measures (accuracy, confusion counts, R², RMSE), its stop rule, and its
runs as records that Your runs compares: plain functions, no TensorFlow."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nncore.playground.metrics import (
    accuracy,
    confusion_counts,
    play_metrics,
    r_squared,
    rmse,
)
from nncore.playground.runs import parameter_count, playground_record, run_settings
from nncore.playground.settings import (
    ALL_SETTINGS,
    PlaygroundSpec,
    active_settings,
    stop_rule,
)
from nncore.playground.stopping import StopRule
from nncore.settings import defaults, parse_query
from nncore.training.compare import summary_row, table_csv
from nncore.training.compare_figures import overlay_curves, settings_scatter


def test_r_squared_is_one_for_a_perfect_fit_and_zero_for_the_mean():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert r_squared(y, y) == 1.0
    assert r_squared(y, np.full(4, y.mean())) == 0.0
    # Worse than the mean is below zero: 1 − 20/5.
    assert r_squared(y, y[::-1]) == pytest.approx(1 - 20 / 5)
    assert math.isnan(r_squared(np.ones(3), np.zeros(3)))  # nothing to explain


def test_rmse_is_the_typical_miss_in_the_values_units():
    assert rmse(np.array([0.0, 0.0]), np.array([3.0, -3.0])) == 3.0
    assert rmse(np.zeros((4, 1)), np.full((4, 1), 0.5)) == 0.5  # a (rows, 1) output
    assert math.isnan(rmse(np.array([]), np.array([])))


def test_confusion_counts_rows_are_the_truth_columns_the_answer():
    counts = confusion_counts(np.array([0, 0, 1, 2, 2]), np.array([0, 1, 1, 2, 0]), 3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 1]]
    assert counts.sum() == 5


def test_accuracy_reads_the_most_probable_class():
    probabilities = np.array([[0.9, 0.1], [0.4, 0.6], [0.7, 0.3]])
    assert accuracy(np.array([0, 1, 1]), probabilities) == pytest.approx(2 / 3)


def test_play_metrics_give_accuracy_and_a_matrix_or_r2_and_rmse():
    out = np.array([[0.8, 0.2], [0.3, 0.7]])
    classes = play_metrics(2, np.array([0, 1]), out, np.array([1, 1]), out)
    assert (classes.train, classes.test) == (1.0, 0.5)
    assert classes.confusion is not None and classes.confusion.tolist() == [[0, 0], [1, 1]]
    values = play_metrics(
        0,
        np.array([1.0, 3.0]),
        np.array([[1.0], [3.0]]),
        np.array([0.0, 2.0]),
        np.array([[1.0], [1.0]]),
    )
    assert values.train == 1.0 and values.test == 0.0 and values.train_rmse == 0.0
    assert values.test_rmse == 1.0 and values.confusion is None


def test_the_stop_rule_stops_at_its_epoch_or_its_test_loss():
    assert not StopRule().met(10_000, 0.0)
    at_five = StopRule("epochs", epochs=5)
    assert not at_five.met(4, 0.0) and at_five.met(5, 9.0)
    low = StopRule("loss", loss=0.1)
    assert not low.met(3, 0.2) and low.met(3, 0.1) and not low.met(3, float("nan"))
    assert "epoch 5" in at_five.note(5) and "0.1" in low.note(7)


def test_the_stop_rule_is_in_the_link_and_bad_values_are_named():
    values, notices = parse_query(
        {"stop": "epochs", "stop_epochs": "0", "stop_loss": "lots"}, ALL_SETTINGS
    )
    assert values == {"stop": "epochs"}
    assert any("stop_epochs=0 is outside 1–2000" in n for n in notices)
    assert any("stop_loss='lots' is not a number" in n for n in notices)
    assert stop_rule({"stop": "loss", "stop_loss": 0.05}) == StopRule("loss", 100, 0.05)
    # Only the chosen rule's number goes in the link.
    keys = {s.key for s in active_settings({**defaults(ALL_SETTINGS), "stop": "epochs"})}
    assert "stop_epochs" in keys and "stop_loss" not in keys
    assert not {"stop_epochs", "stop_loss"} & {s.key for s in active_settings({})}


def test_a_run_keeps_the_settings_that_make_it_and_counts_its_parameters():
    values = {**defaults(ALL_SETTINGS), "lr": 0.1, "show_test": True, "stop": "epochs"}
    settings = run_settings(values)
    assert settings["lr"] == 0.1 and settings["data"] == "circle"
    assert not {"show_test", "discrete", "stop", "stop_epochs", "l3"} & set(settings)
    # 2 features → 4 → 2 → 2 classes: 3·4 + 5·2 + 3·2.
    assert parameter_count(PlaygroundSpec()) == 12 + 10 + 6
    assert parameter_count(PlaygroundSpec(units=(), classes=0)) == 3


def record(run_id: str, classes: int, lr: float, previous=None):
    spec = PlaygroundSpec(lr=lr, classes=classes)
    settings = run_settings({**defaults(ALL_SETTINGS), "lr": lr})
    losses = [(1, 0.9, 1.0), (2, 0.5, 0.6), (3, 0.3, 0.4)]
    scores = [(1, 0.6, 0.5), (2, 0.8, 0.7), (3, 0.9, 0.85)]
    return playground_record(run_id, "", settings, spec, losses, scores, 1.5, previous)


def test_a_playground_record_says_what_changed_and_has_r2_for_values():
    first = record("a" * 16, 2, 0.03)
    second = record("b" * 16, 0, 0.3, previous=first)
    assert first.changes == "" and second.changes == "Learning rate 0.03 → 0.3"
    assert first.epochs == (1, 2, 3) and first.test_accuracy == 0.85
    row = summary_row(second)
    assert row["Test R²"] == 0.85 and "Test accuracy" not in row and row["Epochs"] == 3
    assert summary_row(first)["Test accuracy"] == 0.85
    header = table_csv([first, second]).splitlines()[0].split(",")
    assert {"Test accuracy", "Test R²", "lr", "data"} <= set(header)


def test_figures_name_r2_where_regressions_have_no_accuracy():
    first, second = record("a" * 16, 2, 0.03), record("b" * 16, 0, 0.3)
    both = json.loads(overlay_curves([first, second]).to_json())
    assert both["layout"]["annotations"][1]["text"].endswith("Accuracy / R²")
    only = json.loads(settings_scatter([second], "epochs", axes={"epochs": "Epochs"}).to_json())
    assert only["layout"]["yaxis"]["title"]["text"] == "test R²"
    assert only["data"][0]["x"] == [3.0]  # a playground run's epochs are the ones it trained
