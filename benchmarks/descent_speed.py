"""Server time to redraw /descent: 6 optimizers × 500 steps computed and the animated figure built.

Run: ``python benchmarks/descent_speed.py``. Prints ``name: value unit`` lines. Target: the
median of ours at most 150 ms in every view (1D curve, 2D contours, 3D surface, Rosenbrock).
The baseline, measured in the same run on the same settings, is the straightforward way: each
optimizer stepped on its own, and a figure animated the way plotly's tutorials do it (one styled
``go.Scatter`` per optimizer in every ``go.Frame``). The time Streamlit then spends turning our
figure into JSON (``figure.to_dict()`` and ``plotly.io.to_json``) is printed too, since it also
runs on the server for each redraw.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nncore import descent, descent_figures  # noqa: E402

RUNS = 15
BASELINE_RUNS = 3
TARGET_MS = 150.0
STEPS = 500
OPTIMIZERS = list(descent.OPTIMIZERS)
# (name, function, view): every kind of picture the page draws
CASES = [
    ("quadratic_1d", "quadratic", "contour"),
    ("bowl_contour", "bowl", "contour"),
    ("logreg_surface", "logreg", "surface"),
    ("rosenbrock_contour", "rosenbrock", "contour"),
]
SHAPE = {"a": 1.0, "kappa": 100.0, "angle": 30.0}
HYPER = descent.Hyper(eta=0.05)


def timings_ms(work: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and best wall time of ``work()`` in milliseconds, after one warm-up call. The
    best run is what the code costs on an idle core; the median includes this machine's load."""
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def ours(key: str, view: str) -> go.Figure:
    """What the page does on every rerun."""
    problem = descent.make_problem(key, SHAPE)
    start = np.array(problem.function.start)
    paths = descent.run_all(problem, OPTIMIZERS, start, STEPS, HYPER)
    x_min, f_min = descent.minimum(problem), descent.min_value(problem)
    if problem.dim == 1:
        return descent_figures.descent_figure_1d(problem, paths, STEPS, f_min, float(x_min[0]))
    return descent_figures.descent_figure_2d(problem, paths, STEPS, f_min, x_min, view)


def baseline(key: str, view: str) -> go.Figure:
    """The same paths and frame steps, done the straightforward way."""
    problem = descent.make_problem(key, SHAPE)
    start = np.array(problem.function.start)
    paths = {k: descent.run(problem, k, start, STEPS, HYPER) for k in OPTIMIZERS}
    coords = (lambda p, i: (p.points[i, 0], p.losses[i])) if problem.dim == 1 else (
        lambda p, i: (p.points[i, 0], p.points[i, 1])
    )  # fmt: skip

    def traces(step: int) -> list[go.Scatter]:
        shown = []
        for k, p in paths.items():
            upto = min(step, p.steps)
            x, y = coords(p, slice(0, upto + 1))
            shown.append(go.Scatter(x=x, y=y, mode="lines+markers", name=k,
                                    line={"color": descent.OPTIMIZERS[k].color}))  # fmt: skip
        return shown

    frames = [go.Frame(name=str(s), data=traces(int(s)))
              for s in descent_figures.frame_steps(STEPS)]  # fmt: skip
    return go.Figure(data=traces(0), frames=frames)


def streamlit_json(figure: go.Figure) -> str:
    """What ``st.plotly_chart`` does with the figure before sending it."""
    return pio.to_json(figure.to_dict(), validate=False)


def main() -> None:
    print(f"load_average_1min: {os.getloadavg()[0]:.2f} processes on {os.cpu_count()} cores")
    worst = worst_best = 0.0
    for name, key, view in CASES:
        mine, mine_best = timings_ms(lambda k=key, v=view: ours(k, v), RUNS)
        base, base_best = timings_ms(lambda k=key, v=view: baseline(k, v), BASELINE_RUNS)
        figure = ours(key, view)
        serialise, _ = timings_ms(lambda f=figure: streamlit_json(f), RUNS)
        size = len(streamlit_json(figure)) / 1e6
        worst, worst_best = max(worst, mine), max(worst_best, mine_best)
        print(f"descent_{name}_ours_median: {mine:.1f} ms")
        print(f"descent_{name}_ours_best: {mine_best:.1f} ms")
        print(f"descent_{name}_baseline_median: {base:.1f} ms")
        print(f"descent_{name}_ratio_median: {mine / base:.3f} x")
        print(f"descent_{name}_ratio_best: {mine_best / base_best:.3f} x")
        print(f"descent_{name}_streamlit_json_median: {serialise:.1f} ms")
        print(f"descent_{name}_figure_size: {size:.2f} MB")
        print(f"descent_{name}_frames: {len(figure.frames)} frames")
    print(f"descent_worst_ours_median: {worst:.1f} ms")
    print(f"descent_worst_ours_best: {worst_best:.1f} ms")
    print(f"descent_target: {TARGET_MS:.0f} ms")
    print(f"descent_worst_median_over_target: {worst / TARGET_MS:.2f} x")


if __name__ == "__main__":
    main()
