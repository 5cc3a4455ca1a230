"""Every control of the /descent page, declared once: the widgets, the URL parameters and
their validation are all derived from these ``Setting`` objects.

Also the few rules that turn the page's values into what the maths needs (the start point,
the hyperparameters, the chosen optimizers) and into a short link (only what matters).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from nncore.descent.explain import gloss, short_label
from nncore.descent.functions import FUNCTION_PARAMS, FUNCTIONS, Array, Problem
from nncore.optimizers import OPTIMIZERS, Hyper
from nncore.settings import Setting

FUNCTION_SETTING = Setting(
    "fn",
    "Function",
    "choice",
    "quadratic",
    choices={key: f.label for key, f in FUNCTIONS.items()},
    help="1D functions show the curve and tangent lines; 2D ones show contour lines.",
)
SHAPE_SETTINGS = (
    Setting(
        "a",
        "Curvature a (f = a·θ²)",
        "float",
        1.0,
        0.1,
        5.0,
        0.1,
        help="f''(θ) = 2a: a larger a bends the curve more, so steps must be shorter.",
    ),
    Setting(
        "kappa",
        "Condition number κ",
        "float",
        10.0,
        1.0,
        100.0,
        log=True,
        help="How many times steeper the bowl is across its valley than along it.",
    ),
    Setting(
        "angle",
        "Rotation of the bowl (degrees)",
        "float",
        30.0,
        0.0,
        180.0,
        5.0,
        help="Turns the valley; Adagrad, RMSprop and Adam behave differently when the "
        "valley is not aligned with the axes.",
    ),
)
ETA_SETTING = Setting(
    "eta",
    "Learning rate η",
    "float",
    0.1,
    1e-4,
    10.0,
    log=True,
    help="The same η for every optimizer, as keras.optimizers' learning_rate.",
)
RUN_SETTINGS = (
    Setting("steps", "Steps", "int", 50, 1, 500, 1),
    Setting(
        "beta",
        "Momentum β",
        "float",
        0.9,
        0.0,
        0.99,
        0.01,
        help="Momentum and Nesterov: how much of the previous step is kept.",
    ),
)


def _optimizer_toggle(key: str) -> Setting:
    """A switch per optimizer, named short so a narrow column does not cut it off; the help
    says the rest and the Keras call."""
    keras_call = f"keras.optimizers.{OPTIMIZERS[key].keras_call(symbolic=True)}"
    help_text = " · ".join(filter(None, (gloss(key), keras_call)))
    return Setting(key, short_label(key), "bool", OPTIMIZERS[key].descent_default, help=help_text)


OPTIMIZER_SETTINGS = tuple(_optimizer_toggle(key) for key in OPTIMIZERS)
START_SETTINGS = (
    Setting(
        "custom_start",
        "Choose the start point",
        "bool",
        False,
        help="Off: each function's own start point.",
    ),
    Setting("start1", "Start θ₁", "float", 2.0, -5.0, 5.0, 0.1),
    Setting("start2", "Start θ₂ (2D)", "float", 2.0, -5.0, 5.0, 0.1),
)
VIEW_SETTINGS = (
    Setting(
        "view",
        "2D view",
        "choice",
        "contour",
        choices={"contour": "Contour lines", "surface": "3D surface"},
    ),
    Setting(
        "t",
        "Step to write out",
        "int",
        0,
        0,
        499,
        1,
        help="Which gradient-descent step the worked example below shows.",
    ),
)

DESCENT_SETTINGS: tuple[Setting, ...] = (
    FUNCTION_SETTING,
    *SHAPE_SETTINGS,
    ETA_SETTING,
    *RUN_SETTINGS,
    *OPTIMIZER_SETTINGS,
    *START_SETTINGS,
    *VIEW_SETTINGS,
)
SETTINGS_BY_KEY: dict[str, Setting] = {s.key: s for s in DESCENT_SETTINGS}


def start_point(problem: Problem, values: Mapping[str, Any]) -> Array:
    """The chosen start, or the function's own one (picked to show its character)."""
    if values.get("custom_start"):
        return np.array([values["start1"], values["start2"]][: problem.dim], dtype=float)
    return np.array(problem.function.start, dtype=float)


def hyper_from(values: Mapping[str, Any]) -> Hyper:
    """The page's η and β; everything else stays at Keras's defaults, as the page says."""
    return Hyper(eta=float(values["eta"]), beta=float(values["beta"]))


def chosen_optimizers(values: Mapping[str, Any]) -> list[str]:
    """The switched-on optimizers, in the table's order (which fixes colours and legend)."""
    return [key for key in OPTIMIZERS if values.get(key)]


def relevant_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The settings that change the picture, so a shared link carries only those."""
    fn = values["fn"]
    unused = {s.key for s in SHAPE_SETTINGS} - set(FUNCTION_PARAMS.get(fn, ()))
    if not values.get("custom_start"):
        unused |= {"start1", "start2"}
    if FUNCTIONS[fn].dim == 1:
        unused |= {"start2", "view"}
    if not (values.get("momentum") or values.get("nesterov")):
        unused.add("beta")
    return {k: v for k, v in values.items() if k not in unused}
