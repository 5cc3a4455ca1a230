"""Figures comparing finished runs: their curves overlaid, and a setting against test accuracy.

Data in (``RunRecord``s), ``go.Figure`` out; a colour per run, the same in both figures, and
a legend naming each run with what set it apart. Regressions (2D Playground) have R² where
classifiers have accuracy: the second panel and the scatter name whichever the runs have.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from nncore.style import PANEL_AXES, font, presenter_axes, two_panels
from nncore.training.compare import LOG_AXES, SCATTER_AXES, RunRecord

# Okabe–Ito, then Tol's muted: told apart by every kind of colour vision, for the first eight.
RUN_COLOURS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
    "#332288",
    "#882255",
    "#44AA99",
    "#999933",
)
LEGEND_LIMIT = 48
SCORE_TITLES = {"accuracy": "Accuracy", "r2": "R²"}
R2_FLOOR = -1.0  # an R² below it (worse than answering the mean) is off the chart's bottom


def score_title(records: Sequence[RunRecord]) -> str:
    """ "Accuracy", "R²", or both when the runs are of both kinds."""
    kinds = sorted({r.score for r in records}) or ["accuracy"]
    return " / ".join(SCORE_TITLES.get(k, k) for k in kinds)


def score_range(records: Sequence[RunRecord]) -> list[float]:
    """The score axis: 0–1 for accuracies; down to the lowest R² shown (never below R2_FLOOR)."""
    lowest = min(
        (
            v
            for r in records
            if r.score == "r2"
            for v in (*r.accuracy, *r.val_accuracy)
            if math.isfinite(v)
        ),
        default=0.0,
    )
    return [max(min(lowest, 0.0), R2_FLOOR), 1.02]


def run_colour(index: int) -> str:
    return RUN_COLOURS[index % len(RUN_COLOURS)]


def run_label(record: RunRecord, who: str = "") -> str:
    """The legend's name of a run: its name (and who shared it), then what set it apart.

    Escaped for plotly, which reads a few HTML tags in text (a link among them): a nickname
    such as ``<a href=…>`` is shown as typed, never as a link."""
    name = f"{who}: {record.name}" if who else record.name
    label = f"{name} ({record.changes})" if record.changes else name
    label = label if len(label) <= LEGEND_LIMIT else label[: LEGEND_LIMIT - 1] + "…"
    return label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 steps from just below ``low`` to just above ``high`` (at most a dozen)."""
    ticks: list[float] = []
    for exponent in range(math.floor(math.log10(low)), math.floor(math.log10(high)) + 2):
        ticks += [float(f"{m}e{exponent}") for m in (1, 2, 5)]
    inside = [t for t in ticks if low / 2 <= t <= high * 2]
    return inside[:: max(1, math.ceil(len(inside) / 12))]


def log_bounds(low: float, high: float) -> tuple[float, float]:
    """The 1-2-5 steps at or just below ``low`` and at or just above ``high``: a log axis
    spanning them shows at least two labelled ticks, however close the values are."""
    steps = [
        float(f"{m}e{exponent}")
        for exponent in range(math.floor(math.log10(low)) - 1, math.floor(math.log10(high)) + 2)
        for m in (1, 2, 5)
    ]
    return max(s for s in steps if s <= low), min(s for s in steps if s >= high)


def short_number(value: float) -> str:
    """2000 → "2k", 1500000 → "1.5M", 0.001 → "0.001"."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def overlay_curves(
    records: Sequence[RunRecord],
    labels: Sequence[str] | None = None,
    present: bool = False,
) -> go.Figure:
    """Loss and accuracy per epoch of several runs on one pair of axes: a colour per run, the
    test curve solid and the training curve dotted."""
    labels = list(labels) if labels is not None else [run_label(r) for r in records]
    traces = []
    for index, (record, label) in enumerate(zip(records, labels, strict=True)):
        colour = run_colour(index)
        pairs = [(record.loss, record.val_loss), (record.accuracy, record.val_accuracy)]
        for axes, (train, test) in zip(PANEL_AXES, pairs, strict=True):
            traces.append(
                go.Scatter(
                    x=list(record.epochs),
                    y=list(test),
                    name=label,
                    mode="lines" if len(record.epochs) > 2 else "lines+markers",
                    line={"color": colour, "width": 3},
                    legendgroup=str(index),
                    showlegend=axes is PANEL_AXES[0],
                    hovertemplate="%{fullData.name}<br>epoch %{x}<br>test %{y:.4g}<extra></extra>",
                    **axes,
                )
            )
            traces.append(
                go.Scatter(
                    x=list(record.epochs),
                    y=list(train),
                    name=f"{label} · train",  # not in the legend; named in the tooltip
                    mode="lines" if len(record.epochs) > 2 else "lines+markers",
                    line={"color": colour, "width": 2, "dash": "dot"},
                    legendgroup=str(index),
                    showlegend=False,
                    hovertemplate="%{fullData.name}<br>epoch %{x}<br>train %{y:.4g}<extra></extra>",
                    **axes,
                )
            )
    panels = two_panels(("Loss", score_title(records)), present)
    fig = go.Figure(
        traces,
        {
            **panels,
            "xaxis": {**panels["xaxis"], "title": {"text": "epoch"}},
            "xaxis2": {**panels["xaxis2"], "title": {"text": "epoch"}},
            "yaxis2": {**panels["yaxis2"], "range": score_range(records)},
            "height": round(460 * (1.25 if present else 1)),
            "font": font(present),
            "margin": {"l": 20, "r": 20, "t": 60, "b": 20},
            "legend": {"orientation": "h", "yanchor": "top", "y": -0.24, "x": 0},
            "title": {"text": "Solid: test · dotted: train", "font": font(present)},
        },
    )
    return presenter_axes(fig, present)


def settings_scatter(
    records: Sequence[RunRecord],
    axis: str = "params",
    labels: Sequence[str] | None = None,
    present: bool = False,
    axes: Mapping[str, str] = SCATTER_AXES,
) -> go.Figure:
    """Each run as one point: a setting (one of ``axes``) across, its test accuracy (or R²) up."""
    labels = list(labels) if labels is not None else [run_label(r) for r in records]
    accuracy_only = all(r.score == "accuracy" for r in records)
    score = "test " + score_title(records).replace("Accuracy", "accuracy")
    fig = go.Figure()
    for index, (record, label) in enumerate(zip(records, labels, strict=True)):
        x = record.axis_value(axis)
        if x is None:
            continue
        fig.add_trace(
            go.Scatter(
                x=[x],
                y=[record.test_accuracy],
                name=label,
                mode="markers",
                marker={"color": run_colour(index), "size": 16 if present else 12},
                hovertemplate="%{fullData.name}<br>%{x:,}<br>"
                + ("test accuracy %{y:.1%}" if record.score == "accuracy" else "test R² %{y:.3f}")
                + "<extra></extra>",
            )
        )
    fig.update_xaxes(title_text=axes.get(axis, axis), type="log" if axis in LOG_AXES else "-")
    xs = [x for r in records if (x := r.axis_value(axis)) is not None and x > 0]
    if axis in LOG_AXES and xs:
        # Plotly labels a log axis's minor ticks in small digits ("2 3 … 9"), unreadable on a
        # projector: 1-2-5 steps at full size instead.
        # The axis spans the steps around the values, so a few close values still get labels.
        below, above = log_bounds(min(xs), max(xs))
        ticks = log_ticks(below, above)
        fig.update_xaxes(
            tickvals=ticks,
            ticktext=[short_number(t) for t in ticks],
            range=[math.log10(below) - 0.1, math.log10(above) + 0.1],
        )
    if accuracy_only:
        fig.update_yaxes(title_text=score, range=[0, 1.02], tickformat=".0%")
    else:
        fig.update_yaxes(title_text=score, range=score_range(records))
    fig.update_layout(
        height=round(420 * (1.25 if present else 1)),
        font=font(present),
        margin={"l": 20, "r": 20, "t": 40, "b": 20},
        showlegend=len(records) <= 12,
        legend={"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0},
    )
    return presenter_axes(fig, present)
