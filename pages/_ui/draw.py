"""Draw a Digit: draw with the mouse or a finger, see what the network sees, and teach it.

The page prepares the drawing (``nncore.digits.preprocess``) and asks the inference worker
for the answer (``nncore.workers.client``); teaching runs in a training worker. The bundled
network is shared read-only; a taught copy belongs to this session.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from nncore.digits import figures
from nncore.digits.answers import reads_drawings, top_k
from nncore.digits.preprocess import prepare_drawing
from nncore.digits.settings import LINK_SETTINGS, NETWORK, PEN, SETTINGS, TEMPERATURE
from nncore.numbers import percent
from nncore.workers.client import (
    BUNDLED,
    Answer,
    FineTuneRequest,
    ModelSource,
    WorkerUnavailable,
    answer,
    start_fine_tune,
)
from pages._ui import draw_model, draw_pixel, opened_digit, state
from pages._ui.softmax_view import show_softmax_steps
from pages._ui.widgets import (
    PageWidgets,
    locked,
    presenter_mode,
    publish_settings,
    restore_settings,
    setting_widget,
    show_url_notices,
)

PAGE = "draw"
# The canvas component hides its toolbar (undo, redo, clear) over the top edge of the drawing
# area while the pointer is elsewhere, so strokes started there were eaten and a tap near the
# top-right corner cleared the drawing. Pinned above the canvas it is always visible and never
# in the way. The component's styles live in its open shadow root, hence the small script.
# Its pencil button is not a pen: it switches to moving and deleting strokes, after which
# drawing drew nothing, with no hint why. That mode (and the button that sends the drawing,
# which is sent on every stroke anyway) is left out: undo, redo and clear remain.
PIN_TOOLBAR = """
<script>
if (!window.__pinCanvasToolbar) {
  window.__pinCanvasToolbar = setInterval(() => {
    for (const host of parent.document.querySelectorAll(
        '.st-key-digit_canvas [data-testid="stBidiComponentIsolated"]')) {
      const root = host.shadowRoot;
      if (root && !root.querySelector('style[data-pinned-toolbar]')) {
        const style = document.createElement('style');
        style.dataset.pinnedToolbar = '1';
        style.textContent = '.dc-toolbar{opacity:1 !important; top:-2.65rem !important}'
          + '.dc-icon-button[aria-label="Edit"], .dc-toolbar-contextual, .dc-toolbar-separator,'
          + '.dc-icon-button[aria-label="Update the app with this drawing"]'
          + '{display:none !important}'
          // On a phone or a touch screen the tools are fingers' targets: 44 px, and higher up.
          + '@media (max-width: 640px), (pointer: coarse) {'
          + '.dc-icon-button{min-width:44px !important; min-height:44px !important}'
          + '.dc-toolbar{top:-3.4rem !important}}';
        root.appendChild(style);
      }
    }
  }, 300);
}
</script>
<style>.canvas-toolbar-room { height: 2.4rem; }
@media (max-width: 640px), (pointer: coarse) { .canvas-toolbar-room { height: 3.2rem; } }</style>
<div class="canvas-toolbar-room"></div>
"""
CANVAS_SIZE = 280  # ten canvas pixels per MNIST pixel
PRESENTER_CANVAS_SIZE = 420


def build_page_network() -> tuple[ModelSource | None, str | None]:
    """The network trained on the Build page in this session, or why it cannot be used here."""
    handle = state.build_run()
    if handle is None:
        return None, (
            "You have not trained a network on the Build & Train page in this session yet, "
            "so the bundled CNN answers."
        )
    run = handle.run
    if run.diverged:
        return None, (
            "Your Build & Train network diverged (its loss became NaN), so the bundled CNN "
            "answers. Train it again with a smaller learning rate."
        )
    if run.active:
        return None, (
            "Your Build & Train network has not finished training (it is running or paused), "
            "so the bundled CNN answers. Let it finish, or press Stop to keep it as it is."
        )
    if run.spec.features or run.spec.classes != 10:  # trained on a file of other things
        what = "a table" if run.spec.features else f"your file's {run.spec.classes} classes"
        return (
            None,
            f"Your Build & Train network learned {what}, not pictures of the ten digits, so the bundled CNN answers.",
        )
    if not run.has_model or not reads_drawings(run.spec.input_shape, run.spec.classes):
        return None, (
            "Your Build & Train network has no trained weights to answer with, so the bundled "
            "CNN answers."
        )
    source = ModelSource.from_run(run, "your Build & Train network")
    return source, None


def chosen_network(choice: str) -> ModelSource:
    """The network the selector asks for, falling back to the bundled CNN with a reason."""
    if choice != "build":
        return BUNDLED
    network, problem = build_page_network()
    if network is None:
        st.warning(problem, icon=":material/info:")
        return BUNDLED
    return network


def add_drawing() -> None:
    """Callback: keep the current drawing with the digit picked, then clear the pick."""
    x = state.current_drawing()
    digit = st.session_state.get(state.DRAW_LABEL_KEY)
    if x is None or digit is None:
        return
    state.keep_drawing(state.TaughtDrawing(x.copy(), int(digit)))
    st.session_state[state.DRAW_LABEL_KEY] = None  # the next drawing needs its own digit
    state.set_tuned_report(None)


def empty_buffer() -> None:
    """Callback: forget the collected drawings."""
    state.taught_drawings().clear()
    state.set_tuned_report(None)


def forget_copy(key: str) -> None:
    """Callback: go back to the original network."""
    state.taught_copies().pop(key, None)
    state.set_tuned_report(None)


def fine_tune(network: ModelSource, status) -> None:
    """Teach a private copy in a training worker (waiting in the queue like a training)."""
    drawings = state.taught_drawings()
    if not drawings:
        return
    base = state.taught_copies().get(network.key, network)
    x = state.current_drawing()
    request = FineTuneRequest(
        base,
        np.stack([d.x for d in drawings]),
        np.array([d.digit for d in drawings]),
        x,
    )
    job = start_fine_tune(request, state.owner())
    seen = -1
    while not job.over:
        if not job.running:
            status.info(job.waiting_note())
        else:
            status.info("Fine-tuning your private copy of the network…")
        seen = job.wait(seen, 0.3)
    status.empty()
    if job.error or job.result is None:
        state.set_tuned_report(state.TunedReport(error=job.error or "Fine-tuning failed."))
        return
    result = job.result
    copies = state.taught_copies()
    for stale in [key for key in copies if key not in (BUNDLED.key, network.key)]:
        del copies[stale]  # a copy of an older Build network: that network is gone
    copies[network.key] = base.retrained(result.weights, f"your fine-tuned copy of {network.label}")
    state.set_tuned_report(
        state.TunedReport(
            drawing_id(x),
            result.before,
            result.after,
            len(drawings),
            result.held_before,
            result.held_after,
            result.held_rows,
        )
    )


def drawing_id(x: np.ndarray | None) -> int | None:
    """Identifies the current 28x28 input, to tell whether it is still the same drawing."""
    return None if x is None else hash(x.tobytes())


def answer_line(probabilities: np.ndarray | None) -> str:
    """'7 (93%)' for the most likely digit."""
    if probabilities is None:
        return "–"
    digit = int(np.argmax(probabilities))
    return f"{digit} ({probabilities[digit]:.0%})"


def ask(source: ModelSource, x: np.ndarray) -> Answer | None:
    """The worker's answer, or None with a sentence on the page saying why there is none."""
    try:
        with st.spinner("Waking up the digit network (the first answer takes a few seconds)…"):
            reply = answer(source, x, state.owner())
    except FloatingPointError:
        st.error(
            "This network answers NaN for every drawing: its training diverged. Train it again "
            "with a smaller learning rate, or pick the bundled CNN."
        )
        return None
    except WorkerUnavailable:
        st.error("The digit network is restarting. Draw again in a few seconds.")
        return None
    return reply


def show_answer(reply: Answer) -> None:
    best = top_k(reply.probabilities, 3)
    first, second = st.columns(2)
    first.metric("Prediction", str(best[0][0]))
    second.metric("Confidence", percent(best[0][1]))
    st.markdown("**Top three:** " + " · ".join(f"**{digit}** {p:.1%}" for digit, p in best))
    st.plotly_chart(
        figures.probability_bars(reply.probabilities, present=presenter_mode()),
        key="draw_probabilities",
    )


def show_inside(x: np.ndarray, reply: Answer) -> None:
    seen, inside = st.columns([2, 3], gap="large")
    with seen:
        st.subheader("What the network sees")
        st.plotly_chart(figures.input_pixels(x, present=presenter_mode()), key="draw_input")
        st.caption(
            "Your ink cropped, scaled to fit 20 × 20 pixels, and shifted so its centre of mass "
            "sits at the centre of 28 × 28, exactly as the MNIST digits were prepared."
        )
    with inside:
        st.subheader("Inside the network")
        layers = reply.layers[:-1]
        if not layers:
            st.info("This network has no hidden layers: the input goes straight to the answer.")
            return
        tabs = st.tabs([name for name, _ in layers])
        openable = dict(reply.openable)
        for tab, (name, activation) in zip(tabs, layers, strict=True):
            if name in openable and np.ndim(activation) == 3:
                draw_pixel.map_chart(tab, name, activation)
                continue
            figure = figures.activation_figure(name, activation, present=presenter_mode())
            if figure is not None:
                tab.plotly_chart(figure, key=f"draw_layer_{name}")
        st.caption(
            "Convolution layers: each small map shows where one filter found its pattern "
            "(bright = strong). Pooling layers: the maps below halved, keeping the largest of "
            "every 2 × 2. Dense layers: one bar per neuron. Click a map's pixel to open it up."
        )


def show_softmax(reply: Answer) -> None:
    """Softmax by the numbers, with a temperature to sharpen or flatten the answer (a lesson:
    the answer stays T = 1)."""
    if reply.logits is None:
        return
    show_softmax_steps(reply.logits, "draw", lambda: float(setting_widget(TEMPERATURE)))


def teach_section(usable: bool, current: np.ndarray | None) -> None:
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
        key=state.DRAW_LABEL_KEY,
    )
    drawings = state.taught_drawings()
    add_column, tune_column, clear_column, _ = st.columns([2, 2, 2, 3])
    add_column.button(
        "Add this drawing",
        on_click=add_drawing,
        key="draw_add",
        width="stretch",
        disabled=not usable or st.session_state.get(state.DRAW_LABEL_KEY) is None,
    )
    tune_column.button(
        "Fine-tune",
        on_click=state.request_fine_tune,
        disabled=not drawings,
        type="primary",
        key="draw_fine_tune",
        width="stretch",
    )
    clear_column.button(
        "Empty the buffer",
        on_click=empty_buffer,
        disabled=not drawings,
        key="draw_empty",
        width="stretch",
    )
    if usable and st.session_state.get(state.DRAW_LABEL_KEY) is None:
        st.caption("Pick a digit above, then add the drawing.")
    if drawings:
        st.markdown(
            f"**{len(drawings)} drawing(s) collected:** "
            + ", ".join(str(d.digit) for d in drawings)
        )
    report = state.tuned_report()
    if report is not None and report.error:
        st.error(report.error)
    elif report is not None:
        same = report.before is not None and report.drawing == drawing_id(current)
        answers = (
            f"This drawing: before **{answer_line(report.before)}** → "
            f"after **{answer_line(report.after)}**. "
            if same and report.after is not None
            else ""
        )
        st.success(
            f"Fine-tuned on {report.count} drawing(s). {answers}"
            f"Accuracy on {report.held_rows:,} MNIST digits it never trained on: "
            f"{report.held_before:.1%} → {report.held_after:.1%} (has it forgotten anything?)."
        )


def render() -> None:
    """The Draw a Digit page: canvas and answer side by side (one under the other on a phone),
    then inside the network, then teaching."""
    st.title("Draw a Digit")
    st.caption(
        "Draw a digit large and in the middle, see the 28 × 28 picture the network gets and "
        "how sure it is. Undo and clear are above the canvas. Wrong? Teach it."
    )
    restore_settings(PAGE, LINK_SETTINGS)
    show_url_notices(PAGE)
    gone = state.open_kept_run()
    if gone:
        st.warning(gone, icon=":material/link_off:")
    # The settings' widgets sit under the answer, so on a phone the canvas and the answer
    # come first; their values are already in the session (from the link or last visit).
    values = {setting.key: PageWidgets(PAGE)[setting.key] for setting in LINK_SETTINGS}
    network = draw_model.uploaded_model() or chosen_network(values[NETWORK.key])
    # Always drawn, so the canvas below keeps its place in the page: when it appeared only
    # for a fine-tuning, the canvas was rebuilt empty while the old answer stayed.
    status = st.empty()
    if state.take_fine_tune_request():  # "Fine-tune" was just clicked
        fine_tune(network, status)
    tuned = state.taught_copies().get(network.key)
    source = tuned or network

    left, right = st.columns([5, 6], gap="large")
    with left:
        size = PRESENTER_CANVAS_SIZE if presenter_mode() else CANVAS_SIZE
        st.html(PIN_TOOLBAR, unsafe_allow_javascript=True)
        canvas = st_canvas(
            stroke_width=int(values[PEN.key] * size / CANVAS_SIZE),
            stroke_color="#FFFFFF",
            background_color="#000000",
            width=size,
            height=size,
            drawing_mode="freedraw",
            return_image_data=True,
            key="digit_canvas",
        )

    pen = values[PEN.key] * size / CANVAS_SIZE
    prepared = prepare_drawing(canvas.image_data if canvas is not None else None, pen_width=pen)
    prepared = opened_digit.instead_of_empty(prepared, left)  # a test digit from Build
    state.set_current_drawing(prepared.x)
    x, reply = prepared.x, None
    with right:
        if x is None:
            st.info(prepared.notes[0], icon=":material/draw:")
        else:
            for note in prepared.notes:
                st.warning(note, icon=":material/warning:")
            reply = ask(source, x)
        if reply is not None:
            show_answer(reply)
        if tuned is None:
            st.caption(f"Answering: {network.label}.")
        else:
            st.info(f"Answering with {tuned.label}.", icon=":material/school:")
            st.button("Back to the original network", on_click=forget_copy, args=(network.key,))
            draw_model.copy_download(tuned)
        with st.expander("Pen, network, your own model", icon=":material/tune:"):
            for setting in SETTINGS:
                setting_widget(setting)
            draw_model.model_upload(disabled=locked(PAGE))
    kept = state.keep_finished_run() if network.key != BUNDLED.key else None
    publish_settings(PAGE, values, LINK_SETTINGS, {state.RUN_PARAMETER: kept} if kept else None)
    if x is not None and reply is not None:
        show_inside(x, reply)
        draw_pixel.show(source, x, reply)
        show_softmax(reply)
    teach_section(prepared.usable, x)
