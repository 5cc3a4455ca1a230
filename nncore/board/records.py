"""A ``RunRecord`` as the JSON a board keeps, and back, read as untrusted input."""

from __future__ import annotations

import json
import math
from typing import Any

from nncore.board.kinds import RUN_KINDS
from nncore.settings import Setting
from nncore.training.compare import NAME_LIMIT, SCORE_NAMES, RunRecord, clean_name

MAX_EPOCHS = 2_000  # Build's Epochs go to 300, the playground's stop rule to 2000
MAX_TEXT = 2_000  # characters of a run's "changed" text


class MalformedEntry(ValueError):
    """A stored entry that is not what ``to_json`` writes."""


def to_json(record: RunRecord) -> str:
    return json.dumps(
        {
            "run_id": record.run_id,
            "name": record.name,
            "settings": dict(record.settings),
            "state": record.state,
            "finished": record.finished,
            "wall_seconds": record.wall_seconds,
            "params": record.params,
            "changes": record.changes,
            "epochs": list(record.epochs),
            "loss": list(record.loss),
            "val_loss": list(record.val_loss),
            "accuracy": list(record.accuracy),
            "val_accuracy": list(record.val_accuracy),
            "score": record.score,
            "page": record.page,
        }
    )


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise MalformedEntry(what)


def _number(value: Any) -> float:
    _require(isinstance(value, int | float) and not isinstance(value, bool), "not a number")
    return float(value)


def _series(values: Any) -> tuple[float, ...]:
    _require(isinstance(values, list) and len(values) <= MAX_EPOCHS, "bad series")
    return tuple(_number(v) for v in values)


def _settings(values: Any, table: dict[str, Setting]) -> dict[str, Any]:
    """The settings of the record's page, each one a value its control could hold."""
    _require(isinstance(values, dict) and len(values) <= len(table), "bad settings")
    settings: dict[str, Any] = {}
    for key, value in values.items():
        setting = table.get(key)
        _require(setting is not None, "unknown setting")
        assert setting is not None
        if setting.kind == "choice":
            _require(value in setting.choices, "bad choice")
        elif setting.kind == "bool":
            _require(isinstance(value, bool), "not true or false")
        else:
            _require(math.isfinite(_number(value)), "bad value")
        settings[key] = value
    return settings


def from_json(text: str) -> RunRecord:
    try:
        data = json.loads(text)
    except ValueError as problem:
        raise MalformedEntry("not JSON") from problem
    _require(isinstance(data, dict), "not an object")
    # Entries written before boards held playground runs have neither: Build's, accuracy.
    page, score = data.get("page", "build"), data.get("score", "accuracy")
    _require(isinstance(page, str) and page in RUN_KINDS, "unknown page")
    _require(isinstance(score, str) and score in SCORE_NAMES, "unknown score")
    try:
        epochs = tuple(int(_number(e)) for e in _series(data["epochs"]))
        curves = {k: _series(data[k]) for k in ("loss", "val_loss", "accuracy", "val_accuracy")}
        _require(all(len(c) == len(epochs) for c in curves.values()), "uneven curves")
        for key in ("run_id", "name", "state", "changes"):
            _require(isinstance(data[key], str), f"{key} not text")
        return RunRecord(
            run_id=data["run_id"][:64],
            name=clean_name(data["name"], NAME_LIMIT),
            settings=_settings(data["settings"], dict(RUN_KINDS[page].table)),
            state=data["state"][:16],
            finished=_number(data["finished"]),
            wall_seconds=_number(data["wall_seconds"]),
            params=int(_number(data["params"])),
            changes=data["changes"][:MAX_TEXT],
            epochs=epochs,
            loss=curves["loss"],
            val_loss=curves["val_loss"],
            accuracy=curves["accuracy"],
            val_accuracy=curves["val_accuracy"],
            score=score,
            page=page,
        )
    except (KeyError, TypeError, OverflowError) as problem:
        raise MalformedEntry(str(problem)) from problem
