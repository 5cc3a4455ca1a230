"""Lessons: a setup known to work, its bad twin, and the sentences that say why.

A lesson is the smallest experiment that teaches one thing: the good setup, and the same setup
with exactly one setting broken. Beside them, two sentences on why the good one works, one on
what goes wrong in the twin, and a claim about what training shows, which the tests check by
training both. Each page family declares its lessons once, as settings over the page's
defaults (``nncore/playground/lessons.py``, ``nncore/training/lessons.py``); the buttons, the
links (``lesson=<key>``, ``&twin=bad``) and the tests all read those tables.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from nncore.settings import Setting

Metric = Literal["test_accuracy", "test_loss", "train_loss"]
METRIC_NAMES: dict[str, str] = {
    "test_accuracy": "test accuracy",
    "test_loss": "test loss",
    "train_loss": "training loss",
}
NO_LESSON = "none"
GOOD, BAD = "good", "bad"


@dataclass(frozen=True)
class Outcome:
    """What a training ended with: the numbers a claim compares."""

    train_loss: float
    test_loss: float
    test_accuracy: float

    def score(self, metric: Metric) -> float:
        """``metric`` as a number where higher is better.

        A loss that ran off to infinity (NaN) is the worst possible, so a twin that diverges
        loses any comparison instead of making it undecidable.
        """
        value = getattr(self, metric)
        if metric == "test_accuracy":
            return value if math.isfinite(value) else 0.0
        return -value if math.isfinite(value) else -math.inf


@dataclass(frozen=True)
class Claim:
    """What a student sees after ``epochs`` epochs: the good setup's ``metric`` beats its bad
    twin's by at least ``by`` (accuracy as a fraction, losses in their own units)."""

    metric: Metric
    by: float
    epochs: int

    def holds(self, good: Outcome, bad: Outcome) -> bool:
        """Whether two trainings show what the lesson says."""
        return good.score(self.metric) - bad.score(self.metric) >= self.by

    def amount(self) -> str:
        """The margin as a student reads it: points of accuracy, or a loss difference."""
        if self.metric == "test_accuracy":
            return f"{round(self.by * 100)} points"
        return f"{self.by:g}"

    def sentence(self, twin: bool) -> str:
        """The claim from one side: the good setup's view, or the twin's."""
        name = METRIC_NAMES[self.metric]
        better = "higher" if self.metric == "test_accuracy" else "lower"
        worse = "lower" if self.metric == "test_accuracy" else "higher"
        if twin:
            return (
                f"After {self.epochs} epochs its {name} is at least {self.amount()} {worse} "
                "than the good setup's."
            )
        return (
            f"After {self.epochs} epochs its {name} is at least {self.amount()} {better} than "
            "the bad twin's."
        )


@dataclass(frozen=True)
class Lesson:
    """One lesson: ``good`` (settings over the page's defaults), the one setting ``broken`` in
    its twin, two sentences on ``why`` the good one works and one on what goes ``wrong``."""

    key: str  # the link's name for it: lesson=<key>
    title: str
    good: Mapping[str, Any]
    broken: Mapping[str, Any]
    why: str
    wrong: str
    claim: Claim

    def values(self, base: Mapping[str, Any], twin: bool = False) -> dict[str, Any]:
        """Every setting of the good setup (or of its twin), over the page's defaults ``base``."""
        return {**base, **self.good, **(self.broken if twin else {})}

    def change(self, settings: Mapping[str, Setting]) -> str:
        """The twin's one change in words: "Hidden layers: 0 instead of 1"."""
        ((key, bad),) = self.broken.items()
        setting = settings[key]
        good = self.good.get(key, setting.default)
        return f"{setting.label}: {shown(setting, bad)} instead of {shown(setting, good)}"


def shown(setting: Setting, value: Any) -> str:
    """A setting's value as its control shows it (a choice's label, a number's short form)."""
    if setting.kind == "choice":
        return setting.choices.get(value, str(value))
    if setting.kind == "bool":
        return "on" if value else "off"
    return setting.format(value)


def lesson_settings(lessons: Sequence[Lesson]) -> tuple[Setting, Setting]:
    """The link's ``lesson=<key>`` and ``twin=bad``, declared like every other setting, so a
    mistyped name is reported the way a mistyped value is."""
    return (
        Setting(
            "lesson",
            "Lessons",
            "choice",
            NO_LESSON,
            choices={NO_LESSON: "No lesson", **{lesson.key: lesson.title for lesson in lessons}},
            help="A setup known to work, or its bad twin: the same with one setting broken.",
        ),
        Setting(
            "twin",
            "Which setup",
            "choice",
            GOOD,
            choices={GOOD: "the setup that works", BAD: "its bad twin"},
        ),
    )


def linked_values(
    values: Mapping[str, Any], lessons: Sequence[Lesson], base: Mapping[str, Any]
) -> dict[str, Any]:
    """The settings a link's ``lesson=`` brings (none without one). The link's own settings
    are applied over them by the caller, so ``lesson=xor&seed=3`` is the lesson on seed 3."""
    key = values.get("lesson", NO_LESSON)
    lesson = next((lesson for lesson in lessons if lesson.key == key), None)
    if lesson is None:
        return {}
    return lesson.values(base, twin=values.get("twin", GOOD) == BAD)


def lesson_on_screen(
    lessons: Sequence[Lesson],
    base: Mapping[str, Any],
    same: Callable[[Mapping[str, Any]], bool],
) -> tuple[Lesson, bool] | None:
    """The lesson whose good setup (False) or twin (True) is the one on screen, if any.

    ``same`` says whether a lesson's values are the setup on screen; each page decides what
    counts (the network and its data, not a view option such as showing the test points).
    """
    for lesson in lessons:
        for twin in (False, True):
            if same(lesson.values(base, twin)):
                return lesson, twin
    return None
