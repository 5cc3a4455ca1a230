"""Gradient Descent, server and browser: the cost of a redraw, and of a frame of the animation.

Server: what a /descent rerun computes, 6 optimizers × 500 steps, figure built and turned into
the JSON ``st.plotly_chart`` sends. Ours is the page's code (``run_all`` steps all optimizers in
lockstep, the figure is assembled from plain dicts, the 2D level lines are scatter). The
baseline is how a competent engineer would write it from the plotly docs: each optimizer run on
its own with the same update rules, a ``go.Figure`` of graph objects with plotly's contour (or
surface) trace, frames of ``go.Frame``/``go.Scatter`` that replace only the moving markers.
Target: ours at most 150 ms median in every case, printed with "met" or "MISSED" (the target
this benchmark had from the start; it then left the JSON out, which is now timed too).

Browser: the same Rosenbrock race in Chromium, served with ``appdriver``. The straightforward
fix for contours that vanish on Play is plotly's advice, ``redraw: true``: every frame then
repaints the whole figure. Ours draws the level lines as scatter and the shading as an image,
so frames only move markers. Both figures are otherwise identical; each round animates ten
frames of one of them at full speed (frame duration 0), alternating, and the time between
frames is read in the page from plotly's ``plotly_animatingframe`` events.

Everything is warmed up first and ours and the baseline alternate, so load on the machine hits
both alike. Prints ``name: value unit`` lines and ratios (baseline / ours: above 1, ours is
faster). Run: .venv/bin/python benchmarks/descent_speed.py [server_rounds]
"""

from __future__ import annotations

import copy
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appdriver import CHROMIUM, CHROMIUM_FLAGS, open_page, running_app  # noqa: E402
from benchmarks.harness import verdict  # noqa: E402
from nncore.descent.animation import controls, frame_steps  # noqa: E402
from nncore.descent.figures import (  # noqa: E402
    LEVELS,
    descent_figure_1d,
    descent_figure_2d,
    view_bounds,  # noqa: E402
)
from nncore.descent.functions import make_problem, min_value, minimum  # noqa: E402
from nncore.descent.paths import run, run_all  # noqa: E402
from nncore.optimizers import OPTIMIZERS, Hyper  # noqa: E402

SERVER_ROUNDS = 25
TARGET_MS = 150.0  # ours, median, in every case
WARM_UP = 3
STEPS = 500
KEYS = list(OPTIMIZERS)
SHAPE = {"a": 1.0, "kappa": 100.0, "angle": 30.0}
HYPER = Hyper(eta=0.05)
# (name, function, view, η): every kind of picture the page draws
CASES = [
    ("quadratic_1d", "quadratic", "contour", 0.05),
    ("bowl_contour", "bowl", "contour", 0.05),
    ("logreg_surface", "logreg", "surface", 0.05),
    ("rosenbrock_contour", "rosenbrock", "contour", 1e-3),
]
FRAMES_PER_ROUND = 10  # six rounds of each figure use the 60 frames once


def point(x: np.ndarray) -> tuple[float, ...]:
    """A point as the figures take it: plain floats."""
    return tuple(float(v) for v in x)


def _setup(key: str, eta: float):
    problem = make_problem(key, SHAPE)
    return problem, np.array(problem.function.start), Hyper(eta=eta)


def ours(key: str, view: str, eta: float) -> str:
    """What the page does on every rerun, up to the JSON Streamlit sends."""
    problem, start, hyper = _setup(key, eta)
    paths = run_all(problem, KEYS, start, STEPS, hyper)
    x_min, f_min = minimum(problem), min_value(problem)
    if problem.dim == 1:
        figure = descent_figure_1d(problem, paths, STEPS, f_min, float(x_min[0]))
    else:
        figure = descent_figure_2d(problem, paths, STEPS, f_min, point(x_min), view)
    return pio.to_json(figure.to_dict(), validate=False)


def baseline(key: str, view: str, eta: float) -> str:
    """The same picture the plotly-docs way: graph objects, plotly's contour/surface trace."""
    problem, start, hyper = _setup(key, eta)
    paths = {k: run(problem, k, start, STEPS, hyper) for k in KEYS}
    x_min, f_min = minimum(problem), min_value(problem)
    bounds = view_bounds(problem, paths)
    fig = go.Figure()
    if problem.dim == 1:
        grid = np.linspace(*bounds[0], 400)
        fig.add_trace(go.Scatter(x=grid, y=problem.value(grid[:, None]), mode="lines"))
        xy = {k: (p.points[:, 0], p.losses) for k, p in paths.items()}
    else:
        gx, gy = (np.linspace(*b, 80) for b in bounds)
        z = problem.value(np.stack(np.meshgrid(gx, gy), axis=-1))
        if problem.function.log_contours:
            z = np.log10(z - f_min + 1e-2)
        if view == "surface":
            fig.add_trace(go.Surface(x=gx, y=gy, z=z, showscale=False))
        else:
            fig.add_trace(go.Contour(x=gx, y=gy, z=z, ncontours=28, showscale=False))
        xy = {k: (p.points[:, 0], p.points[:, 1]) for k, p in paths.items()}
    fig.add_trace(go.Scatter(x=[x_min[0]], y=[f_min if problem.dim == 1 else x_min[1]]))
    for k, (x, y) in xy.items():
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines+markers",
                name=OPTIMIZERS[k].label,
                line={"color": OPTIMIZERS[k].color},
            )
        )
    for k, p in paths.items():
        loss = np.maximum(p.losses - f_min, 1e-16)
        fig.add_trace(
            go.Scatter(
                x=np.arange(p.steps + 1),
                y=loss,
                xaxis="x2",
                yaxis="y2",
                line={"color": OPTIMIZERS[k].color},
            )
        )

    def now(step: int) -> list[go.Scatter]:
        at = [min(step, p.steps) for p in paths.values()]
        x = [xy[k][0][i] for k, i in zip(paths, at, strict=True)]
        y = [xy[k][1][i] for k, i in zip(paths, at, strict=True)]
        loss = [p.losses[i] - f_min for p, i in zip(paths.values(), at, strict=True)]
        return [
            go.Scatter(x=x, y=y, mode="markers"),
            go.Scatter(x=at, y=loss, mode="markers", xaxis="x2", yaxis="y2"),
        ]

    moving = list(range(len(fig.data), len(fig.data) + 2))
    fig.add_traces(now(0))
    shown = [int(s) for s in frame_steps(STEPS)]
    fig.frames = [go.Frame(name=str(s), data=now(s), traces=moving) for s in shown]
    fig.update_layout(
        xaxis={"domain": [0, 0.56]},
        xaxis2={"domain": [0.71, 1], "anchor": "y2"},
        yaxis2={"type": "log", "anchor": "x2"},
        **controls(shown, redraw=problem.dim == 2),
    )
    return pio.to_json(fig.to_dict(), validate=False)


def server_times(rounds: int) -> None:
    worst = 0.0
    for name, key, view, eta in CASES:
        for _ in range(WARM_UP):
            ours(key, view, eta), baseline(key, view, eta)
        times: dict[str, list[float]] = {"ours": [], "baseline": []}
        for i in range(rounds):
            pair = [("ours", ours), ("baseline", baseline)]
            for label, work in pair if i % 2 == 0 else pair[::-1]:
                started = time.perf_counter()
                work(key, view, eta)
                times[label].append((time.perf_counter() - started) * 1000)
        mine, base = statistics.median(times["ours"]), statistics.median(times["baseline"])
        size = len(ours(key, view, eta)) / 1e6
        print(f"descent_{name}_ours_median: {mine:.1f} ms")
        print(f"descent_{name}_baseline_median: {base:.1f} ms")
        print(f"descent_{name}_ratio: {base / mine:.2f} x (baseline / ours)")
        print(f"descent_{name}_json_size: {size:.2f} MB")
        worst = max(worst, mine)
    print(
        f"descent_worst_ours_median: {worst:.1f} ms "
        f"(target <= {TARGET_MS:g} ms in every case: {verdict(worst <= TARGET_MS)})"
    )


# ---------------------------------------------------------------- in the browser


def play_figures() -> tuple[dict, dict]:
    """The Rosenbrock race (6 × 500 steps) as the page draws it, and the same figure with
    plotly's contour trace redrawn every frame. Both get a row of buttons that each play ten
    frames at full speed."""
    problem, start, hyper = _setup("rosenbrock", 1e-3)
    paths = run_all(problem, KEYS, start, STEPS, hyper)
    x_min, f_min = minimum(problem), min_value(problem)
    mine = descent_figure_2d(problem, paths, STEPS, f_min, point(x_min)).to_dict()
    theirs = copy.deepcopy(mine)
    (x_lo, x_hi), (y_lo, y_hi) = view_bounds(problem, paths)
    gx, gy = np.linspace(x_lo, x_hi, 80), np.linspace(y_lo, y_hi, 80)
    z = np.asarray(problem.value(np.stack(np.meshgrid(gx, gy), axis=-1)), dtype=float)
    levels = next(i for i, t in enumerate(theirs["data"]) if t.get("name") == LEVELS)
    theirs["data"][levels] = {
        "type": "contour",
        "x": gx,
        "y": gy,
        "z": np.log10(z - f_min + 1e-2),
        "ncontours": 28,
        "showscale": False,
        "hoverinfo": "skip",
        "colorscale": [[0, "#f7f7f7"], [1, "#bdbdbd"]],
    }
    theirs["layout"].pop("images")
    names = [frame["name"] for frame in mine["frames"]]
    for spec, redraw in ((mine, False), (theirs, True)):
        fast = {
            "frame": {"duration": 0, "redraw": redraw},
            "transition": {"duration": 0},
            "mode": "next",
        }
        rounds = [names[i : i + FRAMES_PER_ROUND] for i in range(0, len(names), FRAMES_PER_ROUND)]
        spec["layout"]["updatemenus"].append(
            {
                "type": "buttons",
                "direction": "left",
                "x": 0.5,
                "y": 1.25,
                "showactive": False,
                "buttons": [
                    {"label": f"r{i}", "method": "animate", "args": [frames, fast]}
                    for i, frames in enumerate(rounds)
                ],
            }
        )
    return mine, theirs


PAGE_SCRIPT = """
import importlib.util, sys
sys.path.insert(0, {root!r})
import streamlit as st
spec = importlib.util.spec_from_file_location("descent_speed", {path!r})
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
mine, theirs = bench.play_figures()
st.plotly_chart(theirs, key="baseline")
st.plotly_chart(mine, key="ours")
"""
STAMPS_JS = """gd => {
  gd.__stamps = []; gd.__done = 0;
  gd.on('plotly_animatingframe', () => gd.__stamps.push(performance.now()));
  gd.on('plotly_animated', () => { gd.__done += 1; });
}"""


def browser_frame_times() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "descent_play.py"
        script.write_text(PAGE_SCRIPT.format(root=str(ROOT), path=str(Path(__file__).resolve())))
        with running_app(script=script) as (url, _), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 2000})
            open_page(page, url)
            charts = {k: page.locator(f".st-key-{k} .js-plotly-plot") for k in ("ours", "baseline")}
            for chart in charts.values():
                chart.locator(".main-svg").first.wait_for(timeout=60_000)
                chart.evaluate(STAMPS_JS)
            gaps: dict[str, list[float]] = {"ours": [], "baseline": []}
            rounds = len(page.locator(".st-key-ours .updatemenu-button").all()) - 2
            for i in range(rounds):  # round 0 of each is the warm-up
                order = ["ours", "baseline"] if i % 2 == 0 else ["baseline", "ours"]
                for label in order:
                    chart = charts[label]
                    done = chart.evaluate("gd => { gd.__stamps = []; return gd.__done; }")
                    chart.get_by_text(f"r{i}", exact=True).click()
                    page.wait_for_function(
                        "([gd, done]) => gd.__done > done",
                        arg=[chart.element_handle(), done],
                        timeout=300_000,
                    )
                    stamps = chart.evaluate("gd => gd.__stamps")
                    if i > 0:
                        gaps[label] += list(np.diff(stamps))
            browser.close()
    mine, base = statistics.median(gaps["ours"]), statistics.median(gaps["baseline"])
    print(
        f"descent_play_frames_measured: {len(gaps['ours'])} ours, {len(gaps['baseline'])} baseline"
    )
    print(f"descent_play_frame_ours_median: {mine:.1f} ms")
    print(f"descent_play_frame_baseline_median: {base:.1f} ms (contour trace, redraw: true)")
    print(f"descent_play_frame_ratio: {base / mine:.2f} x (baseline / ours)")
    print(f"descent_play_60_frames_ours: {60 * mine / 1000:.2f} s at full speed")
    print(f"descent_play_60_frames_baseline: {60 * base / 1000:.2f} s at full speed")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else SERVER_ROUNDS
    print(f"load_average_1min: {os.getloadavg()[0]:.2f} processes on {os.cpu_count()} cores")
    server_times(rounds)
    browser_frame_times()
    print(f"load_average_1min_after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
