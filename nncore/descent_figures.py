"""Plotly figures for the gradient-descent page: paths in, ``go.Figure`` out, no Streamlit.

The animation runs in the browser: the figure carries plotly ``frames`` (one per shown step,
at most ``MAX_FRAMES``), a Play/Pause menu and a step slider, so moving through the steps costs
the server nothing. Each frame only replaces the moving traces (each optimizer's current
point, the tangent lines in 1D, the markers on the loss curves); the curve or contours, the
full paths (a dot per step) and the loss curves are drawn once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from nncore.descent import FAR, OPTIMIZERS, Path, Problem, Theory

MAX_FRAMES = 60  # 10 frames a second over PLAY_SECONDS; every step when steps ≤ 59
PLAY_SECONDS = 6.0
FONT = {"size": 18}
HEIGHT = 660
FLOOR = 1e-16  # f − f* is drawn on a log axis; exact zeros sit on this floor
PLOT_SPLIT = 0.56  # the function view takes the left 56 %, the loss curve the rest
CONTOUR_SCALE = [[0.0, "#f0f4fa"], [1.0, "#9fb3cc"]]


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The steps that get an animation frame: all of them, or an even subsample of at most
    ``max_frames`` that always includes the first and the last (every frame travels in JSON)."""
    if steps + 1 <= max_frames:
        return np.arange(steps + 1)
    return np.unique(np.linspace(0, steps, max_frames).round().astype(int))


def view_bounds(problem: Problem, paths: Mapping[str, Path]) -> list[tuple[float, float]]:
    """The function's own region, widened to show every kept point of every path (which lie
    within FAR half-widths of the centre; further points count as diverged and are cut)."""
    bounds = []
    for axis, (lo, hi) in enumerate(problem.function.bounds):
        values = np.concatenate([[lo, hi], *(p.points[:, axis] for p in paths.values())])
        low, high = float(values.min()), float(values.max())
        pad = 0.04 * (high - low)
        center, half = (lo + hi) / 2, (hi - lo) / 2
        bounds.append(
            (
                max(low - pad, center - FAR * half * 1.05),
                min(high + pad, center + FAR * half * 1.05),
            )
        )
    return bounds


def suboptimality(losses: np.ndarray, f_min: float) -> np.ndarray:
    """f(θ) − f(θ*), floored so a log axis can show an exact hit of the minimum."""
    return np.maximum(np.asarray(losses, dtype=float) - f_min, FLOOR)


def _trace(kind: str, **props) -> dict:
    """A trace as a plain dict: plotly validates the whole figure once when it is assembled,
    instead of once per trace object and again inside the figure."""
    return {"type": kind, **props}


def _clamped(path: Path, step: int) -> int:
    """A path that stopped early (it diverged) stays at its last good point."""
    return min(step, path.steps)


def _current(paths: Mapping[str, Path], step: int, axis: int) -> np.ndarray:
    """Coordinate ``axis`` of every optimizer's point at ``step`` (-1: the loss)."""
    return np.array(
        [
            p.losses[_clamped(p, step)] if axis < 0 else p.points[_clamped(p, step), axis]
            for p in paths.values()
        ]
    )


def _colors(paths: Mapping[str, Path]) -> list[str]:
    return [OPTIMIZERS[key].color for key in paths]


def _end_markers(paths: Mapping[str, Path], three_d: bool = False) -> list:
    """A cross where a diverged path was cut, so its end reads as "stopped", not "arrived"."""
    cut = [(k, p) for k, p in paths.items() if p.diverged_at is not None]
    if not cut:
        return []
    last = [p.points[-1] for _, p in cut]
    marker = {"color": [OPTIMIZERS[k].color for k, _ in cut], "size": 18, "symbol": "x"}
    common = {"mode": "markers", "name": "diverged: path cut here", "hoverinfo": "skip"}
    if three_d:
        marker["size"] = 8
        z = [p.losses[-1] for _, p in cut]
        return [
            _trace(
                "scatter3d",
                x=[q[0] for q in last],
                y=[q[1] for q in last],
                z=z,
                marker=marker,
                **common,
            )
        ]
    y = [q[1] for q in last] if len(last[0]) > 1 else [p.losses[-1] for _, p in cut]
    return [_trace("scatter", x=[q[0] for q in last], y=y, marker=marker, **common)]


def _tangents(problem: Problem, xs: np.ndarray, scale: tuple[float, float]) -> dict:
    """Tangent segments at the points ``xs``, one trace with gaps between them, each of the
    same length on screen whatever its slope: the slope is the gradient the step uses."""
    values = np.asarray(problem.value(xs[:, None]), dtype=float)
    slopes = problem.gradient(xs[:, None])[:, 0]
    x_span, y_span = scale
    half = 0.12 * x_span / np.sqrt(1.0 + (slopes * x_span / y_span) ** 2)
    gap = np.full_like(xs, np.nan)
    x = np.stack([xs - half, xs + half, gap], axis=1).ravel()
    y = np.stack([values - slopes * half, values + slopes * half, gap], axis=1).ravel()
    return {"x": x, "y": y}


def _animation_controls(steps: Sequence[int], redraw: bool) -> dict:
    """Play/Pause buttons and the step slider, all driving plotly's own frame animation."""
    duration = max(30, int(1000 * PLAY_SECONDS / max(len(steps), 1)))
    play = {"frame": {"duration": duration, "redraw": redraw}, "fromcurrent": True}
    play["transition"] = {"duration": 0}
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}
    pause["transition"] = {"duration": 0}
    return {
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "x": 0.0,
                "y": -0.14,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"r": 10, "t": 10},
                "font": {"size": 18},
                "showactive": False,
                "buttons": [
                    {"label": "▶ Play", "method": "animate", "args": [None, play]},
                    {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]},
                ],
            }
        ],
        "sliders": [
            {
                "active": 0,
                "x": 0.25,
                "len": 0.75,
                "y": -0.11,
                "yanchor": "top",
                "pad": {"t": 30},
                # the step number sits at the right end, clear of the Play/Pause buttons
                "currentvalue": {"prefix": "step ", "xanchor": "right", "font": {"size": 20}},
                "font": {"size": 14},
                "steps": [
                    {
                        "label": str(step),
                        "method": "animate",
                        "args": [
                            [str(step)],
                            {
                                "mode": "immediate",
                                "frame": {"duration": 0, "redraw": redraw},
                                "transition": {"duration": 0},
                            },
                        ],
                    }
                    for step in steps
                ],
            }
        ],
    }


def _loss_traces(paths: Mapping[str, Path], f_min: float) -> list:
    """f − f* against step, one line per optimizer (drawn once, not per frame)."""
    return [
        _trace(
            "scatter",
            x=np.arange(path.steps + 1),
            y=suboptimality(path.losses, f_min),
            mode="lines",
            line={"color": OPTIMIZERS[key].color, "width": 3},
            name=OPTIMIZERS[key].label,
            legendgroup=key,
            showlegend=False,
            xaxis="x2",
            yaxis="y2",
            hovertemplate="step %{x}<br>f − f* = %{y:.3g}<extra>"
            + OPTIMIZERS[key].label
            + "</extra>",
        )
        for key, path in paths.items()
    ]


def _loss_now(paths: Mapping[str, Path], step: int, f_min: float) -> dict:
    """Where each optimizer is on its loss curve at ``step``."""
    return {
        "x": np.array([_clamped(p, step) for p in paths.values()], dtype=float),
        "y": suboptimality(_current(paths, step, -1), f_min),
    }


def _layout(title: str, steps: int, paths: Mapping[str, Path], f_min: float) -> dict:
    """What every view shares: large fonts for a projector, the legend above the plots, and
    the loss panel on the right with a log axis fitted to all the curves."""
    losses = [suboptimality(p.losses, f_min) for p in paths.values()]
    low = min((float(v.min()) for v in losses), default=1e-3)
    high = max((float(v.max()) for v in losses), default=1.0)
    return {
        "title": {
            "text": title,
            "font": {"size": 22},
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 0.985,
            "yanchor": "top",
        },
        "font": FONT,
        "height": HEIGHT,
        "margin": {"l": 70, "r": 30, "t": 130, "b": 175},
        "legend": {
            "orientation": "h",
            "y": 1.02,
            "yanchor": "bottom",
            "x": 0.99,
            "xanchor": "right",
            "font": {"size": 18},
        },
        "xaxis2": {
            "domain": [PLOT_SPLIT + 0.13, 1.0],
            "anchor": "y2",
            "title": {"text": "step"},
            "range": [0, max(steps, 1)],
        },
        "yaxis2": {
            "anchor": "x2",
            "type": "log",
            "title": {"text": "f(θ) − f(θ*)  (log scale)"},
            "range": [math.log10(low) - 0.3, math.log10(high) + 0.3],
            # one label per decade (or per few): the 2s and 5s between them are noise
            "dtick": max(1, round((math.log10(high) - math.log10(low)) / 6)),
            "exponentformat": "power",
        },
        "plot_bgcolor": "white",
        "hovermode": "closest",
    }


def _path_traces(paths: Mapping[str, Path], xy: Callable[[Path], tuple]) -> list:
    """Each optimizer's whole path, drawn once: a line through small dots, one per step.
    Frames then only move the big "current point" markers along it."""
    return [
        _trace(
            "scatter",
            x=xy(path)[0],
            y=xy(path)[1],
            mode="lines+markers",
            name=OPTIMIZERS[key].label,
            legendgroup=key,
            line={"color": OPTIMIZERS[key].color, "width": 2},
            opacity=0.55,
            marker={"size": 6, "color": OPTIMIZERS[key].color},
            hovertemplate="θ = %{x:.4g}, %{y:.4g}<extra>" + OPTIMIZERS[key].label + "</extra>",
        )
        for key, path in paths.items()
    ]


def _now_style(paths: Mapping[str, Path]) -> dict:
    """The big markers on each optimizer's current point (their position comes per frame)."""
    marker = {"size": 22, "color": _colors(paths), "line": {"width": 2, "color": "white"}}
    return {"mode": "markers", "showlegend": False, "hoverinfo": "skip", "marker": marker}


def _loss_style(paths: Mapping[str, Path]) -> dict:
    """The markers on the loss curves at the current step."""
    return {
        "mode": "markers",
        "xaxis": "x2",
        "yaxis": "y2",
        "showlegend": False,
        "hoverinfo": "skip",
        "marker": {"color": _colors(paths), "size": 16},
    }


def descent_figure_1d(
    problem: Problem, paths: Mapping[str, Path], steps: int, f_min: float, x_min: float
) -> go.Figure:
    """The curve with each optimizer's path, its current point and the tangent there (whose
    slope is the gradient the step uses), and f − f* against step."""
    shown = frame_steps(steps)
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
            line={"color": "#444", "width": 3},
            name="f(θ)",
            hoverinfo="skip",
        ),
        _trace(
            "scatter",
            x=[x_min],
            y=[f_min],
            mode="markers",
            name="minimum θ*",
            marker={
                "symbol": "star",
                "size": 20,
                "color": "gold",
                "line": {"width": 1.5, "color": "#555"},
            },
        ),
        *_path_traces(paths, lambda p: (p.points[:, 0], p.losses)),
        *_end_markers(paths),
        *_loss_traces(paths, f_min),
    ]

    def moving(step: int) -> list[dict]:
        xs = _current(paths, step, 0)
        return [
            {"type": "scatter", **_tangents(problem, xs, scale)},
            {"type": "scatter", "x": xs, "y": _current(paths, step, -1)},
            {"type": "scatter", **_loss_now(paths, step, f_min)},
        ]

    styles = [
        {
            "mode": "lines",
            "name": "tangent (slope = f′)",
            "hoverinfo": "skip",
            "line": {"color": "#222", "width": 4},
        },
        _now_style(paths),
        _loss_style(paths),
    ]

    layout = _layout("The curve, each optimizer's point and its tangent", steps, paths, f_min)
    layout["xaxis"] = {
        "domain": [0, PLOT_SPLIT],
        "range": [lo, hi],
        "title": {"text": "θ"},
        "zeroline": False,
    }
    layout["yaxis"] = {"range": [y_lo - y_pad, y_hi + y_pad], "title": {"text": "f(θ)"}}
    return _animated(data, styles, moving, shown, layout, redraw=False)


def descent_figure_2d(
    problem: Problem,
    paths: Mapping[str, Path],
    steps: int,
    f_min: float,
    x_min: Sequence[float],
    view: str = "contour",
) -> go.Figure:
    """Contour lines (or a 3D surface) with each optimizer's path and current point, and
    f − f* against step."""
    shown = frame_steps(steps)
    (x_lo, x_hi), (y_lo, y_hi) = view_bounds(problem, paths)
    gx, gy = np.linspace(x_lo, x_hi, 80), np.linspace(y_lo, y_hi, 80)
    z = np.asarray(problem.value(np.stack(np.meshgrid(gx, gy), axis=-1)), dtype=float)
    log = problem.function.log_contours
    shade = np.log10(z - f_min + 1e-2) if log else z
    surface = view == "surface"
    lift = 0.01 * float(np.ptp(z))  # paths float just above the surface so they stay visible

    if surface:
        data: list = [
            _trace(
                "surface",
                x=gx,
                y=gy,
                z=z,
                surfacecolor=shade,
                colorscale="Blues_r",
                opacity=0.85,
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
                marker={"size": 8, "color": "gold", "symbol": "diamond"},
            ),
            *(
                _trace(
                    "scatter3d",
                    x=p.points[:, 0],
                    y=p.points[:, 1],
                    z=p.losses + lift,
                    mode="lines+markers",
                    name=OPTIMIZERS[k].label,
                    legendgroup=k,
                    line={"color": OPTIMIZERS[k].color, "width": 5},
                    marker={"size": 2.5, "color": OPTIMIZERS[k].color},
                )
                for k, p in paths.items()
            ),
            *_end_markers(paths, three_d=True),
        ]
    else:
        data = [
            _trace(
                "contour",
                x=gx,
                y=gy,
                z=shade,
                colorscale=CONTOUR_SCALE,
                ncontours=28,
                showscale=False,
                line={"color": "#6b7f99", "width": 1},
                name="f(θ)",
                hoverinfo="skip",
            ),
            _trace(
                "scatter",
                x=[x_min[0]],
                y=[x_min[1]],
                mode="markers",
                name="minimum θ*",
                marker={
                    "symbol": "star",
                    "size": 22,
                    "color": "gold",
                    "line": {"width": 1.5, "color": "#555"},
                },
            ),
            *_path_traces(paths, lambda p: (p.points[:, 0], p.points[:, 1])),
            *_end_markers(paths),
        ]
    data += _loss_traces(paths, f_min)

    def moving(step: int) -> list[dict]:
        now = {"type": "scatter", "x": _current(paths, step, 0), "y": _current(paths, step, 1)}
        if surface:
            now.update(type="scatter3d", z=_current(paths, step, -1) + lift)
        return [now, {"type": "scatter", **_loss_now(paths, step, f_min)}]

    now_style = _now_style(paths)
    if surface:
        now_style["marker"] = {"size": 9, "color": _colors(paths)}
    styles = [now_style, _loss_style(paths)]

    title = "Paths on the 3D surface" if surface else "Paths on the contour lines"
    if log:
        title += " (levels of log₁₀ f)"
    layout = _layout(title, steps, paths, f_min)
    if surface:
        layout["scene"] = {
            "domain": {"x": [0, PLOT_SPLIT], "y": [0, 1]},
            "xaxis": {"title": {"text": "θ₁"}, "range": [x_lo, x_hi]},
            "yaxis": {"title": {"text": "θ₂"}, "range": [y_lo, y_hi]},
            "zaxis": {"title": {"text": "f"}},
            "camera": {"eye": {"x": 1.4, "y": -1.6, "z": 1.1}},
        }
    else:
        layout["xaxis"] = {
            "domain": [0, PLOT_SPLIT],
            "range": [x_lo, x_hi],
            "title": {"text": "θ₁"},
        }
        layout["yaxis"] = {"range": [y_lo, y_hi], "title": {"text": "θ₂"}}
    return _animated(data, styles, moving, shown, layout, redraw=surface)


def _as_lists(traces: list[dict]) -> list[dict]:
    """Frame coordinates as plain lists: plotly inspects every numpy array it is given through
    a dataframe-compatibility layer, which costs more than the few numbers a frame holds."""
    return [
        {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in t.items()} for t in traces
    ]


def _animated(
    data: list,
    styles: list[dict],
    moving: Callable[[int], list[dict]],
    shown: np.ndarray,
    layout: dict,
    redraw: bool,
) -> go.Figure:
    """Assemble the static traces, the moving ones at step 0, one frame per shown step and
    the controls. Frames name the traces they replace, so static traces are sent once, and
    carry only coordinates: plotly.js keeps each trace's style from the figure, so frames
    stay small to send and quick to build."""
    first = [{**coords, **style} for coords, style in zip(moving(0), styles, strict=True)]
    indices = list(range(len(data), len(data) + len(first)))
    frames = [
        {"name": str(step), "traces": indices, "data": _as_lists(moving(int(step)))}
        for step in shown
    ]
    layout.update(_animation_controls([int(s) for s in shown], redraw))
    return go.Figure(data=[*data, *first], layout=layout, frames=frames)


def eta_scale_figure(eta: float, info: Theory, limits: Mapping[str, float]) -> go.Figure:
    """A number line of η (log scale) marking the chosen η, the best fixed η* = 2/(L+μ), and
    each fixed-step optimizer's stability limit, so the control's meaning is visible."""
    marks = {"η* = 2/(L+μ)": info.eta_best, **limits}
    values = [eta, *marks.values()]
    lo, hi = min(values) / 3, max(values) * 3
    fig = go.Figure()
    fig.add_vrect(x0=info.eta_max, x1=hi, fillcolor="#d62728", opacity=0.12, line_width=0,
                  annotation_text="GD diverges", annotation_position="bottom right")  # fmt: skip
    for i, (text, value) in enumerate(marks.items()):
        fig.add_trace(
            go.Scatter(
                x=[value],
                y=[0],
                mode="markers+text",
                text=[f"{text}<br>{value:.3g}"],
                textposition="top center" if i % 2 == 0 else "bottom center",
                marker={
                    "symbol": "line-ns-open",
                    "size": 26,
                    "line": {"width": 3},
                    "color": "#555",
                },
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[eta],
            y=[0],
            mode="markers",
            marker={"size": 20, "color": "#1f77b4"},
            hovertemplate="η = %{x:.3g}<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_layout(
        height=130,
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        font={"size": 14},
        xaxis={
            "type": "log",
            "range": [math.log10(lo), math.log10(hi)],
            "showgrid": False,
            "dtick": 1,
            "title": None,
        },
        yaxis={"visible": False, "range": [-1.4, 1.4]},
        plot_bgcolor="white",
    )
    return fig
