"""The animated descent figure: the function (curve, contour lines or 3D surface) with every
optimizer's path on the left, f − f* against step on the right; data in, ``go.Figure`` out.

Colours come from the optimizer table only (Okabe–Ito), and the surface is drawn in greys so
all six stay distinct on it. The title is not drawn inside the figure (``view_title`` gives it
to the page): on a phone a title, the legend and plotly's toolbar would share one strip. The
toolbar stands upright in the right margin for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from nncore.descent.animation import animated, at_step, controls_height, frame_steps
from nncore.descent.contours import DARK, LIGHT, level_lines, shading
from nncore.descent.explain import short_label
from nncore.descent.functions import Problem
from nncore.descent.loss_panel import LOSS_STRIP, loss_axes, loss_now, loss_style, loss_traces
from nncore.descent.paths import FAR, Path
from nncore.optimizers import OPTIMIZERS
from nncore.style import font, presenter_axes

PLOT_SPLIT = 0.56  # the function view takes the left 56 %, the loss panel the rest
# The surface's shading, the same greys as the contour view's: neutral under every hue.
GREYS = [[0.0, f"rgb({LIGHT},{LIGHT},{LIGHT})"], [1.0, f"rgb({DARK},{DARK},{DARK})"]]
LEVELS = "level lines of f"
LEVEL_LINE = "#8c8c8c"
CURVE = "#444444"
STAR = {"symbol": "star", "color": "#222222", "line": {"width": 1.5, "color": "white"}}
CUT = "diverged: path cut here"


def view_title(problem: Problem, view: str = "contour") -> str:
    """What the left panel shows, for the heading above the figure."""
    if problem.dim == 1:
        return "The curve, each optimizer's point and its tangent"
    title = "Paths on the 3D surface" if view == "surface" else "Paths on the contour lines"
    return title + (" (levels of log₁₀ f)" if problem.function.log_contours else "")


def view_bounds(problem: Problem, paths: Mapping[str, Path]) -> list[tuple[float, float]]:
    """The function's own region, widened to show every kept point of every path (those lie
    within FAR half-widths of the centre; further points count as diverged and are cut)."""
    bounds = []
    for axis, (lo, hi) in enumerate(problem.function.bounds):
        values = np.concatenate([[lo, hi], *(p.points[:, axis] for p in paths.values())])
        low, high = float(values.min()), float(values.max())
        pad = 0.04 * (high - low)
        center, reach = (lo + hi) / 2, FAR * (hi - lo) / 2 * 1.05
        bounds.append((max(low - pad, center - reach), min(high + pad, center + reach)))
    return bounds


def _trace(kind: str, **props) -> dict:
    """A trace as a plain dict: plotly validates the figure once when it is assembled."""
    return {"type": kind, **props}


def _colors(paths: Mapping[str, Path]) -> list[str]:
    return [OPTIMIZERS[key].color for key in paths]


def _end_markers(paths: Mapping[str, Path], present: bool, three_d: bool = False) -> list:
    """A cross where a diverged path was cut, so its end reads as "stopped", not "arrived"."""
    cut = [(k, p) for k, p in paths.items() if p.diverged_at is not None]
    if not cut:
        return []
    last = np.array([p.points[-1] for _, p in cut])
    marker = {
        "color": [OPTIMIZERS[k].color for k, _ in cut],
        "symbol": "x",
        "size": (8 if three_d else 18) * (1.3 if present else 1),
    }
    common = {"mode": "markers", "name": CUT, "hoverinfo": "skip", "marker": marker}
    losses = [p.losses[-1] for _, p in cut]
    if three_d:
        return [_trace("scatter3d", x=last[:, 0], y=last[:, 1], z=losses, **common)]
    y = last[:, 1] if last.shape[1] > 1 else losses
    return [_trace("scatter", x=last[:, 0], y=y, **common)]


def _tangents(problem: Problem, xs: np.ndarray, scale: tuple[float, float]) -> dict:
    """Tangent segments at ``xs``, one trace with gaps, each the same length on screen
    whatever its slope: the slope is the gradient the step uses."""
    values = np.asarray(problem.value(xs[:, None]), dtype=float)
    slopes = problem.gradient(xs[:, None])[:, 0]
    x_span, y_span = scale
    half = 0.12 * x_span / np.sqrt(1.0 + (slopes * x_span / y_span) ** 2)
    gap = np.full_like(xs, np.nan)
    x = np.stack([xs - half, xs + half, gap], axis=1).ravel()
    y = np.stack([values - slopes * half, values + slopes * half, gap], axis=1).ravel()
    return {"x": x, "y": y}


def _path_traces(paths: Mapping[str, Path], xy: Callable[[Path], tuple]) -> list:
    """Each optimizer's whole path, drawn once: a line through small dots, one per step.
    Frames then only move the big "current point" markers along it."""
    return [
        _trace(
            "scatter",
            x=xy(path)[0],
            y=xy(path)[1],
            mode="lines+markers",
            name=short_label(key),
            legendgroup=key,
            opacity=0.6,
            line={"color": OPTIMIZERS[key].color, "width": 2},
            marker={"size": 6, "color": OPTIMIZERS[key].color},
            hovertemplate=f"θ = %{{x:.4g}}, %{{y:.4g}}<extra>{short_label(key)}</extra>",
        )
        for key, path in paths.items()
    ]


def _now_style(paths: Mapping[str, Path], present: bool) -> dict:
    """The big markers on each optimizer's current point (their position comes per frame)."""
    size = 22 if present else 18
    marker = {"size": size, "color": _colors(paths), "line": {"width": 2, "color": "white"}}
    return {"mode": "markers", "showlegend": False, "hoverinfo": "skip", "marker": marker}


def _layout(
    steps: int, paths: Mapping[str, Path], f_min: float, present: bool, stacked: bool = False
) -> dict:
    """What every view shares: the legend above the plots, plotly's toolbar upright in the
    right margin, the controls below, and the loss panel (beside the function view, or under
    it when ``stacked``, for the 3D view, which needs the full width)."""
    size = font(present)["size"]
    return {
        "font": font(present),
        "height": (800 if present else 640) + (240 if stacked else 0),
        "margin": {
            "l": round(4 * size),
            "r": 48,
            "t": round(2.5 * size),
            "b": _below(present) + controls_height(present),
        },
        "legend": {
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": 1.0,
            "yref": "container",
            "yanchor": "top",
            "font": font(present),
        },
        "modebar": {"orientation": "v"},
        **loss_axes(steps, paths, f_min, present, beside=None if stacked else PLOT_SPLIT),
        "plot_bgcolor": "white",
        "hovermode": "closest",
    }


def _below(present: bool) -> int:
    """Pixels from the plots' bottom edge to the controls: room for tick labels and a title."""
    return round(4 * font(present)["size"])


def descent_figure_1d(
    problem: Problem,
    paths: Mapping[str, Path],
    steps: int,
    f_min: float,
    x_min: float,
    present: bool = False,
) -> go.Figure:
    """The curve with each optimizer's path, its current point and the tangent there (whose
    slope is the gradient the step uses), and f − f* against step."""
    (lo, hi) = view_bounds(problem, paths)[0]
    grid = np.linspace(lo, hi, 400)
    curve = np.asarray(problem.value(grid[:, None]), dtype=float)
    y_lo, y_hi = float(curve.min()), float(curve.max())
    y_pad = 0.08 * (y_hi - y_lo or 1.0)
    scale = (hi - lo, (y_hi - y_lo) or 1.0)
    data: list = [
        _trace(
            "scatter",
            x=grid,
            y=curve,
            mode="lines",
            line={"color": CURVE, "width": 3},
            name="f(θ)",
            hoverinfo="skip",
        ),
        _trace(
            "scatter",
            x=[x_min],
            y=[f_min],
            mode="markers",
            name="minimum θ*",
            marker={**STAR, "size": 20},
        ),
        *_path_traces(paths, lambda p: (p.points[:, 0], p.losses)),
        *_end_markers(paths, present),
        *loss_traces(paths, f_min),
    ]

    def moving(step: int) -> list[dict]:
        xs = at_step(paths, step, 0)
        return [
            {"type": "scatter", **_tangents(problem, xs, scale)},
            {"type": "scatter", "x": xs, "y": at_step(paths, step, -1)},
            {"type": "scatter", **loss_now(paths, step, f_min)},
        ]

    tangent = {
        "mode": "lines",
        "name": "tangent (slope = f′)",
        "hoverinfo": "skip",
        "line": {"color": "#222222", "width": 4},
    }
    styles = [tangent, _now_style(paths, present), loss_style(paths, present)]
    layout = _layout(steps, paths, f_min, present)
    layout["xaxis"] = {
        "domain": [0, PLOT_SPLIT],
        "range": [lo, hi],
        "title": {"text": "θ"},
        "zeroline": False,
    }
    layout["yaxis"] = {"range": [y_lo - y_pad, y_hi + y_pad], "title": {"text": "f(θ)"}}
    figure = animated(data, styles, moving, frame_steps(steps), layout, present, _below(present))
    return presenter_axes(figure, present)


def _surface_traces(
    paths: Mapping[str, Path],
    grid: tuple[np.ndarray, np.ndarray],
    z: np.ndarray,
    shade: np.ndarray,
    f_min: float,
    x_min: Sequence[float],
    lift: float,
    present: bool,
) -> list:
    gx, gy = grid
    paths3d = [
        _trace(
            "scatter3d",
            x=p.points[:, 0],
            y=p.points[:, 1],
            z=p.losses + lift,
            mode="lines+markers",
            name=short_label(k),
            legendgroup=k,
            line={"color": OPTIMIZERS[k].color, "width": 5},
            marker={"size": 2.5, "color": OPTIMIZERS[k].color},
        )
        for k, p in paths.items()
    ]
    return [
        _trace(
            "surface",
            x=gx,
            y=gy,
            z=z,
            surfacecolor=shade,
            colorscale=GREYS,
            opacity=0.9,
            showscale=False,
            name="f(θ)",
            hoverinfo="skip",
        ),
        _trace(
            "scatter3d",
            x=[x_min[0]],
            y=[x_min[1]],
            z=[f_min + lift],
            mode="markers",
            name="minimum θ*",
            marker={"size": 7, "color": STAR["color"], "symbol": "diamond"},
        ),
        *paths3d,
        *_end_markers(paths, present, three_d=True),
    ]


def _contour_traces(
    paths: Mapping[str, Path],
    grid: tuple[np.ndarray, np.ndarray],
    shade: np.ndarray,
    x_min: Sequence[float],
    present: bool,
) -> list:
    """Level lines as a scatter trace (see ``contours``), the minimum, and the paths."""
    x, y = level_lines(*grid, shade)
    return [
        _trace(
            "scatter",
            x=x,
            y=y,
            mode="lines",
            name=LEVELS,
            showlegend=False,
            line={"color": LEVEL_LINE, "width": 1},
            hoverinfo="skip",
        ),
        _trace(
            "scatter",
            x=[x_min[0]],
            y=[x_min[1]],
            mode="markers",
            name="minimum θ*",
            marker={**STAR, "size": 22},
        ),
        *_path_traces(paths, lambda p: (p.points[:, 0], p.points[:, 1])),
        *_end_markers(paths, present),
    ]


def _scene(bounds: list[tuple[float, float]], present: bool) -> dict:
    """The 3D view: few ticks in a smaller font (with plotly's default count the labels
    stacked on each other), and a flattened box seen from far enough that its corners stay in
    the picture when the view is as narrow as a phone."""
    ticks = {"nticks": 4, "tickfont": font(present, 0.75)}
    title_font = font(present, 0.9)
    (x_lo, x_hi), (y_lo, y_hi) = bounds
    return {
        "domain": {"x": [0.0, 1.0], "y": [LOSS_STRIP + 0.1, 1.0]},
        "xaxis": {**ticks, "title": {"font": title_font, "text": "θ₁"}, "range": [x_lo, x_hi]},
        "yaxis": {**ticks, "title": {"font": title_font, "text": "θ₂"}, "range": [y_lo, y_hi]},
        "zaxis": {**ticks, "title": {"font": title_font, "text": "f"}},
        "aspectmode": "manual",
        "aspectratio": {"x": 0.9, "y": 0.9, "z": 0.6},
        "camera": {
            "eye": {"x": 1.6, "y": -1.8, "z": 1.1},
            "center": {"x": 0, "y": 0, "z": 0},
        },
    }


def descent_figure_2d(
    problem: Problem,
    paths: Mapping[str, Path],
    steps: int,
    f_min: float,
    x_min: Sequence[float] | np.ndarray,
    view: str = "contour",
    present: bool = False,
) -> go.Figure:
    """Contour lines (or a 3D surface) with each optimizer's path and current point, and
    f − f* against step."""
    bounds = view_bounds(problem, paths)
    (x_lo, x_hi), (y_lo, y_hi) = bounds
    grid = np.linspace(x_lo, x_hi, 80), np.linspace(y_lo, y_hi, 80)
    z = np.asarray(problem.value(np.stack(np.meshgrid(*grid), axis=-1)), dtype=float)
    shade = np.log10(z - f_min + 1e-2) if problem.function.log_contours else z
    surface = view == "surface"
    lift = 0.01 * float(np.ptp(z))  # paths float just above the surface so they stay visible
    if surface:
        data = _surface_traces(paths, grid, z, shade, f_min, list(x_min), lift, present)
    else:
        data = _contour_traces(paths, grid, shade, list(x_min), present)
    data += loss_traces(paths, f_min)

    def moving(step: int) -> list[dict]:
        now = {"type": "scatter", "x": at_step(paths, step, 0), "y": at_step(paths, step, 1)}
        if surface:
            now.update(type="scatter3d", z=at_step(paths, step, -1) + lift)
        return [now, {"type": "scatter", **loss_now(paths, step, f_min)}]

    now_style = _now_style(paths, present)
    if surface:
        now_style["marker"] = {"size": 9, "color": _colors(paths)}
    # A 3D view needs width as much as height: it gets the top of the figure and the loss
    # panel the strip below (side by side, a phone cropped the surface's corners).
    layout = _layout(steps, paths, f_min, present, stacked=surface)
    if surface:
        layout["scene"] = _scene(bounds, present)
    else:
        layout["xaxis"] = {
            "domain": [0, PLOT_SPLIT],
            "range": [x_lo, x_hi],
            "title": {"text": "θ₁"},
        }
        layout["yaxis"] = {"range": [y_lo, y_hi], "title": {"text": "θ₂"}}
        layout["images"] = [
            {
                "source": shading(shade),
                "xref": "x",
                "yref": "y",
                "x": x_lo,
                "y": y_hi,
                "sizex": x_hi - x_lo,
                "sizey": y_hi - y_lo,
                "sizing": "stretch",
                "xanchor": "left",
                "yanchor": "top",
                "layer": "below",
            }
        ]
    styles = [now_style, loss_style(paths, present)]
    figure = animated(data, styles, moving, frame_steps(steps), layout, present, _below(present))
    return presenter_axes(figure, present)
