"""Draw a Digit: draw with the mouse or a finger, see what the network sees, and teach it.

The page only wires widgets to ``nncore.digits`` (preprocessing, inference, fine-tuning) and
``nncore.digit_figures`` (plots). The bundled network is shared by every visitor and never
trained here; teaching trains a private copy kept in this session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from nncore import digit_figures, digits
from nncore.train_digits import ASSET, held_out_split, mnist_rows
from pages._ui.widgets import (
    publish_settings,
    restore_settings,
    setting_widget,
    show_url_notices,
    trainer_slot,
)

PAGE = "draw"
CANVAS_SIZE = 280  # ten canvas pixels per MNIST pixel
BUFFER_LIMIT = 24  # drawings kept for teaching; the oldest go first


@dataclass(frozen=True)
class Network:
    """The model the page answers with, and how to feed it."""

    key: str  # which original it is; private copies are stored under this key
    label: str
    model: Any
    input_shape: tuple[int, ...]


@st.cache_resource(show_spinner="Loading the digit network…")
def bundled_model() -> Any:
    """The shipped CNN, loaded once per process and shared read-only by every visitor."""
    return digits.load_model(str(ASSET))


@st.cache_resource(show_spinner=False)
def teaching_rows() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST rows mixed into fine-tuning, and the held-out rows that check for forgetting.

    The same split as ``python -m nncore.train_digits``: the held-out rows were never trained on.
    """
    x, y = mnist_rows()
    train, held = held_out_split(y)
    return x[train], y[train], x[held], y[held]


def build_page_network() -> tuple[Network | None, str | None]:
    """The network trained on the Build page in this session, or why it cannot be used here."""
    run = st.session_state.get("build_run")
    if run is None:
        return None, (
            "You have not trained a network on the Build & Train page in this session yet, "
            "so the bundled CNN answers."
        )
    if getattr(run, "diverged", False):
        return None, (
            "Your Build & Train network diverged (its loss became NaN), so the bundled CNN "
            "answers. Train it again with a smaller learning rate."
        )
    if getattr(run, "state", "done") in ("running", "paused"):
        return None, (
            "Your Build & Train network has not finished training (it is running or paused), "
            "so the bundled CNN answers. Let it finish, or press Stop to keep it as it is."
        )
    shape = tuple(getattr(run, "input_shape", ()) or ())
    if not digits.takes_mnist(getattr(run, "model", None), shape):
        return None, (
            "Your Build & Train network does not take a 28 × 28 MNIST picture and answer ten "
            "digits, so the bundled CNN answers."
        )
    key = f"build-{getattr(run, 'run_id', id(run.model))}"
    return Network(key, "your Build & Train network", run.model, shape), None


def chosen_network(choice: str) -> Network:
    """The network the selector asks for, falling back to the bundled CNN with a reason."""
    bundled = Network("cnn", "the bundled CNN", bundled_model(), (28, 28, 1))
    if choice != "build":
        return bundled
    network, problem = build_page_network()
    if network is None:
        st.warning(problem, icon=":material/info:")
        return bundled
    return network


def copies() -> dict[str, Any]:
    """This session's fine-tuned private copies, by the key of the network they came from."""
    return st.session_state.setdefault("draw_copies", {})


def buffer() -> list[tuple[np.ndarray, int]]:
    """This session's corrected drawings: (28x28 input, right digit)."""
    return st.session_state.setdefault("draw_buffer", [])


def add_to_buffer() -> None:
    """Callback: keep the current drawing with the digit the user says it is."""
    x = st.session_state.get("draw_x")
    label = st.session_state.get("draw_label")
    if x is None or label is None:
        return
    items = buffer()
    items.append((x.copy(), int(label)))
    del items[:-BUFFER_LIMIT]
    st.session_state.pop("draw_tuned", None)


def empty_buffer() -> None:
    """Callback: forget the collected drawings."""
    buffer().clear()
    st.session_state.pop("draw_tuned", None)


def request_fine_tune() -> None:
    """Callback: remember the click until the page has chosen its network (a callback keeps
    it even if the run that follows is restarted)."""
    st.session_state["draw_fine_tune_request"] = True


def forget_copy(key: str) -> None:
    """Callback: go back to the original network."""
    copies().pop(key, None)
    st.session_state.pop("draw_tuned", None)


def fine_tune(network: Network) -> None:
    """Train this session's copy on the buffer and remember the before/after answers.

    Called near the top of the run that follows a click on "Fine-tune", under a spinner, so the
    Prediction drawn afterwards already shows the new answer.
    """
    items = buffer()
    x = st.session_state.get("draw_x")
    if not items:
        return
    try:
        model = copies().get(network.key)
        if model is None:
            model = digits.private_copy(network.model)
        shape = network.input_shape
        mnist_x, mnist_y, held_x, held_y = teaching_rows()
        before = digits.classify(model, x, shape) if x is not None else None
        held_before = digits.accuracy(model, held_x, held_y, shape)
        drawings = np.stack([item[0] for item in items])
        labels = np.array([item[1] for item in items])
        digits.fine_tune(model, drawings, labels, mnist_x, mnist_y, shape)
        after = digits.classify(model, x, shape) if x is not None else None
        held_after = digits.accuracy(model, held_x, held_y, shape)
    except Exception as problem:  # a sentence on the page, never a traceback
        st.session_state["draw_tuned"] = {
            "error": f"Fine-tuning failed ({problem}). Empty the buffer and try again."
        }
        return
    kept = copies()
    for stale in [key for key in kept if key != "cnn" and key != network.key]:
        del kept[stale]  # a copy of an older Build network: that network is gone
    kept[network.key] = model
    st.session_state["draw_tuned"] = {
        "drawing": drawing_id(x),
        "before": before,
        "after": after,
        "count": len(items),
        "held": (held_before, held_after, len(held_y)),
    }


def drawing_id(x: np.ndarray | None) -> int | None:
    """Identifies the current 28x28 input, to tell whether it is still the same drawing."""
    return None if x is None else hash(x.tobytes())


def answer_line(probabilities: np.ndarray | None) -> str:
    """'7 (93%)' for the most likely digit."""
    if probabilities is None:
        return "–"
    digit = int(np.argmax(probabilities))
    return f"{digit} ({probabilities[digit]:.0%})"


# --- settings, from the URL or this visitor's last visit ------------------------------------


def render() -> None:
    """The Draw a Digit page: canvas, answer, what the network sees, teaching."""
    st.title("✏️ Draw a Digit")
    st.markdown(
        "#### Draw a digit, see the 28 × 28 picture the network gets, and how sure it is. "
        "Wrong? Teach it."
    )
    restore_settings(PAGE, digits.SETTINGS)
    show_url_notices(PAGE)

    left, right = st.columns([5, 6], gap="large")
    with left:
        values = {setting.key: setting_widget(setting) for setting in digits.SETTINGS}
    publish_settings(PAGE, values, digits.SETTINGS)

    try:
        network = chosen_network(values[digits.NETWORK.key])
    except Exception as problem:  # a missing or broken model file: say so, keep the page alive
        st.error(
            f"The digit network could not be loaded ({problem}). "
            "Retrain it with `python -m nncore.train_digits`."
        )
        st.stop()
    if st.session_state.pop("draw_fine_tune_request", False):  # "Fine-tune" was just clicked
        # Fine-tuning counts as a training: it waits for a free trainer like the Build page does.
        with (
            right,
            st.spinner("Fine-tuning your private copy of the network…"),
            trainer_slot(st.empty()),
        ):
            fine_tune(network)
    tuned = copies().get(network.key)
    model = network.model if tuned is None else tuned

    with left:
        canvas = st_canvas(
            stroke_width=int(values[digits.PEN.key]),
            stroke_color="#FFFFFF",
            background_color="#000000",
            width=CANVAS_SIZE,
            height=CANVAS_SIZE,
            drawing_mode="freedraw",
            return_image_data=True,
            key="digit_canvas",
        )
        st.caption(
            "Draw large and in the middle, like on paper. The toolbar on the canvas's top edge "
            "has undo and clear (the bin)."
        )
        if tuned is None:
            st.caption(f"Answering: {network.label}.")
        else:
            st.info(
                f"Answering with your fine-tuned copy of {network.label}.", icon=":material/school:"
            )
            st.button("Back to the original network", on_click=forget_copy, args=(network.key,))

    prepared = digits.prepare_drawing(
        canvas.image_data if canvas is not None else None, pen_width=values[digits.PEN.key]
    )
    st.session_state["draw_x"] = prepared.x
    probabilities = None

    with right:
        if not prepared.usable:
            st.info(prepared.notes[0], icon=":material/draw:")
        else:
            for note in prepared.notes:
                st.warning(note, icon=":material/warning:")
            try:
                probabilities = digits.classify(model, prepared.x, network.input_shape)
            except Exception as problem:
                st.error(f"The network could not answer: {problem}. Pick the bundled CNN instead.")
        if probabilities is not None:
            best = digits.top_k(probabilities, 3)
            first, second = st.columns(2)
            first.metric("Prediction", str(best[0][0]))
            second.metric("Confidence", f"{best[0][1]:.0%}")
            st.markdown("**Top three:** " + " · ".join(f"**{digit}** {p:.1%}" for digit, p in best))
            st.plotly_chart(digit_figures.probability_bars(probabilities), key="draw_probabilities")

    if probabilities is not None:
        seen, inside = st.columns([2, 3], gap="large")
        with seen:
            st.subheader("What the network sees")
            st.plotly_chart(digit_figures.input_pixels(prepared.x), key="draw_input")
            st.caption(
                "Your ink cropped, scaled to fit 20 × 20 pixels, and shifted so its centre of mass "
                "sits at the centre of 28 × 28, exactly as the MNIST digits were prepared."
            )
        with inside:
            st.subheader("Inside the network")
            try:
                layers = digits.layer_activations(model, prepared.x, network.input_shape)[:-1]
            except Exception as problem:  # an unusual Build network: explain, keep the page
                st.info(f"The layers of this network cannot be shown ({problem}).")
                layers = None
            if layers == []:
                st.info("This network has no hidden layers: the input goes straight to the answer.")
            elif layers:
                tabs = st.tabs([name for name, _ in layers])
                for tab, (name, activation) in zip(tabs, layers, strict=True):
                    figure = digit_figures.activation_figure(name, activation)
                    if figure is not None:
                        tab.plotly_chart(figure, key=f"draw_layer_{name}")
                st.caption(
                    "Convolution layers: each small map shows where one filter found its pattern "
                    "(bright = strong). Dense layers: one bar per neuron."
                )

    # --- teach it --------------------------------------------------------------------------------

    st.divider()
    st.subheader("Teach it")
    st.markdown(
        "Wrong answer? Pick the right digit and add the drawing. **Fine-tune** trains a private "
        "copy of the network for a few steps on your drawings mixed with real MNIST digits "
        "(so it does not forget the rest). The shared network is never changed."
    )
    st.segmented_control(
        "The right digit for this drawing is",
        options=list(range(10)),
        default=None,
        key="draw_label",
    )
    add_column, tune_column, clear_column, _ = st.columns([2, 2, 2, 3])
    add_column.button(
        "Add this drawing",
        on_click=add_to_buffer,
        disabled=not prepared.usable or st.session_state.get("draw_label") is None,
        key="draw_add",
        width="stretch",
    )
    tune_column.button(
        "Fine-tune",
        on_click=request_fine_tune,
        disabled=not buffer(),
        type="primary",
        key="draw_fine_tune",
        width="stretch",
    )
    clear_column.button(
        "Empty the buffer",
        on_click=empty_buffer,
        disabled=not buffer(),
        key="draw_empty",
        width="stretch",
    )
    if buffer():
        st.markdown(
            f"**{len(buffer())} drawing(s) collected:** "
            + ", ".join(str(label) for _, label in buffer())
        )
    result = st.session_state.get("draw_tuned")
    if result and "error" in result:
        st.error(result["error"])
    elif result:
        held_before, held_after, held_rows = result["held"]
        same_drawing = result["before"] is not None and result["drawing"] == drawing_id(prepared.x)
        answers = (
            f"This drawing: before **{answer_line(result['before'])}** → "
            f"after **{answer_line(result['after'])}**. "
            if same_drawing
            else ""
        )
        st.success(
            f"Fine-tuned on {result['count']} drawing(s). {answers}"
            f"Accuracy on {held_rows:,} MNIST digits it never trained on: "
            f"{held_before:.1%} → {held_after:.1%} (has it forgotten anything?)."
        )
