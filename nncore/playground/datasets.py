"""The 2D datasets: every generator has the same signature ``(n, noise, rng) -> (x, y)``.

As in TensorFlow Playground, points live in the square [-6, 6]², ``noise`` is a fraction (0 to
0.5) that blurs the pattern, and labels are 0…C−1 (or a number in [-1, 1] for regression).
Each generator is self-contained numpy so the generated Keras script can carry its source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

RADIUS = 6.0  # the plane shown is [-RADIUS, RADIUS]²
MAX_POINTS = 2000  # points a dataset (generated, clicked or uploaded) may hold


def circle(n, noise, rng):
    """Class 0 inside a disc of radius 2, class 1 in a ring from 3.5 to 5 around it."""
    half = n // 2
    radius = np.concatenate([rng.uniform(0, 2.0, half), rng.uniform(3.5, 5.0, n - half)])
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    x += rng.normal(0, noise * 5.0, x.shape) * 0.5
    y = np.concatenate([np.zeros(half, int), np.ones(n - half, int)])
    return x, y


def xor(n, noise, rng):
    """The class is whether x1 and x2 have opposite signs: no single line separates it."""
    y = np.arange(n) % 2  # the two classes equal in size
    x = rng.uniform(0.3, 5.3, (n, 2))  # a margin off the axes: the clean pattern is unambiguous
    first = rng.choice([-1.0, 1.0], n)
    x[:, 0] *= first
    x[:, 1] *= np.where(y == 1, -first, first)
    x += rng.normal(0, noise * 5.0, x.shape) * 0.5
    return x, y


def _blobs(n, noise, rng, centres):
    """Gaussian blobs around ``centres``, as equal in size as n allows; wider with noise."""
    labels = np.arange(n) % len(centres)
    spread = 0.5 + noise * 4.0
    x = np.asarray(centres, float)[labels] + rng.normal(0, spread, (n, 2))
    return x, labels


def gauss(n, noise, rng):
    """Two round blobs, at (2, 2) and (−2, −2): a straight line separates them."""
    return _blobs(n, noise, rng, [(2, 2), (-2, -2)])


def blobs3(n, noise, rng):
    """Three blobs on a circle of radius 3."""
    angles = np.pi / 2 + 2 * np.pi * np.arange(3) / 3
    return _blobs(n, noise, rng, 3 * np.column_stack([np.cos(angles), np.sin(angles)]))


def blobs4(n, noise, rng):
    """Four blobs, one in each quadrant."""
    return _blobs(n, noise, rng, [(3, 3), (-3, 3), (-3, -3), (3, -3)])


def _spiral(n, noise, rng, arms):
    """``arms`` interleaved spiral arms, one per class, winding out to radius 5."""
    labels = np.arange(n) % arms
    t = rng.uniform(0, 1, n)
    radius = 5.0 * t
    angle = 1.75 * 2 * np.pi * t + 2 * np.pi * labels / arms
    x = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    x += rng.normal(0, noise * 5.0, x.shape) * 0.3
    return x, labels


def spiral(n, noise, rng):
    """Two spiral arms: hard for a small network on x1, x2 alone."""
    return _spiral(n, noise, rng, 2)


def spiral3(n, noise, rng):
    """Three spiral arms."""
    return _spiral(n, noise, rng, 3)


def plane(n, noise, rng):
    """Regression: the value rises evenly across the plane, y = (x1 + x2) / 10."""
    x = rng.uniform(-RADIUS, RADIUS, (n, 2))
    y = (x[:, 0] + x[:, 1]) / (2 * RADIUS) + rng.normal(0, noise, n)
    return x, np.clip(y, -1, 1)


def multigauss(n, noise, rng):
    """Regression: a landscape of bumps and dips, four Gaussians of either sign."""
    x = rng.uniform(-RADIUS, RADIUS, (n, 2))
    centres = np.array([(-3, 2.5), (0, 2.5), (3, -2.5), (-3, -3)])
    signs = np.array([1.0, -1.0, 1.0, -1.0])
    distance2 = ((x[:, None, :] - centres[None]) ** 2).sum(axis=-1)
    y = (signs * np.exp(-distance2 / 4.0)).sum(axis=1) + rng.normal(0, noise, n)
    return x, np.clip(y, -1, 1)


Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class DatasetKind:
    """One dataset the page offers: its label, generator and number of classes (0: regression)."""

    key: str
    label: str
    generate: Generator
    classes: int

    @property
    def regression(self) -> bool:
        return self.classes == 0


# Each name is the shape and the number of classes, short enough for the dataset box at 1280 px.
DATASETS: dict[str, DatasetKind] = {
    d.key: d
    for d in (
        DatasetKind("circle", "Circle (2 classes)", circle, 2),
        DatasetKind("xor", "XOR (2 classes)", xor, 2),
        DatasetKind("gauss", "Blobs (2 classes)", gauss, 2),
        DatasetKind("spiral", "Spiral (2 classes)", spiral, 2),
        DatasetKind("blobs3", "Blobs (3 classes)", blobs3, 3),
        DatasetKind("blobs4", "Blobs (4 classes)", blobs4, 4),
        DatasetKind("spiral3", "Spiral (3 classes)", spiral3, 3),
        DatasetKind("plane", "Plane (regression)", plane, 0),
        DatasetKind("multigauss", "Bumps (regression)", multigauss, 0),
    )
}


@dataclass(frozen=True)
class Points:
    """Points on the plane and their labels: int classes 0…C−1, or float values (C = 0)."""

    x: np.ndarray
    y: np.ndarray
    classes: int

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def added(self, x1: float, x2: float, label: float) -> Points:
        """These points and one more (a click on the plane); the oldest go past MAX_POINTS."""
        x = np.vstack([self.x, [[x1, x2]]])[-MAX_POINTS:]
        y = np.append(self.y, label).astype(self.y.dtype)[-MAX_POINTS:]
        return Points(x, y, self.classes)


def generate(key: str, n: int, noise: float, seed: int) -> Points:
    """``n`` points of dataset ``key`` with ``noise`` (0–0.5), the same for the same seed."""
    kind = DATASETS[key]
    x, y = kind.generate(int(n), float(noise), np.random.default_rng(seed))
    y = y.astype(float) if kind.regression else y.astype(int)
    return Points(x.astype(float), y, kind.classes)


@dataclass(frozen=True)
class Split:
    """The training and test points (the test points are never trained on)."""

    train: Points
    test: Points


def split(points: Points, train_fraction: float, seed: int) -> Split:
    """Keep ``train_fraction`` of the points for training (at least one each side).

    Each point draws a number from a stream fixed by ``seed``, and the lowest go to training:
    a point added later draws the next number, so a click moves at most one other point
    between training and test instead of reshuffling them all.
    """
    n = len(points)
    draws = np.random.default_rng(seed + 1).random(n)
    order = np.argsort(draws, kind="stable")
    cut = min(max(int(round(n * train_fraction)), 1), max(n - 1, 1))
    train, test = np.sort(order[:cut]), np.sort(order[cut:])

    def part(rows):
        return Points(points.x[rows], points.y[rows], points.classes)

    return Split(part(train), part(test))
