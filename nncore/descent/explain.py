"""What the page says to a student: why a path diverged, what the step-size numbers mean, one
step of gradient descent with its numbers, and who won the race.

Sentences lead with what can be seen (a step too long jumps past the bottom) and name the
theory (L, μ, κ) only after saying what it is; formulas are LaTeX for ``st.latex``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from nncore.descent.functions import Array, Problem
from nncore.descent.paths import Path
from nncore.descent.theory import Theory, curvatures, local_curvatures, stable_limit, theory
from nncore.optimizers import OPTIMIZERS, Hyper


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _point(x: Array) -> str:
    """θ as a student writes it: a number in 1D, a pair in 2D."""
    text = ", ".join(f"{v:.3g}" for v in np.atleast_1d(x))
    return text if len(x) == 1 else f"({text})"


def short_label(key: str) -> str:
    """An optimizer's name without its gloss ("SGD"), where space is short: legends and
    toggles a phone or a narrow column would cut off."""
    return OPTIMIZERS[key].label.split(" (")[0]


def gloss(key: str) -> str:
    """What the short name leaves out ("plain gradient descent"), or nothing."""
    _, _, rest = OPTIMIZERS[key].label.partition(" (")
    return rest.removesuffix(")")


def figure_caption(stacked: bool) -> str:
    """How to read the loss panel, which sits beside the function view or, in 3D, below it."""
    where = "The lower panel" if stacked else "The right panel"
    return (
        f"{where} shows how far each optimizer's loss still is above the lowest possible, "
        "f(θ) − f(θ*), on a log scale (10⁻² is a hundred times closer than 1). "
        "▶ Play moves both pictures step by step."
    )


# ---------------------------------------------------------------- step sizes


def eta_sentence(info: Theory) -> str:
    """The one sentence beside the η control: what a too-long and the best step do, in
    numbers, before any theory."""
    return (
        "A step that is too long jumps past the bottom and lands higher on the other side: "
        f"above η = **{_fmt(info.eta_max)}** plain gradient descent (SGD) runs away, and "
        f"η = **{_fmt(info.eta_best)}** gets down fastest."
    )


def eta_theory(info: Theory | None) -> str:
    """Where the step-size numbers come from, for the reader who opens the explanation: the
    picture first (a sharper bend needs a shorter step), the letters next, eigenvalues last.
    With ``info`` (a quadratic) it fills in this surface's numbers."""
    if info is None:
        here = (
            " (on this surface they change from place to place, so what follows holds near a point)"
        )
        edge = best = rate = ""
    else:
        here = f" (here L = {_fmt(info.L)}, μ = {_fmt(info.mu)} and κ = {_fmt(info.kappa)})"
        edge, best, rate = (f" = {_fmt(x)}" for x in (info.eta_max, info.eta_best, info.rate))
    return (
        "The more sharply a valley bends, the shorter a step must be. Call **L** how sharply "
        "the surface bends in its steepest direction and **μ** in its flattest; their ratio "
        f"**κ = L/μ** says how much longer the valley is than wide{here}.\n\n"
        "A step of length η multiplies the distance to the bottom along a direction that bends "
        "by λ by the factor (1 − η·λ). Along the steepest direction that factor is 1 − η·L: "
        f"once η is above **2/L{edge}** it is below −1, so every step overshoots further than "
        "the last. The flattest direction only shrinks by 1 − η·μ per step; balancing the two "
        f"ends (1 − η·μ = η·L − 1) gives the best fixed step **η\\* = 2/(L+μ){best}**, where "
        f"the error shrinks by (κ−1)/(κ+1){rate} per step.\n\n"
        "Momentum stays stable up to η = 2(1+β)/L, Nesterov (as Keras writes it) up to "
        "2(1+β)/((1+2β)L). Adagrad, RMSprop and Adam divide by the gradient's size, so their "
        "steps are about η long whatever the slope. (In linear-algebra terms: L and μ are the "
        "largest and smallest eigenvalues of the Hessian, the matrix of second derivatives.)"
    )


def local_step_note(problem: Problem, start: Array) -> str:
    """Off a quadratic the safe step changes from place to place: say what it is where the
    path starts and where it has to settle."""
    parts = [
        "This surface bends more in some places than in others, so the longest safe step "
        "changes as you go."
    ]
    for where, L in local_curvatures(problem, start).items():
        if L > 0:
            parts.append(
                f"At the {where} the curvature is {_fmt(L)}, so gradient descent needs "
                f"η < {_fmt(2 / L)}."
            )
        else:
            parts.append(f"At the {where} it is flat: no step is too long there.")
    return " ".join(parts)


# ---------------------------------------------------------------- what went wrong


def divergence_reason(problem: Problem, path: Path, hyper: Hyper) -> str:
    """Why ``path`` diverged, naming the threshold it broke if there is one.

    On a quadratic the threshold is exact. Elsewhere the curvature at the last good point
    plays the role of L. Adaptive methods have no such threshold: their steps are about η
    long whatever the slope, so the sentence compares η with the size of the picture.
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
    limit = opt.limit(L, hyper)  # not None: the adaptive methods returned above
    if problem.function.quadratic:
        return f"η = {eta} is above {opt.limit_text} = {_fmt(limit)}"
    return (
        f"near θ = {_point(where)} the curvature is L ≈ {_fmt(L)}, and η = {eta} is above "
        f"{opt.limit_text} ≈ {_fmt(limit)} there, so each step overshoots further"
    )


def divergence_message(problem: Problem, path: Path, hyper: Hyper) -> str:
    """The full sentence shown on the page for a diverged path."""
    kept = (
        "Only its start point is drawn."
        if path.steps == 0
        else f"Its path is drawn up to step {path.steps}, the last point before it ran away."
    )
    reason = divergence_reason(problem, path, hyper)
    return (
        f"{OPTIMIZERS[path.optimizer].label} diverged at step {path.diverged_at}: {reason}. {kept}"
    )


def stability_notes(problem: Problem, optimizers: list[str], hyper: Hyper) -> list[str]:
    """Warnings for a quadratic where η is past an optimizer's limit although the path has not
    left the picture yet (a slowly growing swing), or exactly on it (it never settles)."""
    info = theory(problem)
    notes: list[str] = []
    if info is None:
        return notes
    for key in optimizers:
        limit = stable_limit(key, info.L, hyper)
        if limit is None:
            continue
        opt = OPTIMIZERS[key]
        said = f"{opt.label}: η = {_fmt(hyper.eta)}"
        if math.isclose(hyper.eta, limit, rel_tol=1e-9):
            notes.append(
                f"{said} equals {opt.limit_text} = {_fmt(limit)}, so it bounces between two "
                "points forever without converging."
            )
        elif hyper.eta > limit:
            notes.append(
                f"{said} is above {opt.limit_text} = {_fmt(limit)}, so its swing grows with "
                "every step."
            )
    return notes


# ---------------------------------------------------------------- one step, by the numbers


@dataclass(frozen=True)
class StepRow:
    """One plain gradient-descent step written out: θ_t, f(θ_t), ∇f(θ_t) and θ_{t+1}."""

    t: int
    theta: Array
    loss: float
    gradient: Array
    next_theta: Array


def sgd_steps(problem: Problem, path: Path) -> list[StepRow]:
    """The steps of a plain gradient-descent path with the numbers that produced them."""
    return [
        StepRow(
            t,
            path.points[t],
            float(path.losses[t]),
            problem.gradient(path.points[t]),
            path.points[t + 1],
        )
        for t in range(path.steps)
    ]


def _num_tex(v: float, digits: int = 4) -> str:
    """A number as LaTeX, in scientific notation only when it needs it."""
    text = f"{float(v):.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return text


def _vector_tex(x: Array, digits: int = 4) -> str:
    """A number in 1D, a column vector in 2D, as LaTeX."""
    if len(x) == 1:
        return _num_tex(x[0], digits)
    return r"\begin{pmatrix}" + r" \\ ".join(_num_tex(v, digits) for v in x) + r"\end{pmatrix}"


def sgd_update_tex(row: StepRow, eta: float) -> str:
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


def sgd_table(rows: list[StepRow]) -> list[dict[str, str]]:
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


# ---------------------------------------------------------------- the race


def race_table(paths: Mapping[str, Path], f_min: float, tol: float = 1e-6) -> list[dict]:
    """Who got there, and when: the gap f − f* at each optimizer's last step and the step
    from which it stayed within ``tol`` (momentum methods can touch the minimum and swing out
    again, which is worth saying)."""
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
    return f"keras.optimizers.{OPTIMIZERS[key].keras_call(hyper)}"
