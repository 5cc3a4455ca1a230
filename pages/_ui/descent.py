"""Gradient Descent: θ ← θ − η·∂f/∂θ animated on convex functions, optimizers side by side.

The page only wires widgets to ``nncore.descent`` (functions, paths, theory, explanations,
figures) and never imports TensorFlow: the paths are numpy copies of ``keras.optimizers``,
which the tests check against Keras itself.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from nncore.descent import explain
from nncore.descent.figures import descent_figure_1d, descent_figure_2d, view_title
from nncore.descent.functions import (
    FUNCTION_PARAMS,
    FUNCTIONS,
    Function,
    Problem,
    make_problem,
    min_value,
    minimum,
)
from nncore.descent.number_line import eta_scale_figure
from nncore.descent.paths import Path, run, run_all
from nncore.descent.settings import (
    DESCENT_SETTINGS,
    OPTIMIZER_SETTINGS,
    SETTINGS_BY_KEY,
    chosen_optimizers,
    hyper_from,
    relevant_values,
    start_point,
)
from nncore.descent.theory import Theory, theory
from nncore.optimizers import Hyper
from pages._ui import state
from pages._ui.widgets import (
    PageWidgets,
    clear_url_notices,
    locked,
    presenter_mode,
    publish_settings,
    restore_settings,
    setting_widget,
    show_url_notices,
)

PAGE = "descent"
WIDGETS = PageWidgets(PAGE)
S = SETTINGS_BY_KEY
WORKED_ROWS = 10


def set_eta(value: float) -> None:
    """Button callback: runs before the next script run, so the η control shows the value."""
    eta = S["eta"]
    WIDGETS[eta.key] = eta.clamp(float(value))
    clear_url_notices(PAGE)


def figure_key(values: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """What shapes the page's figures: every setting but the worked example's step."""
    return tuple(sorted((key, value) for key, value in values.items() if key != S["t"].key))


def current_values() -> dict[str, Any]:
    """Every setting as its control holds it now."""
    return {s.key: WIDGETS[s.key] for s in DESCENT_SETTINGS}


def function_controls() -> Function:
    """The function and its shape (κ, angle or a), and for 2D the view."""
    function = FUNCTIONS[setting_widget(S["fn"])]
    for key in FUNCTION_PARAMS.get(function.key, ()):
        setting_widget(S[key])
    if function.dim == 2:
        setting_widget(S["view"])
    return function


def eta_controls(problem: Problem, info: Theory | None, present: bool) -> None:
    """η, where it sits on the number line, buttons for the telling values, and the steps:
    what a student moves while watching the picture beside (on a phone, right under) it."""
    setting_widget(S["eta"])
    if info is not None:
        eta = float(WIDGETS[S["eta"].key])
        shaped_by = ("descent_eta", eta, figure_key(current_values()), present)
        st.plotly_chart(
            state.shared_figure(shaped_by, lambda: eta_scale_figure(eta, info, present)),
            key="descent_eta_scale",
            config={"displayModeBar": False},
        )
        buttons = st.container(horizontal=True)
        for name, label, value, why in (
            ("best", "η*", info.eta_best, "Set η = 2/(L+μ): the fastest fixed step."),
            ("edge", "2/L", info.eta_max, "Set η = 2/L: the edge, gradient descent bounces."),
            ("over", "1.1 × 2/L", 1.1 * info.eta_max, "Set η just past the edge: it diverges."),
        ):
            buttons.button(
                label,
                key=f"descent_eta_{name}",
                on_click=set_eta,
                args=(value,),
                help=why,
                disabled=locked(PAGE),
            )
    setting_widget(S["steps"])


def eta_meaning(problem: Problem, info: Theory | None) -> None:
    """What η means here, in words: on a quadratic one plain sentence about the number line;
    elsewhere the safe step where the path starts and ends."""
    if info is None:
        st.markdown(explain.local_step_note(problem, start_point(problem, current_values())))
    else:
        st.markdown(explain.eta_sentence(info))


def optimizer_controls() -> None:
    st.markdown("**Optimizers**")
    for setting in OPTIMIZER_SETTINGS:
        setting_widget(setting)
    if WIDGETS["momentum"] or WIDGETS["nesterov"]:
        setting_widget(S["beta"])


def start_controls(function: Function) -> None:
    """The start point: the function's own (shown on disabled sliders) unless chosen."""
    custom = WIDGETS["custom_start"]
    if not custom:
        for key, value in zip(("start1", "start2"), function.start, strict=False):
            WIDGETS[key] = value
    setting_widget(S["custom_start"])
    setting_widget(S["start1"], disabled=not custom)
    if function.dim == 2:
        setting_widget(S["start2"], disabled=not custom)


def alerts(problem: Problem, paths: dict[str, Path], hyper: Hyper) -> None:
    """What went wrong, right under the picture: a non-convex surface, no optimizer,
    divergence (the picture marks where a path ran away)."""
    function = problem.function
    if not function.convex:
        st.warning(f"**{function.label}**: {function.note} The guarantees below do not apply.")
    if not paths:
        st.info("Switch on at least one optimizer to see a path.")
    for path in paths.values():
        if path.diverged_at is not None:
            st.error(explain.divergence_message(problem, path, hyper), icon=":material/bolt:")
    steady = [key for key, path in paths.items() if path.diverged_at is None]
    for note in explain.stability_notes(problem, steady, hyper):
        st.warning(note)


def picture(problem: Problem, paths: dict[str, Path], values: dict[str, Any]) -> None:
    """The animated figure under its title, how to read it under the figure."""
    steps, present = int(values["steps"]), presenter_mode()
    x_min, f_min = minimum(problem), min_value(problem)
    st.subheader(view_title(problem, values["view"]))

    def build() -> Any:
        if problem.dim == 1:
            return descent_figure_1d(problem, paths, steps, f_min, float(x_min[0]), present)
        return descent_figure_2d(problem, paths, steps, f_min, x_min, values["view"], present)

    figure = state.shared_figure(("descent_picture", figure_key(values), present), build)
    st.plotly_chart(figure, key="descent_figure", config={"displaylogo": False})
    # How to read it, under it: above, it pushed the picture and Play further from η.
    st.caption(explain.figure_caption(stacked=problem.dim == 2 and values["view"] == "surface"))


def race(problem: Problem, paths: dict[str, Path]) -> None:
    """How far each optimizer got, one row each."""
    if paths:
        st.table(explain.race_table(paths, min_value(problem)), hide_index=True)


def worked_example(problem: Problem, paths: dict[str, Path], values: dict[str, Any]) -> None:
    """The function's formula, then one plain gradient-descent step with its numbers."""
    function, hyper = problem.function, hyper_from(values)
    st.header("What you are looking at")
    st.latex(function.formula)
    st.markdown(function.note)
    start, steps = start_point(problem, values), int(values["steps"])
    sgd = paths.get("sgd") or run(problem, "sgd", start, steps, hyper)
    rows = explain.sgd_steps(problem, sgd)
    st.subheader("One step of plain gradient descent, with numbers")
    derivative = r"\nabla f(\theta_t)" if function.dim == 2 else r"f'(\theta_t)"
    st.latex(rf"\theta_{{t+1}} = \theta_t - \eta\,{derivative}")
    if not rows:
        st.info("Gradient descent left the picture on its first step: there is no step to show.")
        return
    last = len(rows) - 1
    if WIDGETS[S["t"].key] > last:
        WIDGETS[S["t"].key] = last
    if last > 0:
        setting_widget(replace(S["t"], high=last))
    st.latex(explain.sgd_update_tex(rows[int(WIDGETS[S["t"].key])], hyper.eta))
    st.markdown(f"**The first {min(len(rows), WORKED_ROWS)} steps** (θ, f and the gradient):")
    st.table(explain.sgd_table(rows[:WORKED_ROWS]), hide_index=True)


def theory_and_keras(info: Theory | None, chosen: list[str], hyper: Hyper) -> None:
    """The theory and the Keras code, each one click away."""
    with st.expander("Why 2/L and 2/(L+μ)?"):
        st.markdown(explain.eta_theory(info))
    with st.expander("The same paths in Keras"):
        code = "\n".join(explain.keras_line(key, hyper) for key in chosen)
        st.code(code or "# no optimizer chosen", language="python")
        st.markdown(
            "Each path is what these optimizers produce on a `keras.Variable` stepped with "
            "`tf.GradientTape` on the same function: the tests check 50 steps of each to a "
            "relative 1e-5, and bit for bit when Keras is given the same gradients. "
            "Adam and RMSprop use Keras's defaults (β₁ = 0.9, β₂ = 0.999, ρ = 0.9, ε = 1e-7); "
            "Adagrad starts its accumulator at 0.1."
        )


def render() -> None:
    """η and the animation side by side (on a phone, one under the other), then the function,
    start and optimizers, the race, the worked step, the theory."""
    restore_settings(PAGE, DESCENT_SETTINGS)
    st.title("Gradient descent: θ ← θ − η · ∂f/∂θ")
    st.markdown(
        "Start somewhere, step against the slope, repeat. Move the learning rate η and press "
        "**▶ Play** on the picture; choose the function and the optimizers to race under it. "
        "Every path is exactly what `keras.optimizers` computes with the same settings."
    )
    show_url_notices(PAGE)
    present = presenter_mode()
    # The controls below the picture are drawn after it, but the picture needs their values:
    # the function's settings are read from the session (restored above) before they are drawn.
    function = FUNCTIONS[WIDGETS[S["fn"].key]]
    problem = make_problem(function.key, current_values())
    info = theory(problem)
    col_eta, col_picture = st.columns([1.0, 1.9], gap="medium")
    with col_eta:
        eta_controls(problem, info, present)
    setup_fn, setup_opt = st.columns([1.15, 1.0], gap="medium")
    with setup_fn:
        function = function_controls()
        start_controls(function)
    with setup_opt:
        optimizer_controls()

    values = current_values()
    problem = make_problem(function.key, values)
    info = theory(problem)
    hyper, chosen = hyper_from(values), chosen_optimizers(values)
    paths = run_all(problem, chosen, start_point(problem, values), int(values["steps"]), hyper)
    with col_picture:
        picture(problem, paths, values)
        alerts(problem, paths, hyper)  # under the picture, which stays beside η
        eta_meaning(problem, info)  # under the picture: on a phone η stays right above it
    race(problem, paths)
    worked_example(problem, paths, values)
    theory_and_keras(info, chosen, hyper)
    publish_settings(PAGE, relevant_values(current_values()), DESCENT_SETTINGS)
