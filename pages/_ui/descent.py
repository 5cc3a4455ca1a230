"""Gradient Descent: θ ← θ − η·∂f/∂θ animated on convex functions, optimizers side by side.

The page only wires widgets to ``nncore.descent`` (functions, Keras-exact optimizers, step-size
theory) and ``nncore.descent_figures`` (the animated plotly figures). It never imports
TensorFlow: the paths are computed with numpy, and the tests check them against Keras.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from nncore import descent, descent_figures
from pages._ui.widgets import publish_settings, restore_settings, setting_widget, show_url_notices

PAGE = "descent"
SETTINGS = descent.DESCENT_SETTINGS
S = descent.SETTINGS_BY_KEY


def set_eta(value: float) -> None:
    """Button callback: runs before the next script run, so the η control shows the value."""
    eta = S["eta"]
    st.session_state[eta.key] = min(max(float(value), eta.low), eta.high)


def hyper_eta() -> float:
    """The η the control currently holds (read before the rest of the settings)."""
    return float(st.session_state[S["eta"].key])


def theory_caption(info: descent.Theory) -> str:
    """L, μ and both thresholds, written next to the η control."""
    return (
        f"**L = {info.L:.3g}**, **μ = {info.mu:.3g}** (κ = {info.kappa:.3g}) · "
        f"gradient descent diverges above **2/L = {info.eta_max:.3g}** · "
        f"best fixed step **η\\* = 2/(L+μ) = {info.eta_best:.3g}**"
    )


# Where the settings come from: the link, then what this visitor last had, then defaults.
restore_settings(PAGE, SETTINGS)
st.title("Gradient descent: θ ← θ − η · ∂f/∂θ")
st.markdown(
    "Start somewhere, step against the slope, repeat. Choose a function, a learning rate η and "
    "the optimizers to race; press **▶ Play** under the picture. Every path is exactly what "
    "`keras.optimizers` computes with the same settings."
)
show_url_notices(PAGE)

# Controls: the function, the step size, the optimizers, the start.
col_fn, col_eta, col_opt, col_start = st.columns([1.1, 1.3, 1.0, 1.0], gap="medium")
with col_fn:
    fn_key = setting_widget(S["fn"], col_fn)
    function = descent.FUNCTIONS[fn_key]
    for key in descent.FUNCTION_PARAMS.get(fn_key, ()):
        setting_widget(S[key], col_fn)
    if function.dim == 2:
        setting_widget(S["view"], col_fn)
values: dict[str, Any] = {s.key: st.session_state[s.key] for s in SETTINGS}
problem = descent.make_problem(fn_key, values)
info = descent.theory(problem)

with col_eta:
    setting_widget(S["eta"], col_eta)
    if info is not None:
        st.markdown(theory_caption(info))
        limits = {"2/L": info.eta_max}
        st.plotly_chart(descent_figures.eta_scale_figure(hyper_eta(), info, limits),
                        key="descent_eta_scale", config={"displayModeBar": False})  # fmt: skip
        buttons = st.container(horizontal=True)
        for name, label, value, why in (
            ("best", "η*", info.eta_best, "Set η = 2/(L+μ): the fastest fixed step."),
            ("edge", "2/L", info.eta_max, "Set η = 2/L: the edge, gradient descent bounces."),
            ("over", "1.1 × 2/L", 1.1 * info.eta_max, "Set η just past the edge: it diverges."),
        ):
            buttons.button(label, key=f"descent_eta_{name}", on_click=set_eta, args=(value,),
                           help=why)  # fmt: skip
    else:
        start_here = descent.start_point(problem, values)
        st.markdown(descent.local_step_note(problem, start_here))
    setting_widget(S["steps"], col_eta)

with col_opt:
    st.markdown("**Optimizers**")
    for setting in descent.OPTIMIZER_SETTINGS:
        setting_widget(setting, col_opt)
    if st.session_state["momentum"] or st.session_state["nesterov"]:
        setting_widget(S["beta"], col_opt)

with col_start:
    if not st.session_state["custom_start"]:
        # Show the function's own start on the (disabled) sliders before they are drawn.
        for key, value in zip(("start1", "start2"), function.start, strict=False):
            st.session_state[key] = value
    setting_widget(S["custom_start"], col_start)
    setting_widget(S["start1"], col_start, disabled=not st.session_state["custom_start"])
    if function.dim == 2:
        setting_widget(S["start2"], col_start, disabled=not st.session_state["custom_start"])

values = {s.key: st.session_state[s.key] for s in SETTINGS}
hyper = descent.hyper_from(values)
chosen = descent.chosen_optimizers(values)
start = descent.start_point(problem, values)
steps = int(values["steps"])

# Compute: every chosen optimizer's path (numpy, the same arithmetic as Keras).
paths = descent.run_all(problem, chosen, start, steps, hyper)
x_min, f_min = descent.minimum(problem), descent.min_value(problem)

# Pictures: what went wrong first, then the animation.
if not function.convex:
    st.warning(f"**{function.label}**: {function.note} The guarantees below do not apply.")
if not chosen:
    st.info("Switch on at least one optimizer to see a path.")
for path in paths.values():
    if path.diverged_at is not None:
        st.error(descent.divergence_message(problem, path, hyper), icon="💥")
for note in descent.stability_notes(problem, [k for k in chosen if not paths[k].diverged_at],
                                    hyper):  # fmt: skip
    st.warning(note)

if function.dim == 1:
    figure = descent_figures.descent_figure_1d(problem, paths, steps, f_min, float(x_min[0]))
else:
    figure = descent_figures.descent_figure_2d(problem, paths, steps, f_min, x_min, values["view"])
st.plotly_chart(figure, key="descent_figure", config={"displaylogo": False})
if paths:
    st.table(descent.race_table(paths, f_min), hide_index=True)

# Explanation: the function, one gradient-descent step with its numbers, the first steps.
st.header("What you are looking at")
st.latex(function.formula)
st.markdown(function.note)

gd_path = paths.get("gd") or descent.run(problem, "gd", start, steps, hyper)
rows = descent.gd_steps(problem, gd_path, hyper.eta)
st.subheader("One step of plain gradient descent, with numbers")
st.latex(
    r"\theta_{t+1} = \theta_t - \eta\,\nabla f(\theta_t)"
    if function.dim == 2
    else r"\theta_{t+1} = \theta_t - \eta\, f'(\theta_t)"
)
if rows:
    last = len(rows) - 1
    if st.session_state[S["t"].key] > last:
        st.session_state[S["t"].key] = last
    if last > 0:
        setting_widget(replace(S["t"], high=last), st)
    shown = rows[int(st.session_state[S["t"].key])]
    st.latex(descent.gd_update_tex(shown, hyper.eta))
    st.markdown(f"**The first {min(len(rows), 10)} steps** (θ, f and the gradient at each):")
    st.table(descent.gd_table(rows[:10]), hide_index=True)
else:
    st.info("Gradient descent left the picture on its first step: there is no step to show.")
values = {s.key: st.session_state[s.key] for s in SETTINGS}

with st.expander("Why 2/L and 2/(L+μ)?", expanded=info is not None):
    st.markdown(
        "Near a minimum every smooth function looks like a quadratic "
        r"$\tfrac12\,\theta^\top A\,\theta$. A gradient step multiplies the distance to the "
        r"minimum along each curvature direction λ (an eigenvalue of A) by $(1 - \eta\lambda)$. "
        r"If $|1 - \eta L| > 1$ for the steepest curvature L, that distance grows every step: "
        r"**gradient descent diverges for η > 2/L**. The slowest direction (curvature μ) shrinks "
        r"by $|1 - \eta\mu|$; balancing both ends, $1 - \eta\mu = \eta L - 1$, gives the best "
        r"fixed step **η\* = 2/(L+μ)**, where the error shrinks by $(κ-1)/(κ+1)$ per step, "
        r"κ = L/μ. Momentum stays stable up to η = 2(1+β)/L; Nesterov (as Keras writes it) up "
        r"to 2(1+β)/((1+2β)L). Adagrad, RMSprop and Adam divide by the gradient's size, so "
        "their steps are about η long whatever the slope."
    )

with st.expander("The same paths in Keras"):
    st.code(
        "\n".join(descent.keras_line(key, hyper) for key in chosen) or "# no optimizer chosen",
        language="python",
    )
    st.markdown(
        "Each path is what these optimizers produce on a `keras.Variable` stepped with "
        "`tf.GradientTape` on the same function: the tests check 50 steps of each to a relative "
        "1e-5, and bit for bit when Keras is given the same gradients. "
        "Adam and RMSprop use Keras's defaults (β₁ = 0.9, β₂ = 0.999, ρ = 0.9, ε = 1e-7); "
        "Adagrad starts its accumulator at 0.1."
    )

publish_settings(PAGE, descent.relevant_values(values), SETTINGS)
