"""Plotly's own frame animation for the descent figures: Play, Pause and a step slider that run
entirely in the browser, so watching a path costs the server nothing.

Frames carry only what moves (each optimizer's current point, the tangents in 1D, the markers
on the loss curves) and name the traces they replace, so the curve, level lines and full paths
travel once. plotly.js moves scatter traces between frames without a redraw, but while doing
so it drops every other kind of trace from the picture (a contour vanished on Play and never
came back). A figure holding such a trace (the 3D surface) therefore animates with
``redraw``, which repaints everything each frame; the 2D view avoids that by drawing its
level lines as scatter (see ``contours``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from nncore.descent.paths import Path
from nncore.style import font

MAX_FRAMES = 60  # every frame travels in the figure's JSON; every step when steps ≤ 59
PLAY_SECONDS = 6.0
# Trace types plotly.js can move between frames without redrawing the whole figure.
ANIMATABLE = {"scatter"}


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The steps that get a frame: all of them, or an even subsample of at most ``max_frames``
    that always includes the first and the last."""
    if steps + 1 <= max_frames:
        return np.arange(steps + 1)
    return np.unique(np.linspace(0, steps, max_frames).round().astype(int))


def at_step(paths: Mapping[str, Path], step: int, axis: int) -> np.ndarray:
    """Coordinate ``axis`` (-1: the loss) of every optimizer's point at ``step``; a path that
    stopped early (it diverged) stays at its last good point."""
    return np.array(
        [
            p.losses[min(step, p.steps)] if axis < 0 else p.points[min(step, p.steps), axis]
            for p in paths.values()
        ]
    )


def needs_redraw(traces: Sequence[Mapping]) -> bool:
    """Whether any trace would vanish in a move-only animation (see the module docstring)."""
    return any(trace["type"] not in ANIMATABLE for trace in traces)


# Play and Pause are what a lesson presses: their text a third larger than the figure's makes
# plotly draw them about 44 px high, what a finger needs on a phone.
PLAY_SCALE = 1.35


def controls_height(present: bool = False) -> int:
    """Pixels the step slider and the buttons under it take."""
    return round(8.6 * font(present)["size"])


def controls(steps: Sequence[int], redraw: bool, present: bool = False, below: int = 60) -> dict:
    """The step slider ``below`` pixels under the plots (clear of the axis titles), its step
    number on the right above the rail, and Play/Pause on a row of their own under it: on a
    phone, buttons and step number side by side did not fit and overlapped."""
    size = font(present)["size"]
    duration = max(30, int(1000 * PLAY_SECONDS / max(len(steps), 1)))
    play = {
        "frame": {"duration": duration, "redraw": redraw},
        "fromcurrent": True,
        "transition": {"duration": 0},
    }
    pause = {
        "frame": {"duration": 0, "redraw": False},
        "mode": "immediate",
        "transition": {"duration": 0},
    }
    jump = {
        "mode": "immediate",
        "frame": {"duration": 0, "redraw": redraw},
        "transition": {"duration": 0},
    }
    return {
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "x": 0.0,
                "xanchor": "left",
                "y": 0.0,
                "yanchor": "top",
                "pad": {"t": below + round(5.4 * size), "r": 0},
                "font": font(present, PLAY_SCALE),
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
                "x": 0.0,
                "len": 1.0,
                "y": 0.0,
                "yanchor": "top",
                "pad": {"t": below, "b": 0},
                "currentvalue": {"prefix": "step ", "xanchor": "right", "font": font(present)},
                "font": font(present, 0.8),
                "steps": [
                    {"label": str(s), "method": "animate", "args": [[str(s)], jump]} for s in steps
                ],
            }
        ],
    }


def _as_lists(traces: list[dict]) -> list[dict]:
    """Frame coordinates as plain lists: plotly inspects every numpy array through a
    dataframe-compatibility layer, which costs more than the few numbers a frame holds."""
    return [
        {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in t.items()} for t in traces
    ]


def animated(
    data: list[dict],
    styles: list[dict],
    moving: Callable[[int], list[dict]],
    shown: np.ndarray,
    layout: dict,
    present: bool = False,
    below: int = 60,
) -> go.Figure:
    """The static traces, the moving ones at step 0, one frame per shown step, and the
    controls. Frames hold coordinates only: plotly.js keeps each trace's style from the
    figure, so frames stay small to send and quick to build."""
    first = [{**coords, **style} for coords, style in zip(moving(0), styles, strict=True)]
    indices = list(range(len(data), len(data) + len(first)))
    frames = [
        {"name": str(step), "traces": indices, "data": _as_lists(moving(int(step)))}
        for step in shown
    ]
    layout.update(controls([int(s) for s in shown], needs_redraw(data), present, below))
    return go.Figure(data=[*data, *first], layout=layout, frames=frames)
