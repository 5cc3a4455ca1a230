"""The kinds of run a board holds, one per page that trains, declared once.

A run shared from Build & Train holds Build's settings and learned MNIST digits; one from the 2D
Playground holds the playground's settings and learned one of its datasets. Each kind says how
its settings are checked when read back, described in one line, placed on a scatter, and which
task the run is ranked in: a test accuracy on the spiral says nothing about one on the digits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from nncore.network.settings import SETTINGS_BY_KEY as BUILD_SETTINGS
from nncore.playground.runs import PLAYGROUND_AXES, playground_settings_text, task_label
from nncore.playground.settings import SETTINGS_BY_KEY as PLAYGROUND_SETTINGS
from nncore.settings import Setting
from nncore.training.compare import SCATTER_AXES, RunRecord, settings_text


@dataclass(frozen=True)
class RunKind:
    """One page's runs: its settings table, its scatter axes, its one-line description and the
    task a run of it is ranked in."""

    page: str
    table: Mapping[str, Setting]
    axes: Mapping[str, str]
    describe: Callable[[Mapping[str, Any]], str]
    task: Callable[[Mapping[str, Any]], str]


RUN_KINDS: dict[str, RunKind] = {
    kind.page: kind
    for kind in (
        RunKind(
            "build",
            BUILD_SETTINGS,
            SCATTER_AXES,
            settings_text,
            lambda settings: "MNIST digits",
        ),
        RunKind(
            "playground",
            PLAYGROUND_SETTINGS,
            PLAYGROUND_AXES,
            playground_settings_text,
            task_label,
        ),
    )
}


def kind_of(record: RunRecord) -> RunKind:
    """The kind of ``record`` (Build's for a page this table does not know)."""
    return RUN_KINDS.get(record.page, RUN_KINDS["build"])


def task_of(record: RunRecord) -> str:
    """The task ``record`` is ranked in: "MNIST digits", "2D Spiral (2 classes)"…"""
    return kind_of(record).task(record.settings)


def tasks_by_size(records: list[RunRecord]) -> dict[str, int]:
    """The tasks these runs learned and how many runs each, the one with most runs first (ties:
    the one seen first), so a board opens on what most of the class did."""
    counts: dict[str, int] = {}
    for record in records:
        task = task_of(record)
        counts[task] = counts.get(task, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))
