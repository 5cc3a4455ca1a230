"""Build & Train's lessons: setups known to work on the bundled digits, each beside its bad twin.

Each is small enough to train in seconds (the default 1,000 rows, at most 20 epochs), and its
claim holds with room to spare: ``tests/test_lessons.py`` trains both setups with the epoch
engine and checks it. A lesson's claim is about the epochs the setup itself trains for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from nncore.lessons import Claim, Lesson, lesson_on_screen, lesson_settings, linked_values
from nncore.network.settings import (
    ALL_SETTINGS,
    SETTINGS_BY_KEY,
    spec_from_values,
    spec_values,
    type_defaults,
)
from nncore.network.spec import DEFAULT_SPEC
from nncore.settings import Setting

BASE = spec_values(DEFAULT_SPEC)
SMALL_CONV = {
    "layers": 3,
    "l1_type": "conv",
    "l1_filters": 8,
    "l1_act": "relu",
    "l1_init": "he_normal",
    "l2_type": "pool",
    "l3_type": "dense",
    "l3_units": 32,
    "l3_act": "relu",
    "l3_init": "he_normal",
    "batch": 32,
    "epochs": 10,
}

LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "learning-rate",
        "A learning rate that fits",
        {"epochs": 20},
        {"lr": 1.0},
        "The notebook's network with Adam at η = 0.001: every step moves each weight a little "
        "way downhill. Twenty epochs of such steps bring it to more than eight digits in ten.",
        "With η = 1 the first steps throw the weights so far that the sigmoid and tanh neurons "
        "saturate, and the network answers at chance (one digit in ten).",
        Claim("test_accuracy", 0.5, 20),
    ),
    Lesson(
        "batch-size",
        "Small batches, many steps",
        {"epochs": 10, "batch": 32},
        {"batch": 1000},
        "The weights take one step per batch: 800 training rows in batches of 32 are 25 steps "
        "an epoch, 250 in ten epochs. That is enough steps to learn the digits well.",
        "A batch of 1,000 holds every training row, so an epoch is a single step and ten "
        "epochs only ten: the network has barely started.",
        Claim("test_accuracy", 0.15, 10),
    ),
    Lesson(
        "zero-weights",
        "Random starting weights",
        {"epochs": 20, "l1_act": "relu", "l2_act": "relu"},
        {"l1_init": "zeros"},
        "Glorot's random starting weights give every relu neuron its own direction, so each "
        "learns something different. Two relu layers then reach more than eight digits in ten.",
        "With all-zero weights the first layer's relu neurons all output 0, whose slope is 0, "
        "so no gradient reaches them and the network answers at chance.",
        Claim("test_accuracy", 0.5, 20),
    ),
    Lesson(
        "conv-activation",
        "Convolutions need relu",
        SMALL_CONV,
        {"l1_act": "sigmoid"},
        "Eight 3×3 filters with relu pass on the strokes they find and stay silent elsewhere, "
        "and He-normal starting weights suit relu. Ten epochs of this small CNN reach more "
        "than eight digits in ten.",
        "A sigmoid convolution outputs about 0.5 everywhere, stroke or not, and its gradient is "
        "small: after ten epochs the network still gets most digits wrong.",
        Claim("test_accuracy", 0.3, 10),
    ),
)
LESSONS_BY_KEY = {lesson.key: lesson for lesson in LESSONS}
LESSON_SETTINGS = lesson_settings(LESSONS)
# What the page reads its link with: its own settings and the lesson a link may name.
LINK_SETTINGS = ALL_SETTINGS + LESSON_SETTINGS


def labels() -> dict[str, Setting]:
    """The settings by key, a layer's field named with its layer ("Layer 1 activation"), for
    the sentence that says what the twin changed."""
    named = dict(SETTINGS_BY_KEY)
    for key, setting in named.items():
        if key[0] == "l" and "_" in key and key[1:].split("_")[0].isdigit():
            layer = key[1:].split("_")[0]
            named[key] = replace(setting, label=f"Layer {layer} {setting.label.lower()}")
    return named


def brought(values: Mapping[str, Any]) -> dict[str, Any]:
    """What a link brings besides its own settings: a lesson's settings (``lesson=``), and what
    a layer type named in the link brings (a Conv2D is relu), as ``type_defaults`` says."""
    return {**linked_values(values, LESSONS, BASE), **type_defaults(values)}


def on_screen(values: Mapping[str, Any]) -> tuple[Lesson, bool] | None:
    """The lesson (and whether its twin) these settings are: the same network and training."""
    current = spec_from_values(values)
    return lesson_on_screen(LESSONS, BASE, lambda lesson: spec_from_values(lesson) == current)
