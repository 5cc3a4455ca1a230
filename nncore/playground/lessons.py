"""The 2D Playground's lessons: setups known to work, each beside its bad twin.

Every lesson's claim holds for its own seed with room to spare (``tests/test_lessons.py`` trains
both setups for the claim's epochs and checks it). The playground has no epoch setting: the
claim names the epoch at which to look, and a lesson's stop rule ends Play right there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from nncore.lessons import Claim, Lesson, lesson_on_screen, lesson_settings, linked_values
from nncore.playground.datasets import DATASETS
from nncore.playground.settings import ALL_SETTINGS, PlaygroundSpec, spec_from_values
from nncore.settings import defaults

BASE = defaults(ALL_SETTINGS)
ALL_FEATURES = {f"f_{key}": True for key in ("x1sq", "x2sq", "x1x2", "sin1", "sin2")}

_LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "xor",
        "XOR needs a hidden layer",
        {"data": "xor", "layers": 1, "l1": 8},
        {"layers": 0},
        "Each hidden neuron draws one straight line across the plane, and the layer after it "
        "combines those lines into the four corners of the XOR. One layer of eight neurons is "
        "enough to put the blue corners on one side and the orange ones on the other.",
        "Without a hidden layer the answer is a single straight line, and no line separates "
        "diagonal corners: the network stays at about half right, no better than a coin.",
        Claim("test_accuracy", 0.3, 100),
    ),
    Lesson(
        "linear",
        "Layers need a curved activation",
        {"data": "circle", "layers": 1, "l1": 4},
        {"act": "linear"},
        "Tanh bends each neuron's answer, so the four neurons' edges curve and together close "
        "around the blue points. Curved activations are what makes hidden layers worth having.",
        "With a linear activation every layer is a straight map, and straight maps of "
        "straight maps are still one straight line: the circle cannot be drawn.",
        Claim("test_accuracy", 0.3, 100),
    ),
    Lesson(
        "spiral",
        "Spirals need depth",
        {
            "data": "spiral",
            "seed": 1,
            "layers": 4,
            "l1": 8,
            "l2": 8,
            "l3": 6,
            "l4": 4,
            **ALL_FEATURES,
            "lr": 0.01,
            "opt": "adam",
        },
        {"layers": 0},
        "Four hidden layers combine the features again and again, so the boundary can wind "
        "between the two arms. Adam sizes each weight's steps for it, which keeps the deep "
        "network learning at a small learning rate.",
        "Without hidden layers the answer is a weighted sum of the features, and no such sum "
        "winds like a spiral: a good share of both arms stays on the wrong side.",
        Claim("test_accuracy", 0.25, 300),
    ),
    Lesson(
        "overfitting",
        "L2 against overfitting",
        {
            "data": "circle",
            "points": 100,
            "noise": 40,
            "seed": 1,
            "layers": 4,
            "l1": 8,
            "l2": 8,
            "l3": 8,
            "l4": 8,
            "reg": "l2",
            "rate": 0.02,
            "show_test": True,
        },
        {"reg": "none"},
        "Fifty noisy training points are too few for four layers of eight neurons, so the L2 "
        "penalty keeps every weight small and the boundary smooth. The network then follows "
        "the circle, not the noise, and its test loss stays low.",
        "Without the penalty the network bends around every noisy training point: its "
        "training loss falls to almost 0 while its test loss climbs.",
        Claim("test_loss", 0.2, 500),
    ),
    Lesson(
        "learning-rate",
        "A learning rate that fits",
        {"data": "plane"},
        {"lr": 1.0},
        "With η = 0.03 every step moves the weights a little way downhill, so the loss falls "
        "and settles near 0. The plane is simple: small steps reach it within a hundred "
        "epochs.",
        "With η = 1 every step overshoots the bottom by more than it had to go, so the "
        "weights swing further each time and the loss runs off to infinity (NaN).",
        Claim("test_loss", 0.1, 100),
    ),
)
# Play stops by itself at the epoch the claim is about, so the class looks at the same moment.
LESSONS = tuple(
    replace(lesson, good={**lesson.good, "stop": "epochs", "stop_epochs": lesson.claim.epochs})
    for lesson in _LESSONS
)
LESSONS_BY_KEY = {lesson.key: lesson for lesson in LESSONS}
LESSON_SETTINGS = lesson_settings(LESSONS)
# What the page reads its link with: its own settings and the lesson a link may name.
LINK_SETTINGS = ALL_SETTINGS + LESSON_SETTINGS


def brought(values: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a link's ``lesson=`` (and ``twin=bad``) brings, for ``read_link``."""
    return linked_values(values, LESSONS, BASE)


def setup(values: Mapping[str, Any]) -> tuple[Any, ...]:
    """What a training depends on: the points and the network. Whether test points are shown
    or the colours discretised is a view, so a lesson stays a lesson when they change."""
    merged = {**BASE, **values}
    classes = DATASETS[merged["data"]].classes
    spec: PlaygroundSpec = spec_from_values(merged, classes)
    if spec.reg == "none":
        spec = replace(spec, rate=0.0)  # a rate without a penalty changes nothing
    return (merged["data"], merged["noise"], merged["train"], merged["points"], spec)


def on_screen(values: Mapping[str, Any]) -> tuple[Lesson, bool] | None:
    """The lesson (and whether its twin) these settings are, if they are one."""
    current = setup(values)
    return lesson_on_screen(LESSONS, BASE, lambda lesson: setup(lesson) == current)
