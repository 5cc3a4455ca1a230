"""Backpropagation, by the numbers: the chain rule worked out on a network small enough to
check by hand, the classic 2-2-2 textbook example by default.

The page reads its controls into a ``Network``, hands it to ``nncore.backprop`` (numpy only:
this page never imports TensorFlow) and shows what comes back in stages: the forward pass,
the backward pass for the chosen weight, the update, then many updates.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from nncore.backprop import explain, figures, notes, tables
from nncore.backprop.keras_code import keras_snippet
from nncore.backprop.network import (
    Network,
    Parameter,
    network_from_values,
    parameter_values,
    parameters_of,
)
from nncore.backprop.passes import Backward, Forward, Training, backward, forward, train, update
from nncore.backprop.preset import textbook_values
from nncore.backprop.settings import (
    BACKPROP_SETTINGS,
    EXPLAIN,
    HIDDEN_BIAS_SETTINGS,
    HIDDEN_WEIGHT_SETTINGS,
    INPUT_SETTINGS,
    LEARNING_SETTINGS,
    OUTPUT_BIAS_SETTINGS,
    OUTPUT_WEIGHT_SETTINGS,
    SETTINGS_BY_KEY,
    STRUCTURE_SETTINGS,
    TARGET_SETTINGS,
    TRAIN_STEPS,
)
from nncore.numbers import significant
from nncore.settings import Setting
from pages._ui.widgets import (
    PageWidgets,
    classroom,
    clear_url_notices,
    locked,
    presenter_mode,
    publish_settings,
    restore_settings,
    setting_widget,
    show_url_notices,
)

PAGE = "backprop"
WIDGETS = PageWidgets(PAGE)
STAGE = "_backprop_stage"  # 0 nothing computed yet, 1 forward, 2 backward, 3 update
TRAINED = "_backprop_trained"  # (network signature, Training) of the last "Train" press
TRAIN_REQUESTED = "_backprop_train_requested"
KEPT = "_backprop_kept"  # a sentence after "keep the new weights" could not keep them
DIAGRAM = "backprop_diagram"
STAGES = {"forward": (1, "Forward"), "backward": (2, "Backward"), "update": (3, "Update")}


def render() -> None:
    """Controls, then the network drawn with its numbers, then the passes explained."""
    st.title("Backpropagation by the numbers")  # no comma to wrap alone on a phone
    st.markdown(
        "The chain rule, added up. A tiny network, every number on show: press **Forward**, "
        "**Backward** and **Update** to work one step of training the way a teacher does on "
        "the board. It opens on the classic textbook example (Matt Mazur's *A Step by Step "
        "Backpropagation Example*), so you can check every number against it."
    )
    restore_settings(PAGE, BACKPROP_SETTINGS)
    show_url_notices(PAGE)
    if message := st.session_state.pop(KEPT, None):  # "keep the new weights" could not
        st.warning(message, icon=":material/warning:")
    present = presenter_mode()
    controls, picture = st.columns([1, 2], gap="large")
    with controls:
        network_controls()
    value_controls()
    values = {s.key: WIDGETS[s.key] for s in BACKPROP_SETTINGS}
    network = network_from_values(values)
    selected = chosen_parameter(network, values)
    publish_settings(PAGE, values, BACKPROP_SETTINGS)

    fwd = forward(network)
    back = backward(network, fwd)
    after = update(network, back)
    stage = st.session_state.get(STAGE, 0)
    with picture:
        # The buttons and what the last press gave first, under the introduction: on a laptop
        # both are on the first screen, the diagram with every number right under them.
        walkthrough_buttons(stage)
        summary = notes.walkthrough_summary(network, fwd, back, after, selected, stage)
        st.info(summary, icon=":material/play_arrow:" if stage == 0 else ":material/check:")
        figure = figures.network_figure(
            network,
            fwd if stage >= 1 else None,
            back if stage >= 2 else None,
            selected.key,
            present,
        )
        st.plotly_chart(
            figure,
            key=DIAGRAM,
            on_select=pick_from_diagram,
            selection_mode="points",
            config={"displayModeBar": False},
        )
        explain_menu(network)

    if stage >= 1:
        show_forward(network, fwd, back, selected)
    if stage >= 2:
        show_backward(network, fwd, back, selected)
    if stage >= 3:
        show_update(network, back, after, selected)
    show_training(network, values, present)
    with st.expander("Same in Keras: `tf.GradientTape` computes these gradients"):
        st.markdown(
            "TensorFlow applies the same chain rule automatically. This code builds the network "
            f"above in Keras and prints E_total and ∂E/∂{selected.plain}: the same numbers as "
            "this page."
        )
        st.code(keras_snippet(network, selected), language="python")


def network_controls() -> None:
    """The network's shape, activations and loss, η, and the textbook preset."""
    st.button(
        "Textbook example",
        key="preset",
        icon=":material/menu_book:",
        on_click=load_textbook,
        width="stretch",
        disabled=locked(PAGE),
    )
    shape = st.columns(3)
    for setting, column in zip(STRUCTURE_SETTINGS[:3], shape, strict=True):
        setting_widget(setting, column)
    for setting in (*STRUCTURE_SETTINGS[3:], *LEARNING_SETTINGS):
        setting_widget(setting)


def value_controls() -> None:
    """Every input, target, weight and bias as a number box, layer by layer."""
    n_in, n_hidden, n_out = (int(WIDGETS[k]) for k in ("n_in", "n_hidden", "n_out"))
    names = {p.key: p.label for p in parameters_of((n_in, n_hidden, n_out))}
    with st.expander(
        "Edit every number: inputs, targets, weights, biases",
        expanded=False,
        icon=":material/edit:",
    ):
        st.markdown("**Inputs and targets**")
        row = st.columns(n_in + n_out)
        for i in range(n_in):
            number_widget(INPUT_SETTINGS[i], f"input i{i + 1}", row[i])
        for k in range(n_out):
            number_widget(TARGET_SETTINGS[k], f"target t{k + 1} (for o{k + 1})", row[n_in + k])
        st.markdown("**Hidden layer**: the weights into each hidden neuron, and its bias")
        for j in range(n_hidden):
            row = st.columns(n_in + 1)
            for i in range(n_in):
                setting = HIDDEN_WEIGHT_SETTINGS[i, j]
                number_widget(setting, names[setting.key], row[i])
            number_widget(HIDDEN_BIAS_SETTINGS[j], f"b_h{j + 1} (bias of h{j + 1})", row[n_in])
        st.markdown("**Output layer**: the weights into each output, and its bias")
        for k in range(n_out):
            row = st.columns(n_hidden + 1)
            for j in range(n_hidden):
                setting = OUTPUT_WEIGHT_SETTINGS[j, k]
                number_widget(setting, names[setting.key], row[j])
            number_widget(OUTPUT_BIAS_SETTINGS[k], f"b_o{k + 1} (bias of o{k + 1})", row[n_hidden])


def number_widget(setting: Setting, label: str, container: Any) -> float:
    """A number box for one value, obeying the teacher's ``hide=``/``lock=`` like
    ``setting_widget`` (which draws sliders; a weight of 0.15 wants to be typed)."""
    view = classroom(PAGE)
    if setting.key in view.hidden:
        return WIDGETS[setting.key]
    return container.number_input(
        label,
        min_value=setting.bounds[0],
        max_value=setting.bounds[1],
        step=setting.step,
        format="%g",
        key=WIDGETS.key(setting.key),
        help=setting.help or None,
        disabled=view.locked,
    )


def chosen_parameter(network: Network, values: dict[str, Any]) -> Parameter:
    """The weight to explain: the link's or the clicked one, or w5's place if this shape
    has no such weight (a smaller network), falling back to the first weight."""
    chosen = network.parameter(values[EXPLAIN.key])
    if chosen is None:
        chosen = network.parameter(EXPLAIN.default) or network.parameters[0]
        WIDGETS[EXPLAIN.key] = values[EXPLAIN.key] = chosen.key
    return chosen


def explain_menu(network: Network) -> None:
    """The always-working way to choose a weight (clicking the diagram is the quick one)."""
    view = classroom(PAGE)
    if EXPLAIN.key in view.hidden:
        return
    labels = {p.key: p.label for p in network.parameters}
    st.selectbox(
        "Weight to explain (or click its square on the diagram; a neuron for its bias)",
        list(labels),
        format_func=labels.__getitem__,
        key=WIDGETS.key(EXPLAIN.key),
        disabled=view.locked,
    )


def pick_from_diagram() -> None:
    """Chart callback: a click on a weight's square (or a neuron) chooses what to explain."""
    state = st.session_state.get(DIAGRAM)
    points = state["selection"]["points"] if state else []
    for point in points:
        key = point.get("customdata")
        key = key[0] if isinstance(key, list) and key else key
        if isinstance(key, str) and key in EXPLAIN.choices and not classroom(PAGE).locked:
            WIDGETS[EXPLAIN.key] = key
            return


def walkthrough_buttons(stage: int) -> None:
    """Forward, Backward, Update: each press reveals one more step (the next one is blue)."""
    columns = st.columns(3)
    for column, (key, (level, label)) in zip(columns, STAGES.items(), strict=True):
        column.button(
            label,
            key=key,
            on_click=set_stage,
            args=(level,),
            type="primary" if level == stage + 1 else "secondary",
            width="stretch",
        )


def set_stage(level: int) -> None:
    """Button callback: how much of the walkthrough to show (1 forward … 3 update)."""
    st.session_state[STAGE] = level


def load_textbook() -> None:
    """Preset callback: every value back to the textbook example, walkthrough from the start."""
    WIDGETS.update(textbook_values())
    st.session_state[STAGE] = 0
    st.session_state.pop(TRAINED, None)
    clear_url_notices(PAGE)


def keep(values: dict[str, float]) -> None:
    """Button callback: make new weights the current ones, then start the walkthrough again."""
    outside = [key for key, value in values.items() if SETTINGS_BY_KEY[key].clamp(value) != value]
    if outside:
        st.session_state[KEPT] = (
            f"Could not keep the new values: {', '.join(outside)} would be outside "
            "−1000…1000 or not a number. Try a smaller learning rate."
        )
        return
    WIDGETS.update(values)
    st.session_state[STAGE] = 1
    st.session_state.pop(TRAINED, None)


def formula_grid(groups: list[list[str]], per_row: int = 2) -> None:
    """Derivations side by side, two to a row: a derivation is written to fit a phone's
    width, which is about half a laptop's page (on a phone the columns stack)."""
    for start in range(0, len(groups), per_row):
        for column, group in zip(
            st.columns(per_row), groups[start : start + per_row], strict=False
        ):
            for block in group:
                column.latex(block)


def show_problems(network: Network, fwd: Forward, back: Backward) -> None:
    for sentence in notes.problems(network, fwd, back):
        st.warning(sentence, icon=":material/warning:")
    for sentence in notes.remarks(network, fwd, back):
        st.info(sentence, icon=":material/lightbulb:")


def show_forward(network: Network, fwd: Forward, back: Backward, p: Parameter) -> None:
    st.header("1 · Forward pass")
    st.markdown(
        "Each neuron adds up its inputs times their weights, plus its bias (the *net* input), "
        "and passes that sum through its activation (its *out*). Worked out for the neurons "
        f"on {p.plain}'s path; the table has them all."
    )
    show_problems(network, fwd, back)
    hidden = p.neuron if p.layer == "hidden" else (p.source or 0)
    output = p.neuron if p.layer == "output" else 0
    formula_grid(
        [
            explain.forward_latex(network, fwd, "hidden", hidden),
            explain.forward_latex(network, fwd, "output", output),
        ]
    )
    st.markdown("Each output's error, and the total error the network is trained to shrink:")
    formula_grid([[block] for block in explain.error_latex(network, fwd)])
    st.table(tables.forward_table(network, fwd), hide_index=True)


def show_backward(network: Network, fwd: Forward, back: Backward, p: Parameter) -> None:
    st.header(f"2 · Backward pass: ∂E/∂{p.plain}")
    chain = explain.chain_latex(network, fwd, back, p)
    if p.layer == "hidden":
        st.markdown(
            f"{p.plain} reaches the error through every output, so its chain starts with a sum "
            "over the outputs. First each output's δ = ∂E/∂net, worked out exactly as for an "
            "output weight:"
        )
    elif chain.outputs:
        st.markdown("Softmax outputs share one denominator, so each ∂E/∂out counts for δ:")
    else:
        st.markdown(f"How much the error changes when {p.plain} moves: three factors, multiplied.")
    formula_grid(chain.outputs)
    if chain.outputs:
        st.markdown(f"Then the factors of ∂E/∂{p.plain}:")
    formula_grid([[block] for block in chain.factors])
    st.latex(chain.result)
    if p.layer == "hidden":
        st.caption(
            f"The slope of {network.hidden_activation}: ${explain.activation_rule(network)}$"
        )
    st.markdown(
        "Every neuron's δ, and every weight's gradient ∂E/∂w = δ of the neuron it feeds × what it multiplies:"
    )
    st.table(tables.delta_table(network, back), hide_index=True)
    st.table(tables.gradient_table(network, back), hide_index=True)


def show_update(network: Network, back: Backward, after: Network, p: Parameter) -> None:
    st.header("3 · Update")
    st.markdown(
        f"Gradient descent moves every weight a step η = {network.eta:g} against its gradient, "
        "all at once (the backward pass above used the old weights throughout)."
    )
    st.latex(explain.update_latex(network, back, p))
    st.table(tables.update_table(network, after), hide_index=True)
    new_total = forward(after).total
    st.markdown(
        f"With the new weights, E_total goes from **{tables.number(forward(network).total)}** "
        f"to **{tables.number(new_total)}**."
    )
    st.button(
        "Keep the new weights",
        key="keep",
        on_click=keep,
        args=(parameter_values(after),),
        disabled=locked(PAGE),
    )


def request_training() -> None:
    """Button callback: train on this run (a flag, since the run may restart before the
    button is reached, which would forget a plain ``if st.button``)."""
    st.session_state[TRAIN_REQUESTED] = True


def signature(values: dict[str, Any]) -> tuple:
    """What a training result depends on: every value except the explained weight."""
    return tuple(
        sorted((k, v) for k, v in values.items() if k not in (EXPLAIN.key, TRAIN_STEPS.key))
    )


@st.cache_data(max_entries=256, show_spinner=False)
def shared_training(settings: tuple, steps: int, _network: Network) -> Training:
    """``train`` for these settings (the network is built from them alone), once per server:
    a class trains the same textbook example again and again, and thousands of steps cost
    the server's core a few hundred milliseconds each time."""
    return train(_network, steps)


def show_training(network: Network, values: dict[str, Any], present: bool) -> None:
    st.header("4 · Many updates")
    steps = int(values[TRAIN_STEPS.key])
    left, right = st.columns([1, 2], gap="large")
    with left:
        st.markdown("Repeat forward, backward, update on this one example, and watch E_total fall.")
        steps = int(setting_widget(TRAIN_STEPS) or steps)
        st.button(f"Train {steps:,} steps", key="train", type="primary", on_click=request_training)
        if st.session_state.pop(TRAIN_REQUESTED, False):
            settings = signature(values)
            st.session_state[TRAINED] = (settings, shared_training(settings, steps, network))
    trained = st.session_state.get(TRAINED)
    if trained is None or trained[0] != signature(values):
        right.caption("Press Train to run the updates with the values above.")
        return
    training = trained[1]
    with right:
        st.plotly_chart(
            figures.error_curve(training.errors, present),
            key="backprop_errors",
            config={"displayModeBar": False},
        )
        if problem := notes.training_problem(training, network.eta):
            st.warning(problem, icon=":material/warning:")
    updates = len(training.errors) - 1
    # Four digits, a small error in powers of ten (3.51·10⁻⁵): cut to fit, 3.51018778e-05
    # read as 3.5. The help keeps every digit, for checking against the tables.
    left.metric(
        f"E_total after {updates:,} updates",
        significant(training.errors[-1]),
        help=f"It started at {tables.number(training.errors[0])} and is now "
        f"{tables.number(training.errors[-1])}.",
    )
    left.button(
        "Keep the trained weights",
        key="keep_trained",
        on_click=keep,
        args=(parameter_values(training.network),),
        disabled=locked(PAGE),
    )
