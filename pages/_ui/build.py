"""Build & Train: the notebook's Keras workflow, every step a control, trained live.

The training itself runs in a worker process (``nncore.workers``); this page starts it, draws
its epochs as they arrive and sends Pause, Stop and new learning rates.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from nncore.network.figures import network_diagram
from nncore.network.layers import LAYER_TYPES
from nncore.network.plan import LayerPlan, layer_plan
from nncore.network.settings import (
    ALL_SETTINGS,
    CHANGEABLE_WHILE_TRAINING,
    LAYER_FIELDS,
    SETTINGS_BY_KEY,
    active_settings,
    field_key,
    slot_settings,
    spec_from_values,
    spec_values,
)
from nncore.network.spec import PRESETS, NetworkSpec
from nncore.numbers import percent, seconds
from nncore.training.codegen import keras_script
from nncore.training.cost import training_problem
from nncore.training.diagnosis import training_diagnosis, training_warnings
from nncore.training.figures import digit_grid, training_curves, update_curves
from nncore.training.lessons import LINK_SETTINGS, brought
from nncore.training.run import TrainingRun
from nncore.workers.client import RunHandle, start_training
from pages._ui import build_data, state
from pages._ui.build_cells import confusion_chart
from pages._ui.build_health import GradientPanel, finish_step, show_health, step_button
from pages._ui.lessons import build_lessons, build_note
from pages._ui.live_chart import LiveChart
from pages._ui.runs import your_runs
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

PAGE = "build"
WIDGETS = PageWidgets(PAGE)
REDRAW_SECONDS = 0.4  # two or three chart updates a second: live to the eye; each one costs
# the server's single core (plotly copies and serialises the figure) while other visitors'
# reruns wait. The cost is in benchmarks/README.md.


def apply_preset(name: str) -> None:
    """Callback: load a preset; the link's notices no longer describe what is on screen."""
    WIDGETS.update(spec_values(PRESETS[name]))
    clear_url_notices(PAGE)


def bring_type_defaults(slot: int) -> None:
    """Callback: a layer that changes type takes that type's own activation and initializer."""
    type_key = WIDGETS[field_key(slot, "type")]
    for name, value in LAYER_TYPES[type_key].defaults.items():
        WIDGETS[field_key(slot, name)] = value


def train(spec: NetworkSpec) -> None:
    """Callback: queue a training of the network on screen (replacing this visitor's last)."""
    try:
        if build_data.using_upload():
            build_data.start(spec)  # the file's rows travel to the worker with the spec
        else:
            state.set_build_run(start_training(spec, state.owner()))
    except ValueError as problem:  # too long for a shared trainer: said at the top
        state.set_button_problem(str(problem))
        return
    state.set_stepping(None)  # a training starts from fresh weights, so do the steps


def controls(run: state.BuildRun | None) -> None:
    """The notebook's steps as controls: data, hidden layers, how it learns."""
    # While a training runs, only what it can still take (the learning rate) can change.
    busy = run is not None and run.run.active
    frozen = {s.key for s in ALL_SETTINGS} - CHANGEABLE_WHILE_TRAINING if busy else set()
    build_data.source_controls(busy or locked(PAGE))  # a teacher's lock=1 keeps the data too
    st.markdown("**Start from**")
    for column, name in zip(st.columns(len(PRESETS)), PRESETS, strict=True):
        column.button(
            name,
            on_click=apply_preset,
            args=(name,),
            width="stretch",
            key=f"preset-{name}",
            disabled=busy or locked(PAGE),
        )
    build_lessons(busy)
    with st.expander("1 · Data", expanded=False):
        for key in ("rows", "test", "seed"):
            setting_widget(SETTINGS_BY_KEY[key], disabled=key in frozen)
    st.markdown(
        f"**2 · Hidden layers** (input and the {build_data.classes()}-way softmax output "
        "are added for you)"
    )
    count = setting_widget(SETTINGS_BY_KEY["layers"], disabled="layers" in frozen)
    for slot in range(count):
        fields = {s.key.split("_", 1)[1]: s for s in slot_settings(slot)}
        with st.container(border=True):
            type_key = setting_widget(
                fields["type"], disabled=busy, on_change=bring_type_defaults, args=(slot,)
            )
            wanted = LAYER_TYPES[type_key].fields
            for name in (f.key for f in LAYER_FIELDS if f.key in wanted and f.kind != "choice"):
                setting_widget(fields[name], disabled=busy)
            # One menu a row: two side by side cut "Glorot uniform" to "Glorot ur" at 1280 px.
            for name in (f.key for f in LAYER_FIELDS if f.key in wanted and f.kind == "choice"):
                setting_widget(fields[name], disabled=busy)
    st.markdown("**3 · How it learns**")
    for key in ("opt", "lr", "loss", "batch", "epochs"):
        setting_widget(SETTINGS_BY_KEY[key], disabled=key in frozen)
    if busy:
        st.caption(
            "This training keeps the network and settings it started with; only the learning "
            "rate can change, from the next epoch. Stop it to change the rest."
        )


def action_bar(run: state.BuildRun | None, spec: NetworkSpec, plan: LayerPlan) -> None:
    """Train, Pause/Resume, Stop and Step one batch, at the top where a phone reaches them."""
    too_long = None if plan.problems else training_problem(spec)
    no_file = build_data.waiting_for_file()
    buttons = st.columns(4)
    buttons[0].button(
        "Train",
        type="primary",
        key="train",
        on_click=train,
        args=(spec,),
        disabled=bool(plan.problems or too_long or no_file),
        width="stretch",
    )
    if too_long:  # next to the disabled Train, where the eye goes
        st.warning(too_long, icon=":material/hourglass_top:")
    elif no_file:  # rather than training on the bundled digits when a file was meant
        st.warning(
            "Your own CSV file is chosen under Data, but no file of yours has been read: "
            "upload one there, or choose the bundled MNIST digits, to train.",
            icon=":material/description:",
        )
    step_button(buttons[1], spec, plan, busy=(run is not None and run.run.active) or no_file)
    if not isinstance(run, RunHandle) or not run.run.active or run.stop_requested:
        return  # nothing to control: no training, a kept one, or one that is stopping
    if run.run.state == "paused":
        buttons[2].button("Resume", key="resume", on_click=run.resume, width="stretch")
    else:
        buttons[2].button(
            "Pause",
            key="pause",
            on_click=run.pause,
            width="stretch",
            disabled=run.run.state == "queued",
        )
    buttons[3].button("Stop", key="stop", on_click=run.stop, width="stretch")


def training_seconds(record: TrainingRun) -> float:
    """How long the training took so far, from its first epoch's start to its last epoch's
    record (the progress line and "Training time" both say this one number)."""
    return record.wall_seconds or record.seconds()  # a record without a wall time: epochs'


def draw_progress(run: state.BuildRun, progress, chart: LiveChart) -> None:
    """Show the run so far; every call is also where a click on Pause or Stop gets in."""
    record = run.run
    if isinstance(run, RunHandle) and record.state == "queued":
        progress.info(run.waiting_note())
        return
    done, total = record.epochs_done, record.spec.epochs
    if done:
        # The same clock as "Training time" under the results: from the first epoch's start.
        elapsed = training_seconds(record)
        text = (
            f"Epoch {done}/{total} · {seconds(elapsed)} · {1000 * elapsed / done:.0f} ms an epoch"
        )
    else:  # the worker builds the network and reads the data before epoch 1 (seconds)
        text = f"Starting… epoch 1 of {total} is on its way"
    progress.progress(done / total, text=text)
    history = list(record.history)
    series = (
        [r.epoch for r in history],
        [r.loss for r in history],
        [r.val_loss for r in history],
        [r.accuracy for r in history],
        [r.val_accuracy for r in history],
    )
    # The figure is rebuilt only when its frame changes (a new run, a new η mark).
    frame = (record.run_id, total, tuple(record.lr_changes), presenter_mode())
    figure, _ = state.cached_figure(
        "curves",
        frame,
        lambda: training_curves(*series, total, record.lr_changes, present=presenter_mode()),
    )
    chart.plotly_chart(update_curves(figure, *series))


def follow(
    run: state.BuildRun,
    progress,
    chart: LiveChart,
    panel: GradientPanel | None,
    waiting_at_top: bool = False,
) -> None:
    """Redraw as the worker's epochs arrive, at most every REDRAW_SECONDS, until it stops.

    A new learning rate on the slider goes to the worker here, applied from the next epoch.
    ``waiting_at_top``: the buttons were drawn while the run waited for a trainer, with Pause
    disabled; once the run starts, the page is drawn again so that Pause works.
    """
    if not isinstance(run, RunHandle) or not run.run.active:  # finished, or kept
        return
    seen = -1
    run.set_learning_rate(float(WIDGETS["lr"]))
    next_redraw = time.monotonic()
    # After a Pause, the epoch under way still finishes: follow it until the worker waits;
    # after a Stop, until the worker has sent the model back.
    state.page_follows(run)
    try:
        while run.run.active and (run.stop_requested or not run.settled_pause):
            seen = run.wait(seen, REDRAW_SECONDS)
            # However fast the epochs come, the page redraws at most once every
            # REDRAW_SECONDS: each redraw costs the server's one core, for every student
            # who is training.
            time.sleep(max(0.0, next_redraw - time.monotonic()))
            next_redraw = time.monotonic() + REDRAW_SECONDS
            if waiting_at_top and run.run.state != "queued":
                st.rerun()
            draw_progress(run, progress, chart)
            if panel is not None:
                show_health(panel, run.run.health, live=True)
    except StopException:
        # A click's rerun, or the page gone (closed, reloaded, offline): then its training
        # is stopped, so that it does not hold a trainer nobody watches.
        state.page_stopped_following(run)
        raise
    if panel is not None:  # the last measurement, whenever it arrived
        show_health(panel, run.run.health)


def results(run: state.BuildRun) -> None:
    """After training: what went wrong if anything, accuracy, confusions, mistakes."""
    record = run.run
    present = presenter_mode()
    if record.state == "paused":
        st.info(
            f"Paused after epoch {record.epochs_done}. Resume to go on, or Stop to keep it as it is."
        )
    if record.state == "failed":
        st.error(record.message)
    if record.diverged:
        st.error(record.message)
    if record.state not in ("done", "stopped") or not record.history:
        return
    if record.state == "stopped":
        st.info(
            f"Stopped after {record.epochs_done} of {record.spec.epochs} epochs; the model so "
            "far is kept."
        )
    diagnosis = training_diagnosis(record.history, record.spec)
    if diagnosis:
        st.warning(diagnosis)
    if record.test is None:
        return
    names, pictures = build_data.run_classes(record.run_id)
    true, predicted = record.test.labels, record.test.predicted
    left, right = st.columns(2)
    left.metric("Test accuracy", percent(record.test_accuracy(), 1))
    right.metric(
        "Training time",
        seconds(training_seconds(record)),
        help="From the first epoch's start to the last epoch's end, as the progress bar says.",
    )
    confusion_chart(record, names, present)  # its cells open into their test digits
    wrong = record.test.mistakes if pictures else np.array([], dtype=int)
    if len(wrong):
        st.markdown(f"**Misclassified test digits** (true → predicted), {len(wrong)} shown")
        st.plotly_chart(
            digit_grid(
                record.test.mistake_images,
                [names[i] for i in true[wrong]],
                [names[i] for i in predicted[wrong]],
                present=present,
            ),
            key="wrong",
            config={"displayModeBar": False},  # it covered the top row's titles
        )
    if state.run_data(record.run_id) is not None:
        return  # trained on a private file: build_data says what becomes of it
    st.caption(
        "This model is yours: it stays in your session and, for 12 hours, behind this page's "
        "link (copy it to reopen it or to send it to your teacher)."
    )
    try_on_draw()


def try_on_draw() -> None:
    """A link to Draw a Digit with this network answering."""
    st.page_link(
        "pages/draw.py",
        label="Try it on Draw a Digit",
        icon=":material/draw:",
        query_params={"net": "build"},
    )


def network_summary(plan: LayerPlan, spec: NetworkSpec) -> None:
    """The diagram, Keras's summary table and the warnings about settings that train badly."""
    for problem in plan.problems:
        st.error(problem)
    if plan.problems:
        return
    st.plotly_chart(network_diagram(plan, present=presenter_mode()), key="diagram")
    summary = pd.DataFrame(
        {
            "Layer": [row.name for row in plan.layers],
            "Type": [row.keras_class for row in plan.layers],
            "Output shape": [str((None, *row.output_shape)) for row in plan.layers],
            "Params": [row.params for row in plan.layers],
        }
    )
    st.dataframe(summary, hide_index=True, width="stretch")
    total = plan.total_params
    st.markdown(
        f"**Total params: {total:,}** · Trainable: {total:,} · Non-trainable: 0 · "
        f"Input: {' × '.join(map(str, plan.input_shape))}"
    )
    for note in training_warnings(spec):
        st.info(note, icon=":material/lightbulb:")


def how_to_read() -> None:
    with st.expander("How to read this", icon=":material/school:"):
        st.markdown(
            "- **One epoch** is one pass over the training rows, in batches; after each batch "
            "the weights take one step θ ← θ − η·∂loss/∂θ, with the gradient from "
            "backpropagation.\n"
            "- **Train vs test**: the training curve shows rows the network learns from, the "
            "test curve rows it never sees. A test loss that rises while the training loss "
            "keeps falling means the network is memorising (overfitting): fewer epochs, "
            "Dropout or more rows help.\n"
            "- **The confusion matrix** counts, for each true digit (row), what the network "
            "answered (column); everything off the diagonal is a mistake.\n"
            "- Try the extremes: η = 10, one neuron, all-zero initial weights, batch size 1. "
            "The page says what went wrong and why."
        )


def code(plan: LayerPlan, spec: NetworkSpec) -> None:
    if plan.problems:
        st.warning("Fix the network first: " + " ".join(plan.problems))
        return
    script = keras_script(spec, data=build_data.uploaded() if build_data.using_upload() else None)
    st.download_button(
        "Download playground_model.py",
        script,
        file_name="playground_model.py",
        mime="text/x-python",
    )
    build_data.sample_download(spec)
    st.code(script, language="python")


def kept_link() -> dict[str, str]:
    """``run=<id>`` for the link once this session's training is over and kept on disk, and
    while it trains (so that a reload in the middle can say what became of it)."""
    run_id = state.keep_finished_run()
    current = state.build_run()
    if run_id is None and isinstance(current, RunHandle) and current.run.active:
        run_id = current.run.run_id
    return {state.RUN_PARAMETER: run_id} if run_id else {}


def render() -> None:
    """The Build & Train page: controls, the live training, the network, the code."""
    st.title("Build & Train")
    st.caption(
        "The classic Keras MNIST notebook, one control per step: pick the data, stack the "
        "layers, choose how to learn, then press Train and watch the network learn real "
        "handwritten digits."
    )
    restore_settings(PAGE, LINK_SETTINGS, brought=brought)  # a lesson link brings its setup
    show_url_notices(PAGE)
    gone = state.open_kept_run()
    if gone:
        st.warning(gone, icon=":material/link_off:")
    run = state.build_run()
    running_at_top = run is not None and run.run.active
    waiting_at_top = run is not None and run.run.state == "queued"
    values = WIDGETS.values(ALL_SETTINGS)
    spec = build_data.with_data(spec_from_values(values))
    plan = layer_plan(spec)
    action_bar(run, spec, plan)
    finish_step()
    build_note(busy=running_at_top)  # why the lesson on screen works, above its curves
    # The curves stay on screen while they are drawn again: during a training, and while the
    # page is redrawn after a click.
    progress, chart = st.empty(), LiveChart("curves")

    left, right = st.columns([1.2, 2], gap="large")
    with left:
        controls(run)
    values = WIDGETS.values(ALL_SETTINGS)
    spec = build_data.with_data(spec_from_values(values))
    plan = layer_plan(spec)
    publish_settings(PAGE, values, active_settings(spec), kept_link())

    with right:
        network_tab, code_tab = st.tabs(["Network and results", "Keras code"])
    if run is not None:
        draw_progress(run, progress, chart)
    elif not build_data.waiting_for_file():  # else the warning by Train says what is missing
        progress.caption(
            f"Press **Train** to train this network on {build_data.trains_on()}, live."
        )
    with network_tab:
        result_area = st.container()
        panel = None
        if not plan.problems:
            with st.container(border=True):
                panel = GradientPanel(plan)
                show_health(panel, run.run.health if run is not None else None)
        network_summary(plan, spec)
        how_to_read()
    with code_tab:
        code(plan, spec)
    if run is not None:
        follow(run, progress, chart, panel, waiting_at_top)
        if running_at_top and run.run.over:
            # The buttons, controls and progress above were drawn for a running training that
            # has ended since: draw the whole page again, finished (once: it is over now).
            st.rerun()
        with result_area:
            results(run)
            build_data.model_downloads(run)
        # A training that just finished is kept: the link now opens it, in any tab.
        publish_settings(PAGE, values, active_settings(spec), kept_link())
    # Reopening a run's settings changes the setup: not while it trains, nor under lock=1.
    your_runs(busy=(run is not None and run.run.active) or locked(PAGE))
