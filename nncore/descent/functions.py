"""The loss surfaces a student can descend: formula, gradient, curvature, region and start.

A table (``FUNCTIONS``) rather than an if-chain, so adding a surface is one entry and every
part of the page (menu, figures, theory, tests) picks it up. Each ``value`` takes an array
namespace (numpy here, ``keras.ops`` in the tests) so TensorFlow can differentiate the very
same expression and check the hand-written gradients.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Function:
    """A loss surface and what the page needs to draw and explain it.

    ``quadratic`` marks surfaces whose curvature is the same everywhere, where the classic
    step-size thresholds (2/L, 2/(L+μ)) hold globally rather than only near a point.
    """

    key: str
    label: str
    dim: int
    value: Callable[..., Any]
    gradient: Callable[..., Array]
    hessian: Callable[..., Array]
    bounds: tuple[tuple[float, float], ...]
    start: tuple[float, ...]
    convex: bool = True
    quadratic: bool = False
    log_contours: bool = False
    formula: str = ""
    note: str = ""

    def center(self) -> Array:
        """The middle of the plotted region; how far a path wandered is measured from here."""
        return np.array([(lo + hi) / 2 for lo, hi in self.bounds])

    def half_width(self) -> Array:
        """Half the plotted region's size along each axis."""
        return np.array([(hi - lo) / 2 for lo, hi in self.bounds])


@dataclass(frozen=True)
class Problem:
    """A function with its shape parameters fixed (curvature a, condition number κ, angle)."""

    function: Function
    params: Mapping[str, float] = field(default_factory=dict)

    @property
    def dim(self) -> int:
        return self.function.dim

    def value(self, x: Any, xp: Any = np) -> Any:
        return self.function.value(x, xp, **self.params)

    def gradient(self, x: Array) -> Array:
        return self.function.gradient(x, **self.params)

    def hessian(self, x: Array) -> Array:
        return self.function.hessian(x, **self.params)


def _softplus(z: Any, xp: Any) -> Any:
    # log(1 + e^z) without overflow; the zero is z·0 so it has z's shape in numpy and keras.ops
    return xp.logaddexp(z * 0.0, z)


def _sigmoid(z: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# a·θ²: the textbook case, curvature 2a everywhere.
def _quad_value(x, xp=np, a=1.0, **_):
    return a * x[..., 0] * x[..., 0]


def _quad_grad(x, a=1.0, **_):
    return 2.0 * a * x


def _quad_hess(x, a=1.0, **_):
    return np.array([[2.0 * a]])


# θ⁴: convex, but its curvature 12θ² vanishes at the bottom, so gradient descent crawls there.
def _quartic_value(x, xp=np, **_):
    return xp.square(xp.square(x[..., 0]))


def _quartic_grad(x, **_):
    return 4.0 * x**3


def _quartic_hess(x, **_):
    return np.array([[12.0 * float(x[0]) ** 2]])


# log cosh θ: like |θ| far away (constant slope), like θ²/2 near 0.
def _logcosh_value(x, xp=np, **_):
    t = x[..., 0]
    return xp.logaddexp(t, -t) - math.log(2.0)


def _logcosh_grad(x, **_):
    return np.tanh(x)


def _logcosh_hess(x, **_):
    return np.array([[1.0 / math.cosh(min(abs(float(x[0])), 350.0)) ** 2]])


# A logistic loss with one weight: eight points no threshold separates, so the minimum is
# finite (separable points would push the weight to infinity).
LOGISTIC_X = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 1.5, -1.5])
LOGISTIC_Y = np.array([-1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0])
LOGISTIC_MARGIN = LOGISTIC_Y * LOGISTIC_X


def _logistic_value(x, xp=np, **_):
    return xp.mean(_softplus(-x[..., 0:1] * LOGISTIC_MARGIN, xp), axis=-1)


def _logistic_grad(x, **_):
    s = _sigmoid(-x[..., 0:1] * LOGISTIC_MARGIN)
    return -np.mean(s * LOGISTIC_MARGIN, axis=-1, keepdims=True)


def _logistic_hess(x, **_):
    s = _sigmoid(-x[0] * LOGISTIC_MARGIN)
    return np.array([[np.mean(s * (1 - s) * LOGISTIC_MARGIN**2)]])


@lru_cache(maxsize=256)  # bounded: links can carry any κ and angle
def bowl_matrix(kappa: float, angle: float) -> Array:
    """The bowl's Hessian R·diag(2, 2/κ)·Rᵀ turned by ``angle`` degrees: κ alone sets how
    narrow the valley is, the angle whether it lines up with the axes (which matters to the
    per-coordinate methods Adagrad, RMSprop and Adam). Read-only, as it is shared."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    rotation = np.array([[c, -s], [s, c]])
    matrix = rotation @ np.diag([2.0, 2.0 / kappa]) @ rotation.T
    matrix.flags.writeable = False
    return matrix


def _bowl_value(x, xp=np, kappa=10.0, angle=30.0, **_):
    return 0.5 * xp.sum(x * xp.matmul(x, bowl_matrix(kappa, angle)), axis=-1)


def _bowl_grad(x, kappa=10.0, angle=30.0, **_):
    return x @ bowl_matrix(kappa, angle)  # symmetric, so this works on rows of points


def _bowl_hess(x, kappa=10.0, angle=30.0, **_):
    return bowl_matrix(kappa, angle)


def _logreg_data() -> tuple[Array, Array]:
    """Two overlapping clouds of 20 points: a loss a real model minimises, with a finite
    minimum and curved level sets."""
    rng = np.random.default_rng(7)
    n = 20
    features = np.vstack(
        [rng.normal((1.0, 0.4), 1.0, (n, 2)), rng.normal((-1.0, -0.4), 1.0, (n, 2))]
    )
    return features, np.concatenate([np.ones(n), -np.ones(n)])


LOGREG_X, LOGREG_Y = _logreg_data()
LOGREG_MARGIN = LOGREG_Y[:, None] * LOGREG_X  # rows y_i·x_i
LOGREG_L2 = 0.01


def _logreg_value(x, xp=np, **_):
    z = -xp.matmul(x, LOGREG_MARGIN.T)
    return xp.mean(_softplus(z, xp), axis=-1) + 0.5 * LOGREG_L2 * xp.sum(x * x, axis=-1)


def _logreg_grad(x, **_):
    s = _sigmoid(-(x @ LOGREG_MARGIN.T))
    return -(s @ LOGREG_MARGIN) / len(LOGREG_MARGIN) + LOGREG_L2 * x


def _logreg_hess(x, **_):
    s = _sigmoid(-(LOGREG_MARGIN @ x))
    weights = s * (1 - s) / len(s)
    return (LOGREG_MARGIN.T * weights) @ LOGREG_MARGIN + LOGREG_L2 * np.eye(2)


# Rosenbrock's banana valley: not convex, the standard trap for plain gradient descent.
def _rosen_value(x, xp=np, **_):
    a, b = x[..., 0], x[..., 1]
    return xp.square(1.0 - a) + 100.0 * xp.square(b - a * a)


def _rosen_grad(x, **_):
    a, b = x[..., 0], x[..., 1]
    return np.stack([-2.0 * (1.0 - a) - 400.0 * a * (b - a * a), 200.0 * (b - a * a)], -1)


def _rosen_hess(x, **_):
    a, b = x
    return np.array([[2.0 - 400.0 * (b - 3.0 * a * a), -400.0 * a], [-400.0 * a, 200.0]])


FUNCTIONS: dict[str, Function] = {
    f.key: f
    for f in (
        Function(
            "quadratic",
            "1D · quadratic a·θ²",
            1,
            _quad_value,
            _quad_grad,
            _quad_hess,
            ((-3.0, 3.0),),
            (2.5,),
            quadratic=True,
            formula=r"f(\theta) = a\,\theta^2",
            note="The same bend everywhere (f″ = 2a), so the step-size rules hold exactly.",
        ),
        Function(
            "quartic",
            "1D · quartic θ⁴",
            1,
            _quartic_value,
            _quartic_grad,
            _quartic_hess,
            ((-2.0, 2.0),),
            (1.5,),
            formula=r"f(\theta) = \theta^4",
            note="Convex, but flat at the bottom (f″ = 12θ² → 0): progress slows to a crawl.",
        ),
        Function(
            "logcosh",
            "1D · log-cosh",
            1,
            _logcosh_value,
            _logcosh_grad,
            _logcosh_hess,
            ((-6.0, 6.0),),
            (5.0,),
            formula=r"f(\theta) = \log\cosh\theta",
            note="Slope ±1 far away (like |θ|), a parabola near 0: the Huber idea, smooth.",
        ),
        Function(
            "logistic",
            "1D · logistic loss",
            1,
            _logistic_value,
            _logistic_grad,
            _logistic_hess,
            ((-3.0, 4.0),),
            (-2.5,),
            formula=r"f(w) = \tfrac1n\sum_i \log\left(1 + e^{-y_i w x_i}\right)",
            note="One weight, eight points that no threshold separates: a real model's loss.",
        ),
        Function(
            "bowl",
            "2D · quadratic bowl (κ, angle)",
            2,
            _bowl_value,
            _bowl_grad,
            _bowl_hess,
            ((-3.0, 3.0), (-3.0, 3.0)),
            (-2.5, 2.0),
            quadratic=True,
            formula=r"f(\theta) = \tfrac12\,\theta^\top A\,\theta,\ "
            r"A = R_\varphi \,\mathrm{diag}(2, 2/\kappa)\, R_\varphi^\top",
            note="A valley κ times steeper across than along: a large κ makes it long and "
            "narrow, and gradient descent zigzags.",
        ),
        Function(
            "logreg",
            "2D · logistic regression loss",
            2,
            _logreg_value,
            _logreg_grad,
            _logreg_hess,
            ((-3.0, 5.0), (-4.0, 4.0)),
            (-2.0, -3.0),
            formula=r"f(w) = \tfrac1n\sum_i \log\left(1 + e^{-y_i\, w^\top x_i}\right)"
            r" + \tfrac{\lambda}{2}\lVert w\rVert^2",
            note="Two weights, 40 overlapping points, λ = 0.01: convex, curvature varies.",
        ),
        Function(
            "rosenbrock",
            "2D · Rosenbrock (NOT convex)",
            2,
            _rosen_value,
            _rosen_grad,
            _rosen_hess,
            ((-2.0, 2.0), (-1.0, 3.0)),
            (-1.5, 2.5),
            convex=False,
            log_contours=True,
            formula=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
            note="A curved valley, very steep across and nearly flat along its floor.",
        ),
    )
}

# The shape parameters each function reads (the page shows only those controls).
FUNCTION_PARAMS: dict[str, tuple[str, ...]] = {"quadratic": ("a",), "bowl": ("kappa", "angle")}


def make_problem(key: str, values: Mapping[str, Any]) -> Problem:
    """The function ``key`` with the shape parameters it uses taken from ``values``."""
    used = FUNCTION_PARAMS.get(key, ())
    return Problem(FUNCTIONS[key], {p: float(values[p]) for p in used if p in values})


def numeric_gradient(problem: Problem, x: Array, h: float = 1e-6) -> Array:
    """Central finite differences: an independent check of every hand-written gradient."""
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (problem.value(x + step) - problem.value(x - step)) / (2 * h)
    return grad


# Minima known in closed form: Rosenbrock's valley ends at (1, 1); θ⁴ has a zero Hessian at
# its minimum, where Newton's method would have nothing to divide by.
KNOWN_MINIMA: dict[str, tuple[float, ...]] = {"rosenbrock": (1.0, 1.0), "quartic": (0.0,)}


@lru_cache(maxsize=256)
def _minimum_cached(key: str, params: tuple[tuple[str, float], ...]) -> tuple[float, ...]:
    if key in KNOWN_MINIMA:
        return KNOWN_MINIMA[key]
    problem = Problem(FUNCTIONS[key], dict(params))
    x = np.zeros(problem.dim)
    # Newton with step halving: the others are smooth and strictly convex, so a few dozen
    # steps reach machine precision.
    for _ in range(200):
        direction = np.linalg.solve(problem.hessian(x), problem.gradient(x))
        step = 1.0
        while problem.value(x - step * direction) > problem.value(x) and step > 1e-12:
            step /= 2
        x = x - step * direction
        if np.max(np.abs(step * direction)) < 1e-15:
            break
    return tuple(float(v) for v in x)


def minimum(problem: Problem) -> Array:
    """θ*, where the function is smallest: the target every path is judged against."""
    return np.array(_minimum_cached(problem.function.key, tuple(sorted(problem.params.items()))))


def min_value(problem: Problem) -> float:
    """f(θ*): the loss panel plots f − f*, so every curve heads for zero on a log axis."""
    return float(problem.value(minimum(problem)))
