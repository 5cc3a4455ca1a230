"""Every optimizer the playground offers, declared once: label, colour, Keras class, update rule.

Build & Train compiles the Keras class named here, the generated script writes the same call,
and Gradient Descent runs ``update`` (a numpy copy of Keras 3's ``update_step``, line by line:
epsilon inside or outside the square root, Adam's bias correction folded into the step size,
Adagrad's accumulator starting at 0.1, the float32 rounding Keras applies to the learning
rate). The numpy copies let the descent page redraw in milliseconds without TensorFlow; a test
checks them against ``keras.optimizers`` itself.

The colours are the Okabe–Ito palette: six hues that stay distinct for colour-blind viewers
and on a washed-out projector.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

Array = np.ndarray


def keras_scalar(x: float) -> float:
    """``x`` as a Keras update actually multiplies by it: the learning rate lives in a float32
    variable, and ``ops.cast(python_float, "float64")`` goes through a float32 tensor, so
    Keras uses x rounded to float32 (0.1 → 0.10000000149…) even on float64 variables."""
    return float(np.float32(x))


@dataclass(frozen=True)
class Hyper:
    """Hyperparameters shared by the optimizers; defaults are Keras 3's own except β = 0.9."""

    eta: float = 0.1
    beta: float = 0.9  # SGD momentum
    rho: float = 0.9  # RMSprop
    beta_1: float = 0.9  # Adam
    beta_2: float = 0.999
    epsilon: float = 1e-7
    initial_accumulator_value: float = 0.1  # Adagrad

    @cached_property
    def lr(self) -> float:
        """The learning rate as Keras applies it (from its float32 variable)."""
        return keras_scalar(self.eta)

    @cached_property
    def momentum(self) -> float:
        """SGD's momentum as Keras applies it (``ops.cast(self.momentum, dtype)``)."""
        return keras_scalar(self.beta)

    @cached_property
    def accumulator_start(self) -> float:
        """Adagrad's first accumulator value as Keras's Constant initializer stores it."""
        return keras_scalar(self.initial_accumulator_value)

    @cached_property
    def adam_bases(self) -> tuple[float, float]:
        """β₁ and β₂ as Keras raises them to the power t for Adam's bias correction."""
        return keras_scalar(self.beta_1), keras_scalar(self.beta_2)


# An update rule takes (θ, gradient, state, step number t starting at 1, hyperparameters) and
# returns the new θ; ``state`` is a dict of numpy arrays it may update in place.
Update = Callable[[Array, Array, dict, int, Hyper], Array]


def _slot(state: dict, name: str, like: Array, fill: float = 0.0) -> Array:
    """An optimizer variable, created on the first step like Keras's ``build`` does."""
    if name not in state:
        state[name] = np.full_like(like, fill)
    return state[name]


def _sgd(theta, grad, state, t, h):
    # keras SGD, momentum=0: variable -= gradient * lr
    return theta - grad * h.lr


def _momentum(theta, grad, state, t, h):
    # keras SGD(momentum=β): m = m·β − g·lr; variable += m  (the "heavy ball")
    m = _slot(state, "m", theta)
    m[...] = m * h.momentum - grad * h.lr
    return theta + m


def _nesterov(theta, grad, state, t, h):
    # keras SGD(momentum=β, nesterov=True): m = m·β − g·lr; variable += m·β − g·lr
    m = _slot(state, "m", theta)
    m[...] = m * h.momentum - grad * h.lr
    return theta + (m * h.momentum - grad * h.lr)


def _adagrad(theta, grad, state, t, h):
    # keras Adagrad: acc starts at 0.1 (via float32); acc += g²; variable -= lr·g / sqrt(acc + ε)
    acc = _slot(state, "acc", theta, h.accumulator_start)
    acc += np.square(grad)
    return theta - (h.lr * grad) / np.sqrt(acc + h.epsilon)


def _rmsprop(theta, grad, state, t, h):
    # keras RMSprop: v = ρ·v + (1−ρ)·g²; variable -= lr·g / sqrt(v + ε)   (ε inside the root)
    v = _slot(state, "v", theta)
    v[...] = h.rho * v + (1 - h.rho) * np.square(grad)
    return theta - (h.lr * grad) / np.sqrt(v + h.epsilon)


def _adam(theta, grad, state, t, h):
    # keras Adam: α = lr·sqrt(1−β₂ᵗ)/(1−β₁ᵗ); m += (g−m)(1−β₁); v += (g²−v)(1−β₂);
    # variable -= m·α / (sqrt(v) + ε)   (ε outside the root, bias correction inside α)
    m, v = _slot(state, "m", theta), _slot(state, "v", theta)
    beta_1, beta_2 = h.adam_bases
    alpha = h.lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    m += (grad - m) * (1 - h.beta_1)
    v += (np.square(grad) - v) * (1 - h.beta_2)
    return theta - (m * alpha) / (np.sqrt(v) + h.epsilon)


@dataclass(frozen=True)
class Optimizer:
    """One optimizer: how it is shown, how it updates, and what Keras calls it.

    ``keras_options`` are the constructor arguments beyond the learning rate, as a function of
    the page's hyperparameters (momentum β). ``limit`` is the largest stable η on a quadratic of
    largest curvature L (None for the adaptive methods, whose step length does not scale with
    the slope); ``limit_text`` is how that threshold is written for a student.
    ``descent_default`` says whether Gradient Descent races it when the link does not say.
    """

    key: str
    label: str
    color: str
    update: Update
    keras_class: str
    keras_options: Callable[[Hyper], dict[str, Any]]
    descent_default: bool
    limit: Callable[[float, Hyper], float] | None = None
    limit_text: str = ""

    def keras_arguments(self, hyper: Hyper) -> dict[str, Any]:
        """Every constructor argument: ``learning_rate`` first, then the options."""
        return {"learning_rate": hyper.eta, **self.keras_options(hyper)}

    def keras_call(self, hyper: Hyper | None = None, symbolic: bool = False) -> str:
        """The constructor call as code: ``SGD(learning_rate=0.1, momentum=0.9)``, or with
        ``symbolic`` the letters a student reads (``SGD(learning_rate=η, momentum=β)``)."""
        hyper = hyper or Hyper()
        names = {"learning_rate": "η", "momentum": "β"}
        parts = [
            f"{name}={names.get(name, repr(value)) if symbolic else repr(value)}"
            for name, value in self.keras_arguments(hyper).items()
        ]
        return f"{self.keras_class}({', '.join(parts)})"


OPTIMIZERS: dict[str, Optimizer] = {
    o.key: o
    for o in (
        Optimizer(
            "sgd",
            "SGD (plain gradient descent)",
            "#0072B2",
            _sgd,
            "SGD",
            lambda h: {},
            True,
            lambda L, h: 2.0 / L,
            "2/L",
        ),
        Optimizer(
            "momentum",
            "Momentum",
            "#D55E00",
            _momentum,
            "SGD",
            lambda h: {"momentum": h.beta},
            True,
            lambda L, h: 2.0 * (1 + h.beta) / L,
            "2(1+β)/L",
        ),
        Optimizer(
            "nesterov",
            "Nesterov",
            "#CC79A7",
            _nesterov,
            "SGD",
            lambda h: {"momentum": h.beta, "nesterov": True},
            False,
            lambda L, h: 2.0 * (1 + h.beta) / ((1 + 2 * h.beta) * L),
            "2(1+β)/((1+2β)L)",
        ),
        Optimizer("adagrad", "Adagrad", "#E69F00", _adagrad, "Adagrad", lambda h: {}, False),
        Optimizer("rmsprop", "RMSprop", "#56B4E9", _rmsprop, "RMSprop", lambda h: {}, False),
        Optimizer("adam", "Adam", "#009E73", _adam, "Adam", lambda h: {}, True),
    )
}


def optimizer_choices() -> dict[str, str]:
    """URL value → label, for a setting's ``choices``: the short name (SGD, not SGD (plain
    gradient descent)), which a menu in a narrow column shows whole; the setting's help says
    the rest."""
    return {key: o.label.split(" (")[0] for key, o in OPTIMIZERS.items()}
