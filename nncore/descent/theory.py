"""Which learning rates work: curvature L and μ, condition number κ, stable and best steps.

On a quadratic every step multiplies the error along each curvature direction λ by (1 − η·λ):
that one fact gives the thresholds the page draws (diverge above 2/L, fastest at 2/(L+μ)).
Elsewhere the same numbers hold only near a point, so they are computed from the local
curvature there and said to be local.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nncore.descent.functions import Array, Problem, minimum
from nncore.optimizers import OPTIMIZERS, Hyper


@dataclass(frozen=True)
class Theory:
    """Step-size facts for a quadratic whose largest curvature is L and smallest μ."""

    L: float
    mu: float

    @property
    def kappa(self) -> float:
        """How many times steeper the steepest direction is than the flattest."""
        return self.L / self.mu if self.mu > 0 else math.inf

    @property
    def eta_max(self) -> float:
        """Plain gradient descent diverges above this: |1 − η·L| > 1."""
        return 2.0 / self.L

    @property
    def eta_best(self) -> float:
        """The fixed step that shrinks the slowest direction fastest: 1 − η·μ = η·L − 1."""
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
    """L, μ and the thresholds, for quadratics only: elsewhere they change from place to place
    and a single number would mislead."""
    if not problem.function.quadratic:
        return None
    L, mu = curvatures(problem, np.zeros(problem.dim))
    return Theory(L, mu)


def stable_limit(key: str, L: float, hyper: Hyper) -> float | None:
    """The largest stable η for optimizer ``key`` on a quadratic of largest curvature L, or
    None for the adaptive methods, whose step length does not grow with the slope."""
    limit = OPTIMIZERS[key].limit
    return None if limit is None else limit(L, hyper)


def local_curvatures(problem: Problem, start: Array) -> dict[str, float]:
    """The largest curvature where a path begins and where it has to settle: off a quadratic,
    those two places decide whether η is too long."""
    return {
        "start": curvatures(problem, start)[0],
        "minimum": curvatures(problem, minimum(problem))[0],
    }
