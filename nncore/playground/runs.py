"""A 2D Playground training as a ``RunRecord``, so "Your runs" lists and compares it with the
same table, overlay and scatter as Build & Train's.

What one run is: the epochs one network has trained, from its first weights. It is listed once
it stops being trained: a Pause, the stop rule, a Step that has come back, the worker letting go
(two minutes of playing, someone waiting, a diverging loss), Reset, or a change of the data,
features or network (which starts a new network). Play after a pause goes on with the same
network, so the same run: its row is updated, not doubled. Reset or a new setup begins the next
run. A network with no epochs is not a run.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from nncore.playground.datasets import DATASETS
from nncore.playground.features import FEATURES
from nncore.playground.settings import (
    SETTINGS_BY_KEY,
    STOP_SETTINGS,
    VIEW_SETTINGS,
    PlaygroundSpec,
    active_settings,
)
from nncore.training.compare import RunRecord, clean_name, settings_diff

# What a scatter can put across for playground runs (numbers only).
PLAYGROUND_AXES: dict[str, str] = {
    "params": "Parameters",
    "epochs": "Epochs",
    "lr": "Learning rate η",
    "batch": "Batch size",
    "points": "Number of points",
    "noise": "Noise (%)",
    "train": "Training data (%)",
    "layers": "Hidden layers",
}
# How a network is looked at or when Play stops: not what makes one run differ from another.
NOT_RUN_SETTINGS = frozenset(s.key for s in VIEW_SETTINGS + STOP_SETTINGS)


def run_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """The settings that describe a run: data, features, network and how it learns, as in a
    link (unused layers' sizes left out)."""
    return {
        s.key: values[s.key]
        for s in active_settings(values)
        if s.key not in NOT_RUN_SETTINGS and s.key in values
    }


def parameter_count(spec: PlaygroundSpec) -> int:
    """Weights and biases of the network: each Dense layer has (inputs + 1) × neurons."""
    sizes = [len(spec.features), *spec.units, max(spec.classes, 1)]
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:], strict=False))


def playground_record(
    run_id: str,
    name: str,
    settings: Mapping[str, Any],
    spec: PlaygroundSpec,
    losses: Sequence[tuple[int, float, float]],
    scores: Sequence[tuple[int, float, float]],
    seconds: float,
    previous: RunRecord | None,
    state: str = "paused",
    finished: float | None = None,
) -> RunRecord:
    """The record of a playground run: its losses and scores (accuracy, or R² for values) per
    epoch, what changed since ``previous`` (the run listed before it)."""
    by_epoch = {row[0]: row[1:] for row in scores}
    nan = (float("nan"), float("nan"))
    diff = settings_diff(previous.settings if previous else None, settings, SETTINGS_BY_KEY)
    return RunRecord(
        run_id=run_id,
        name=clean_name(name) or run_id[:8],
        settings=dict(settings),
        state=state,
        finished=time.time() if finished is None else finished,
        wall_seconds=float(seconds),
        params=parameter_count(spec),
        changes="; ".join(str(change) for change in diff),
        epochs=tuple(int(row[0]) for row in losses),
        loss=tuple(float(row[1]) for row in losses),
        val_loss=tuple(float(row[2]) for row in losses),
        accuracy=tuple(float(by_epoch.get(row[0], nan)[0]) for row in losses),
        val_accuracy=tuple(float(by_epoch.get(row[0], nan)[1]) for row in losses),
        score="accuracy" if spec.classes else "r2",
        page="playground",
    )


def task_label(settings: Mapping[str, Any]) -> str:
    """Which problem a run learned: runs are only ranked against runs on the same dataset."""
    kind = DATASETS.get(str(settings.get("data")))
    return f"2D {kind.label}" if kind else "2D Playground"


def playground_settings_text(settings: Mapping[str, Any]) -> str:
    """A playground run's settings in one short line: its inputs, its layers, how it learned.

    "x₁, x₂ → 4, 2 tanh · sgd η 0.03 · batch 10 · noise 10 %"."""
    inputs = [f.label for key, f in FEATURES.items() if settings.get(f"f_{key}")]
    units = [str(settings.get(f"l{slot}")) for slot in range(1, int(settings.get("layers", 0)) + 1)]
    layers = f"{', '.join(units)} {settings.get('act')}" if units else "no hidden layer"
    reg = settings.get("reg", "none")
    number = {
        k: SETTINGS_BY_KEY[k].format(settings.get(k, SETTINGS_BY_KEY[k].default))
        for k in ("lr", "rate")
    }
    regularized = f" · {str(reg).upper()} {number['rate']}" if reg != "none" else ""
    return (
        f"{', '.join(inputs) or 'no input'} → {layers} · {settings.get('opt')} "
        f"η {number['lr']} · batch {settings.get('batch')}{regularized} · "
        f"noise {settings.get('noise', 0)} %"
    )
