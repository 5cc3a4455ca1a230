"""Finished trainings side by side: a run's summary, what changed from the run before, a table.

A ``RunRecord`` is what is left of a training once its weights are dropped: its settings, its
curves and how it ended. Build & Train and the 2D Playground each keep a short list of them per
session ("Your runs"); a class board keeps the ones students share (``nncore.board``). Which
settings a record holds, and how they read, comes from its page's table of ``Setting``s (Build
& Train's unless one is given). Plain data, no streamlit.
"""

from __future__ import annotations

import csv
import io
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nncore.network.plan import layer_plan
from nncore.network.settings import SETTINGS_BY_KEY, active_settings
from nncore.network.spec import NetworkSpec
from nncore.settings import Setting
from nncore.training.run import TrainingRun

SettingsTable = Mapping[str, Setting]

NAME_LIMIT = 40  # characters of a run's name
# Settings a scatter can put on its x axis (numbers only), besides the parameter count.
SCATTER_AXES: dict[str, str] = {
    "params": "Parameters",
    "lr": "Learning rate η",
    "batch": "Batch size",
    "epochs": "Epochs",
    "rows": "MNIST rows",
    "layers": "Hidden layers",
}
LOG_AXES = frozenset({"params", "lr", "batch"})


def setting_label(setting: Setting) -> str:
    """A setting's label, with its layer for a per-layer one: "Layer 2 neurons"."""
    slot, _, field = setting.key.partition("_")
    if field and slot.startswith("l") and slot[1:].isdigit():
        return f"Layer {slot[1:]} {setting.label[0].lower()}{setting.label[1:]}"
    return setting.label


def settings_of(spec: NetworkSpec) -> dict[str, Any]:
    """The values that describe ``spec`` (its active settings), keyed as in a link."""
    values: dict[str, Any] = {}
    for setting in active_settings(spec):
        if setting.key == "layers":
            values["layers"] = len(spec.layers)
        elif "_" in setting.key and setting.key[1:2].isdigit():
            slot, field = setting.key.split("_", 1)
            values[setting.key] = getattr(spec.layers[int(slot[1:]) - 1], field)
        else:
            values[setting.key] = getattr(spec, setting.key)
    return values


@dataclass(frozen=True)
class Change:
    """One setting that differs between two runs: its key, label and both values as text."""

    key: str
    label: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.label} {self.before} → {self.after}"


def _format(key: str, value: Any, table: SettingsTable = SETTINGS_BY_KEY) -> str:
    setting = table.get(key)
    if value is None:
        return "–"
    if setting is None:
        return str(value)
    if setting.kind == "choice":
        return str(setting.choices.get(str(value), value))
    return setting.format(value)


def settings_diff(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    table: SettingsTable = SETTINGS_BY_KEY,
) -> list[Change]:
    """The settings whose values differ from ``before`` to ``after`` (both from ``settings_of``),
    in the order ``table`` declares them; a setting only one of them has counts as changed.
    Nothing for a first run (``before`` None)."""
    if before is None:
        return []
    keys = [*after, *(k for k in before if k not in after)]
    changes = []
    for key in sorted(keys, key=_order(table)):
        old, new = before.get(key), after.get(key)
        if old != new:
            setting = table.get(key)
            label = setting_label(setting) if setting else key
            changes.append(Change(key, label, _format(key, old, table), _format(key, new, table)))
    return changes


def _order(table: SettingsTable) -> Any:
    """A sort key putting setting keys in the order ``table`` declares them (unknown ones last)."""
    declared = {key: index for index, key in enumerate(table)}
    return lambda key: declared.get(key, len(declared))


@dataclass(frozen=True)
class RunRecord:
    """A finished (or stopped) training without its weights: enough to list, compare, share.

    ``changes`` says which settings differ from the run before it, as text ("" for the first);
    the curves are per epoch, train and test. ``score`` names what the accuracy curves hold:
    "accuracy", or "r2" for a regression (which has no accuracy: R², 1 is perfect). ``page``
    is the page that trained it, whose settings table ``settings`` follows."""

    run_id: str
    name: str
    settings: Mapping[str, Any]
    state: str
    finished: float  # seconds since the epoch
    wall_seconds: float
    params: int
    changes: str
    epochs: tuple[int, ...]
    loss: tuple[float, ...]
    val_loss: tuple[float, ...]
    accuracy: tuple[float, ...]
    val_accuracy: tuple[float, ...]
    score: str = "accuracy"
    page: str = "build"

    @property
    def epochs_done(self) -> int:
        return len(self.epochs)

    def _last(self, series: Sequence[float]) -> float:
        finite = [value for value in series if math.isfinite(value)]
        return finite[-1] if finite else float("nan")

    @property
    def train_loss(self) -> float:
        return self._last(self.loss)

    @property
    def test_loss(self) -> float:
        return self._last(self.val_loss)

    @property
    def train_accuracy(self) -> float:
        return self._last(self.accuracy)

    @property
    def test_accuracy(self) -> float:
        return self._last(self.val_accuracy)

    def axis_value(self, axis: str) -> float | None:
        """The number a scatter puts on its x axis for this run (``SCATTER_AXES``)."""
        if axis == "params":
            return float(self.params)
        if axis == "epochs" and axis not in self.settings:  # a page without an Epochs setting
            return float(self.epochs_done)
        value = self.settings.get(axis)
        return float(value) if isinstance(value, int | float) else None


def clean_name(text: str, limit: int = NAME_LIMIT) -> str:
    """A name or nickname as typed: one line, no control characters, at most ``limit``."""
    text = "".join(char if char.isprintable() else " " for char in str(text))
    return " ".join(text.split())[:limit]


def record_of(
    run: TrainingRun,
    previous: RunRecord | None,
    name: str = "",
    finished: float | None = None,
) -> RunRecord:
    """The summary of a finished ``run``; ``previous`` is the session's run before it, whose
    settings the changes are measured from."""
    settings = settings_of(run.spec)
    plan = layer_plan(run.spec)
    diff = settings_diff(previous.settings if previous else None, settings)
    history = list(run.history)
    return RunRecord(
        run_id=run.run_id,
        name=clean_name(name) or run.run_id[:8],
        settings=settings,
        state=run.state,
        finished=time.time() if finished is None else finished,
        wall_seconds=float(run.wall_seconds or run.seconds()),
        params=0 if plan.problems else plan.total_params,
        changes="; ".join(str(change) for change in diff),
        epochs=tuple(r.epoch for r in history),
        loss=tuple(float(r.loss) for r in history),
        val_loss=tuple(float(r.val_loss) for r in history),
        accuracy=tuple(float(r.accuracy) for r in history),
        val_accuracy=tuple(float(r.val_accuracy) for r in history),
    )


SCORE_NAMES = {"accuracy": "accuracy", "r2": "R²"}


def summary_row(record: RunRecord) -> dict[str, Any]:
    """One row of the runs table: what a person compares first. A regression's row has R²
    columns where a classifier's has accuracy."""
    score = SCORE_NAMES.get(record.score, record.score)
    return {
        "Name": record.name,
        "When": time.strftime("%H:%M:%S", time.gmtime(record.finished)) + " UTC",
        "Changed": record.changes or "first run",
        "State": record.state,
        "Parameters": record.params,
        "Epochs": record.epochs_done,
        "Time (s)": round(record.wall_seconds, 2),
        "Train loss": _rounded(record.train_loss),
        "Test loss": _rounded(record.test_loss),
        f"Train {score}": _rounded(record.train_accuracy),
        f"Test {score}": _rounded(record.test_accuracy),
    }


def _rounded(value: float) -> float | None:
    return round(value, 4) if math.isfinite(value) else None


def table_columns(records: Sequence[RunRecord]) -> list[str]:
    """The table's columns for these runs, in order: accuracy and R² both when both kinds are
    listed."""
    columns: list[str] = []
    for record in records:
        columns += [c for c in summary_row(record) if c not in columns]
    return columns


def table_csv(records: Sequence[RunRecord], table: SettingsTable = SETTINGS_BY_KEY) -> str:
    """The runs table as CSV text, with every run's settings as extra columns.

    A cell that starts like a formula (``=``, ``+``, ``-``, ``@``) gets a leading apostrophe, so
    a spreadsheet shows a name as text instead of running it."""
    setting_keys = sorted({k for r in records for k in r.settings}, key=_order(table))
    rows = [{**summary_row(r), **{k: r.settings.get(k, "") for k in setting_keys}} for r in records]
    header = table_columns(records) + setting_keys
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", restval="")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def keep_bounded(records: list[RunRecord], record: RunRecord, limit: int) -> list[RunRecord]:
    """``records`` with ``record`` added (replacing one of the same run id), the oldest dropped
    beyond ``limit``."""
    kept = [r for r in records if r.run_id != record.run_id] + [record]
    return kept[-limit:]


def settings_text(settings: Mapping[str, Any]) -> str:
    """A run's settings in one short line: its layers, then how it learned.

    "Dense 128 relu, Dropout 0.25 · adam η 0.001 · batch 256 · 20 epochs"."""
    layers = []
    for slot in range(1, int(settings.get("layers", 0)) + 1):
        kind = settings.get(f"l{slot}_type", "dense")
        if kind == "dense":
            layers.append(f"Dense {settings.get(f'l{slot}_units')} {settings.get(f'l{slot}_act')}")
        elif kind == "conv":
            layers.append(f"Conv {settings.get(f'l{slot}_filters')}")
        elif kind == "pool":
            layers.append("Pool")
        else:
            layers.append(f"Dropout {settings.get(f'l{slot}_rate')}")
    learning = (
        f"{settings.get('opt')} η {_format('lr', settings.get('lr'))} · "
        f"batch {settings.get('batch')} · {settings.get('epochs')} epochs"
    )
    return f"{', '.join(layers) or 'no hidden layer'} · {learning}"
