"""Gradient descent on convex functions: the functions, their gradients, Keras-exact optimizers.

The page shows a student what ``θ ← θ − η·∂f/∂θ`` does, so every path here must be the path a
real ``keras.optimizers`` instance would take: the optimizer updates below follow the Keras 3
``update_step`` code line by line (epsilon inside or outside the square root, Adam's bias
correction folded into the step size, Adagrad's accumulator starting at 0.1, and the float32
rounding Keras applies to the learning rate and cast hyperparameters). They run in numpy
because the page must redraw in well under a second and must not import TensorFlow; the tests
check them against Keras itself.

Everything is table-driven: ``FUNCTIONS`` maps a name to a ``Function`` (value, gradient,
Hessian, plotted region, start), ``OPTIMIZERS`` maps a name to an ``Optimizer`` (label, colour,
update rule, Keras equivalent, stability limit on a quadratic). ``DESCENT_SETTINGS`` declares
every control of the page once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from nncore.settings import Setting

Array = np.ndarray
# Plotted half-widths a path may wander from the centre before it counts as diverged: the
# view widens to show a path up to there, further away the picture would be all empty space.
FAR = 4.0


# ---------------------------------------------------------------- functions


@dataclass(frozen=True)
class Function:
    """A loss surface: its formula and everything the page needs to draw and explain it.

    ``value`` takes points with the coordinates on the last axis and an array namespace
    (``numpy`` here, ``keras.ops`` in the tests) so the very same expression can be
    differentiated by TensorFlow to check ``gradient``. ``hessian`` gives the curvature that
    decides which step sizes are stable. ``quadratic`` is true when that curvature is the same
    everywhere, so the classic step-size theory (2/L, 2/(L+μ)) holds globally.
    """

    key: str
    label: str
    dim: int
    value: Callable[..., Any]
    gradient: Callable[[Array], Array]
    hessian: Callable[[Array], Array]
    bounds: tuple[tuple[float, float], ...]
    start: tuple[float, ...]
    convex: bool = True
    quadratic: bool = False
    log_contours: bool = False
    formula: str = ""
    note: str = ""

    def center(self) -> Array:
        """The middle of the plotted region; divergence is measured from here."""
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
    """log(1 + e^z) without overflow: logaddexp(0, z) is exact for large |z|. The zero is
    written ``z * 0.0`` so it has z's shape and dtype in numpy and in keras.ops alike."""
    return xp.logaddexp(z * 0.0, z)


def _sigmoid(z: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# 1D quadratic a·θ²: the textbook case, curvature 2a everywhere.
def _quad_value(x, xp=np, a=1.0, **_):
    return a * x[..., 0] * x[..., 0]


def _quad_grad(x, a=1.0, **_):
    return 2.0 * a * x


def _quad_hess(x, a=1.0, **_):
    return np.array([[2.0 * a]])


# Quartic θ⁴: convex but its curvature 12θ² vanishes at the bottom, so GD crawls there.
def _quartic_value(x, xp=np, **_):
    return xp.square(xp.square(x[..., 0]))


def _quartic_grad(x, **_):
    return 4.0 * x**3


def _quartic_hess(x, **_):
    return np.array([[12.0 * float(x[0]) ** 2]])


# log-cosh: |θ| far away (constant slope), θ²/2 near 0 (the Huber idea, but smooth).
def _logcosh_value(x, xp=np, **_):
    t = x[..., 0]
    return xp.logaddexp(t, -t) - math.log(2.0)


def _logcosh_grad(x, **_):
    return np.tanh(x)


def _logcosh_hess(x, **_):
    return np.array([[1.0 / math.cosh(min(abs(float(x[0])), 350.0)) ** 2]])


# A logistic loss: one weight w, eight points x with labels ±1 that no threshold separates,
# so the loss has a finite minimum (a separable set would push w to infinity).
LOGISTIC_X = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 1.5, -1.5])
LOGISTIC_Y = np.array([-1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0])
LOGISTIC_MARGIN = LOGISTIC_Y * LOGISTIC_X


def _logistic_value(x, xp=np, **_):
    z = -x[..., 0:1] * LOGISTIC_MARGIN  # (..., 1) * (n,) -> (..., n)
    return xp.mean(_softplus(z, xp), axis=-1)


def _logistic_grad(x, **_):
    s = _sigmoid(-x[..., 0:1] * LOGISTIC_MARGIN)
    return -np.mean(s * LOGISTIC_MARGIN, axis=-1, keepdims=True)


def _logistic_hess(x, **_):
    s = _sigmoid(-x[0] * LOGISTIC_MARGIN)
    return np.array([[np.mean(s * (1 - s) * LOGISTIC_MARGIN**2)]])


# 2D quadratic bowl ½θᵀAθ with eigenvalues L = 2 and μ = 2/κ, turned by an angle: the
# condition number κ = L/μ is what makes gradient descent zigzag.
@lru_cache(maxsize=256)  # bounded: links can carry any κ and angle
def bowl_matrix(kappa: float, angle: float) -> Array:
    """A = R·diag(2, 2/κ)·Rᵀ: the Hessian of the bowl, rotated by ``angle`` degrees.

    Cached (and read-only) because every gradient step needs it."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    rotation = np.array([[c, -s], [s, c]])
    matrix = rotation @ np.diag([2.0, 2.0 / kappa]) @ rotation.T
    matrix.flags.writeable = False
    return matrix


def _bowl_value(x, xp=np, kappa=10.0, angle=30.0, **_):
    matrix = bowl_matrix(kappa, angle)
    return 0.5 * xp.sum(x * xp.matmul(x, matrix), axis=-1)


def _bowl_grad(x, kappa=10.0, angle=30.0, **_):
    return x @ bowl_matrix(kappa, angle)  # A is symmetric; works on rows of points


def _bowl_hess(x, kappa=10.0, angle=30.0, **_):
    return bowl_matrix(kappa, angle)


# Logistic regression with two weights on a fixed, overlapping two-class data set, with a
# small L2 penalty: the loss a real model minimises, convex, with curved elliptic level sets.
def _logreg_data() -> tuple[Array, Array]:
    rng = np.random.default_rng(7)
    n = 20
    features = np.vstack(
        [rng.normal((1.0, 0.4), 1.0, (n, 2)), rng.normal((-1.0, -0.4), 1.0, (n, 2))]
    )
    labels = np.concatenate([np.ones(n), -np.ones(n)])
    return features, labels


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
            "quadratic", "1D · quadratic a·θ²", 1, _quad_value, _quad_grad, _quad_hess,
            ((-3.0, 3.0),), (2.5,), quadratic=True, formula=r"f(\theta) = a\,\theta^2",
            note="Curvature 2a everywhere: the step-size theory holds exactly.",
        ),
        Function(
            "quartic", "1D · quartic θ⁴", 1, _quartic_value, _quartic_grad, _quartic_hess,
            ((-2.0, 2.0),), (1.5,), formula=r"f(\theta) = \theta^4",
            note="Convex, but flat at the bottom (curvature 12θ² → 0): progress slows to a crawl.",
        ),
        Function(
            "logcosh", "1D · log-cosh", 1, _logcosh_value, _logcosh_grad, _logcosh_hess,
            ((-6.0, 6.0),), (5.0,), formula=r"f(\theta) = \log\cosh\theta",
            note="Slope ±1 far away (like |θ|), quadratic near 0: the Huber idea, smooth.",
        ),
        Function(
            "logistic", "1D · logistic loss", 1, _logistic_value, _logistic_grad,
            _logistic_hess, ((-3.0, 4.0),), (-2.5,),
            formula=r"f(w) = \tfrac1n\sum_i \log\left(1 + e^{-y_i w x_i}\right)",
            note="One weight, eight points that no threshold separates: a real model's loss.",
        ),
        Function(
            "bowl", "2D · quadratic bowl (κ, angle)", 2, _bowl_value, _bowl_grad, _bowl_hess,
            ((-3.0, 3.0), (-3.0, 3.0)), (-2.5, 2.0), quadratic=True,
            formula=r"f(\theta) = \tfrac12\,\theta^\top A\,\theta,\ "
            r"A = R_\varphi \,\mathrm{diag}(2, 2/\kappa)\, R_\varphi^\top",
            note="Curvatures L = 2 and μ = 2/κ: a large κ makes a long narrow valley.",
        ),
        Function(
            "logreg", "2D · logistic regression loss", 2, _logreg_value, _logreg_grad,
            _logreg_hess, ((-3.0, 5.0), (-4.0, 4.0)), (-2.0, -3.0),
            formula=r"f(w) = \tfrac1n\sum_i \log\left(1 + e^{-y_i\, w^\top x_i}\right)"
            r" + \tfrac{\lambda}{2}\lVert w\rVert^2",
            note="Two weights, 40 overlapping points, λ = 0.01: convex, curvature varies.",
        ),
        Function(
            "rosenbrock", "2D · Rosenbrock (NOT convex)", 2, _rosen_value, _rosen_grad,
            _rosen_hess, ((-2.0, 2.0), (-1.0, 3.0)), (-1.5, 2.5), convex=False,
            log_contours=True, formula=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
            note="A curved valley, steep across (curvature up to ~1000) and nearly flat along.",
        ),
    )
}  # fmt: skip


FUNCTION_PARAMS: dict[str, tuple[str, ...]] = {
    "quadratic": ("a",),
    "bowl": ("kappa", "angle"),
}


def make_problem(key: str, values: Mapping[str, Any]) -> Problem:
    """The function ``key`` with the shape parameters it uses taken from ``values``."""
    return Problem(
        FUNCTIONS[key], {p: float(values[p]) for p in FUNCTION_PARAMS.get(key, ()) if p in values}
    )


def numeric_gradient(problem: Problem, x: Array, h: float = 1e-6) -> Array:
    """Central finite differences: the independent check of every analytic gradient."""
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (problem.value(x + step) - problem.value(x - step)) / (2 * h)
    return grad


# Minima known in closed form: Rosenbrock's valley floor ends at (1, 1); θ⁴ has a zero
# Hessian at 0, where Newton's method would have nothing to divide by.
KNOWN_MINIMA: dict[str, tuple[float, ...]] = {"rosenbrock": (1.0, 1.0), "quartic": (0.0,)}


@lru_cache(maxsize=256)
def _minimum_cached(key: str, params: tuple[tuple[str, float], ...]) -> tuple[float, ...]:
    if key in KNOWN_MINIMA:
        return KNOWN_MINIMA[key]
    problem = Problem(FUNCTIONS[key], dict(params))
    x = np.zeros(problem.dim)
    # Newton's method with step halving: the other functions are smooth and strictly convex,
    # so it reaches machine precision in a few dozen steps.
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
    """Where the function is smallest (known, or found once by Newton's method; cached)."""
    return np.array(_minimum_cached(problem.function.key, tuple(sorted(problem.params.items()))))


def min_value(problem: Problem) -> float:
    """f(θ*): the loss panel plots f − f*, so every curve heads for zero on a log axis."""
    return float(problem.value(minimum(problem)))


# ---------------------------------------------------------------- theory


@dataclass(frozen=True)
class Theory:
    """Step-size facts for a quadratic with largest curvature L and smallest μ.

    Gradient descent on a quadratic multiplies the error along each eigenvector by (1 − η·λ),
    so it diverges as soon as |1 − η·L| > 1, i.e. η > 2/L, and the slowest direction contracts
    fastest when both extremes balance: η* = 2/(L+μ), with rate (κ−1)/(κ+1).
    """

    L: float
    mu: float

    @property
    def kappa(self) -> float:
        return self.L / self.mu if self.mu > 0 else math.inf

    @property
    def eta_max(self) -> float:
        return 2.0 / self.L

    @property
    def eta_best(self) -> float:
        return 2.0 / (self.L + self.mu)

    @property
    def rate(self) -> float:
        """Error factor per step of gradient descent at η*: (κ−1)/(κ+1)."""
        return (self.L - self.mu) / (self.L + self.mu)


def curvatures(problem: Problem, x: Array) -> tuple[float, float]:
    """Largest and smallest curvature (Hessian eigenvalues) at ``x``."""
    eig = np.linalg.eigvalsh(np.atleast_2d(problem.hessian(np.asarray(x, dtype=float))))
    return float(eig[-1]), float(eig[0])


def theory(problem: Problem) -> Theory | None:
    """L, μ and the step-size thresholds, for quadratics only (where they hold everywhere)."""
    if not problem.function.quadratic:
        return None
    L, mu = curvatures(problem, np.zeros(problem.dim))
    return Theory(L, mu)


# ---------------------------------------------------------------- optimizers


def keras_scalar(x: float) -> float:
    """``x`` as a Keras update actually multiplies by it: the learning rate lives in a float32
    variable, and ``ops.cast(python_float, "float64")`` goes through a float32 tensor, so
    Keras uses x rounded to float32 (0.1 → 0.10000000149…) even on float64 variables."""
    return float(np.float32(x))


@dataclass(frozen=True)
class Hyper:
    """Hyperparameters shared by the optimizers; defaults are Keras 3's own."""

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


def _gd(theta, grad, state, t, h):
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

    ``limit`` is the largest stable η on a quadratic of largest curvature L (None for the
    adaptive methods, whose step length does not scale with the slope); ``limit_text`` is how
    that threshold is written for a student.
    """

    key: str
    label: str
    color: str
    update: Update
    keras: str
    default_on: bool
    limit: Callable[[float, Hyper], float] | None = None
    limit_text: str = ""


OPTIMIZERS: dict[str, Optimizer] = {
    o.key: o
    for o in (
        Optimizer(
            "gd", "Gradient descent", "#1f77b4", _gd, "SGD(learning_rate=η)", True,
            lambda L, h: 2.0 / L, "2/L",
        ),
        Optimizer(
            "momentum", "Momentum", "#d62728", _momentum,
            "SGD(learning_rate=η, momentum=β)", True,
            lambda L, h: 2.0 * (1 + h.beta) / L, "2(1+β)/L",
        ),
        Optimizer(
            "nesterov", "Nesterov", "#9467bd", _nesterov,
            "SGD(learning_rate=η, momentum=β, nesterov=True)", False,
            lambda L, h: 2.0 * (1 + h.beta) / ((1 + 2 * h.beta) * L), "2(1+β)/((1+2β)L)",
        ),
        Optimizer("adagrad", "Adagrad", "#8c564b", _adagrad, "Adagrad(learning_rate=η)", False),
        Optimizer("rmsprop", "RMSprop", "#e377c2", _rmsprop, "RMSprop(learning_rate=η)", False),
        Optimizer("adam", "Adam", "#2ca02c", _adam, "Adam(learning_rate=η)", True),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Path:
    """The points one optimizer visited, cut at the last good point if it diverged."""

    optimizer: str
    points: Array  # (k+1, dim): θ_0 … θ_k
    losses: Array  # f(θ_i)
    diverged_at: int | None  # the step whose result was non-finite or far away, if any

    @property
    def steps(self) -> int:
        return len(self.points) - 1


def far_rows(problem: Problem, x: Array) -> Array:
    """Which points (rows) are non-finite or more than FAR plotted half-widths from the
    centre of the picture: such a path has left for good, or is about to overflow."""
    f = problem.function
    return _outside(x, f.center(), FAR * f.half_width())


def _outside(x: Array, center: Array, reach: Array) -> Array:
    with np.errstate(invalid="ignore"):
        inside = np.abs(x - center) <= reach  # NaN compares False, so it counts as outside
    return ~np.all(inside, axis=-1)


def run_all(
    problem: Problem, optimizers: list[str], start: Array, steps: int, hyper: Hyper
) -> dict[str, Path]:
    """Step every optimizer in ``optimizers`` from ``start`` for ``steps`` steps.

    They move in lockstep so one vectorised gradient call serves all of them each step (the
    page must redraw 6 × 500 steps fast). The first step that lands on a non-finite or
    far-away point ends that optimizer's path: it and everything after it are dropped so every
    plotted point is finite, and the step number is kept so the page can explain it.
    """
    rules = [OPTIMIZERS[key].update for key in optimizers]
    states: list[dict] = [{} for _ in rules]
    trace = np.empty((steps + 1, len(rules), problem.dim))
    trace[0] = np.asarray(start, dtype=float)
    with np.errstate(all="ignore"):  # a diverging row overflows to inf/NaN, harming no other
        for t in range(1, steps + 1):
            grads = problem.gradient(trace[t - 1])
            for i, rule in enumerate(rules):
                trace[t, i] = rule(trace[t - 1, i], grads[i], states[i], t, hyper)
        # Each path ends before its first far (or non-finite) point, found in one sweep.
        far = _outside(trace, problem.function.center(), FAR * problem.function.half_width())
        far[0] = False  # the start is always drawn, wherever the teacher put it
        first_far = np.where(far.any(axis=0), far.argmax(axis=0), steps + 1)
        last = first_far - 1
        losses = np.asarray(problem.value(trace), dtype=float)
    return {
        key: Path(
            key,
            trace[: last[i] + 1, i].copy(),
            losses[: last[i] + 1, i].copy(),
            None if first_far[i] > steps else int(first_far[i]),
        )
        for i, key in enumerate(optimizers)
    }


def run(problem: Problem, optimizer: str, start: Array, steps: int, hyper: Hyper) -> Path:
    """One optimizer's path (see ``run_all``)."""
    return run_all(problem, [optimizer], start, steps, hyper)[optimizer]


# ---------------------------------------------------------------- explanations


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def divergence_reason(problem: Problem, path: Path, hyper: Hyper) -> str:
    """One sentence saying why ``path`` diverged, naming the threshold it broke if there is one.

    On a quadratic the threshold is exact. Elsewhere the local curvature at the last good point
    plays the role of L (a step longer than 2/L overshoots the bottom of the local parabola).
    Adaptive methods have no such threshold: their steps are about η long whatever the slope.
    """
    opt = OPTIMIZERS[path.optimizer]
    eta = _fmt(hyper.eta)
    if opt.limit is None:
        start = path.points[0]
        first = opt.update(start.copy(), problem.gradient(start), {}, 1, hyper) - start
        detail = f" (its first step is {_fmt(float(np.max(np.abs(first))))} long)"
        return (
            f"{opt.label} divides the gradient by its running size, so its steps are about "
            f"η = {eta} long whatever the slope{detail if path.steps == 0 else ''}, which is "
            f"too long for a region {_fmt(2 * float(problem.function.half_width().max()))} wide"
        )
    where = path.points[-1]
    L, _ = curvatures(problem, where)
    if L <= 0:
        return f"the function curves downwards at θ = {_point(where)}, so the path runs away"
    limit = opt.limit(L, hyper)
    if problem.function.quadratic:
        return f"η = {eta} is above {opt.limit_text} = {_fmt(limit)}"
    return (
        f"near θ = {_point(where)} the curvature is L ≈ {_fmt(L)}, and η = {eta} is above "
        f"{opt.limit_text} ≈ {_fmt(limit)} there, so each step overshoots further"
    )


def _point(x: Array) -> str:
    """θ as a student writes it: a number in 1D, a pair in 2D."""
    text = ", ".join(f"{v:.3g}" for v in np.atleast_1d(x))
    return text if len(x) == 1 else f"({text})"


def divergence_message(problem: Problem, path: Path, hyper: Hyper) -> str:
    """The full sentence shown on the page for a diverged path."""
    label = OPTIMIZERS[path.optimizer].label
    kept = (
        "Only its start point is drawn."
        if path.steps == 0
        else f"Its path is drawn up to step {path.steps}, the last point before it ran away."
    )
    reason = divergence_reason(problem, path, hyper)
    return f"{label} diverged at step {path.diverged_at}: {reason}. {kept}"


def local_step_note(problem: Problem, x: Array) -> str:
    """For a function that is not a quadratic, the step-size limit 2/L only holds locally:
    say what it is at ``x`` (the start, where the first steps are taken) and at the minimum
    (where a converging path has to settle)."""
    start_L, _ = curvatures(problem, x)
    bottom_L, _ = curvatures(problem, minimum(problem))
    parts = ["Not a quadratic: the curvature L changes from place to place."]
    for where, L in (("At the start", start_L), ("At the minimum", bottom_L)):
        if L > 0:
            parts.append(f"{where} L ≈ {_fmt(L)}, so gradient descent needs η < {_fmt(2 / L)}.")
        else:
            parts.append(f"{where} it is flat (L = 0): no step is too long there.")
    return " ".join(parts)


def stability_notes(problem: Problem, optimizers: list[str], hyper: Hyper) -> list[str]:
    """Warnings for a quadratic where η is past an optimizer's limit even if it has not left
    the picture yet (a slowly growing oscillation), or exactly on it (it never settles)."""
    info = theory(problem)
    notes = []
    if info is None:
        return notes
    for key in optimizers:
        opt = OPTIMIZERS[key]
        if opt.limit is None:
            continue
        limit = opt.limit(info.L, hyper)
        if math.isclose(hyper.eta, limit, rel_tol=1e-9):
            notes.append(
                f"{opt.label}: η = {_fmt(hyper.eta)} equals {opt.limit_text} = {_fmt(limit)}, "
                "so it bounces between two points forever without converging."
            )
        elif hyper.eta > limit:
            notes.append(
                f"{opt.label}: η = {_fmt(hyper.eta)} is above {opt.limit_text} = {_fmt(limit)}, "
                "so its oscillation grows with every step."
            )
    return notes


@dataclass(frozen=True)
class StepRow:
    """One plain gradient-descent step written out: θ_t, ∇f(θ_t), η and θ_{t+1}."""

    t: int
    theta: Array
    loss: float
    gradient: Array
    next_theta: Array


def gd_steps(problem: Problem, path: Path, eta: float) -> list[StepRow]:
    """The steps of a gradient-descent path with the numbers that produced them."""
    rows = []
    for t in range(path.steps):
        theta = path.points[t]
        rows.append(
            StepRow(t, theta, float(path.losses[t]), problem.gradient(theta), path.points[t + 1])
        )
    return rows


def _vector_tex(x: Array, digits: int = 4) -> str:
    """A number in 1D, a column vector in 2D, as LaTeX."""
    if len(x) == 1:
        return _num_tex(x[0], digits)
    cells = r" \\ ".join(_num_tex(v, digits) for v in x)
    return r"\begin{pmatrix}" + cells + r"\end{pmatrix}"


def _num_tex(v: float, digits: int = 4) -> str:
    """A number as LaTeX, in scientific notation only when it needs it."""
    text = f"{float(v):.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return text


def gd_update_tex(row: StepRow, eta: float) -> str:
    """The gradient-descent update of one step with its numbers filled in."""
    t = row.t
    grad = rf"f'(\theta_{{{t}}})" if len(row.theta) == 1 else rf"\nabla f(\theta_{{{t}}})"
    gradient = _vector_tex(row.gradient)
    if len(row.gradient) == 1 and row.gradient[0] < 0:
        gradient = f"({gradient})"
    return (
        rf"\theta_{{{t + 1}}} = \theta_{{{t}}} - \eta\,{grad}"
        rf" = {_vector_tex(row.theta, 6)} - {_num_tex(eta)} \cdot {gradient}"
        rf" = {_vector_tex(row.next_theta, 6)}"
    )


def gd_table(rows: list[StepRow]) -> list[dict[str, str]]:
    """The first steps as table rows a student can check by hand."""

    def vec(x: Array) -> str:
        return ", ".join(f"{v:.5g}" for v in x)

    return [
        {
            "t": str(row.t),
            "θₜ": vec(row.theta),
            "f(θₜ)": f"{row.loss:.5g}",
            "gradient ∇f(θₜ)": vec(row.gradient),
            "θₜ₊₁ = θₜ − η·∇f(θₜ)": vec(row.next_theta),
        }
        for row in rows
    ]


def race_table(paths: Mapping[str, Path], f_min: float, tol: float = 1e-6) -> list[dict]:
    """Who got there, and when: for each optimizer the gap f − f* at its last step and the
    step from which it stayed within ``tol`` of the minimum value (momentum methods can touch
    it and swing out again, which is worth saying)."""
    rows = []
    for key, path in paths.items():
        gap = np.maximum(path.losses - f_min, 0.0)
        outside = np.flatnonzero(gap > tol)
        if path.diverged_at is not None:
            outcome = f"diverged at step {path.diverged_at}"
        elif outside.size == 0 or outside[-1] < path.steps:
            since = 0 if outside.size == 0 else int(outside[-1]) + 1
            outcome = f"within {tol:g} from step {since} on"
        elif np.any(gap <= tol):
            outcome = f"touched {tol:g} at step {int(np.argmax(gap <= tol))}, then left"
        else:
            outcome = "not there yet"
        rows.append(
            {
                "optimizer": OPTIMIZERS[key].label,
                "last step": str(path.steps),
                "f − f* there": f"{float(gap[-1]):.3g}",
                "outcome": outcome,
            }
        )
    return rows


def keras_line(key: str, hyper: Hyper) -> str:
    """The Keras call that produces the same path, with this page's numbers."""
    call = OPTIMIZERS[key].keras.replace("η", f"{hyper.eta:g}").replace("β", f"{hyper.beta:g}")
    return f"keras.optimizers.{call}"


# ---------------------------------------------------------------- settings

FUNCTION_SETTING = Setting(
    "fn",
    "Function",
    "choice",
    "quadratic",
    choices={key: f.label for key, f in FUNCTIONS.items()},
    help="1D functions show the curve and tangent lines; 2D ones show contour lines.",
)
SHAPE_SETTINGS = (
    Setting("a", "Curvature a (f = a·θ²)", "float", 1.0, 0.1, 5.0, 0.1,
            help="f''(θ) = 2a, so L = μ = 2a and gradient descent diverges above η = 1/a."),
    Setting("kappa", "Condition number κ = L/μ", "float", 10.0, 1.0, 100.0, log=True,
            help="Ratio of the steepest to the flattest curvature of the bowl."),
    Setting("angle", "Rotation of the bowl (degrees)", "float", 30.0, 0.0, 180.0, 5.0,
            help="Turns the valley; Adagrad, RMSprop and Adam behave differently when the "
            "valley is not aligned with the axes."),
)  # fmt: skip
ETA_SETTING = Setting(
    "eta", "Learning rate η", "float", 0.1, 1e-4, 10.0, log=True,
    help="The same η for every optimizer, as keras.optimizers' learning_rate.",
)  # fmt: skip
RUN_SETTINGS = (
    Setting("steps", "Steps", "int", 50, 1, 500, 1),
    Setting("beta", "Momentum β", "float", 0.9, 0.0, 0.99, 0.01,
            help="Momentum and Nesterov: how much of the previous step is kept."),
)  # fmt: skip
OPTIMIZER_SETTINGS = tuple(
    Setting(o.key, o.label, "bool", o.default_on, help=f"keras.optimizers.{o.keras}")
    for o in OPTIMIZERS.values()
)
START_SETTINGS = (
    Setting("custom_start", "Choose the start point", "bool", False,
            help="Off: each function's own start point."),
    Setting("start1", "Start θ₁", "float", 2.0, -5.0, 5.0, 0.1),
    Setting("start2", "Start θ₂ (2D)", "float", 2.0, -5.0, 5.0, 0.1),
)  # fmt: skip
VIEW_SETTINGS = (
    Setting("view", "2D view", "choice", "contour",
            choices={"contour": "Contour lines", "surface": "3D surface"}),
    Setting("t", "Step to write out", "int", 0, 0, 499, 1,
            help="Which gradient-descent step the worked example below shows."),
)  # fmt: skip

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
