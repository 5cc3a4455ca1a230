"""Build & Train: the notebook's Keras workflow, every step a control, trained live."""

from __future__ import annotations

import itertools
import time

import pandas as pd
import streamlit as st

from nncore.codegen import keras_script
from nncore.figures import (
    confusion_heatmap,
    digit_grid,
    network_diagram,
    training_curves,
    update_curves,
)
from nncore.spec import (
    ALL_SETTINGS,
    LAYER_TYPES,
    PRESETS,
    active_settings,
    layer_plan,
    slot_settings,
    spec_from_values,
    spec_values,
    training_warnings,
)
from pages._ui.widgets import (
    publish_settings,
    restore_settings,
    setting_widget,
    show_url_notices,
    trainer_slot,
)

PAGE = "build"
SETTING = {s.key: s for s in ALL_SETTINGS}
REDRAW_SECONDS = 0.2  # at most five chart updates a second reach the browser


def apply_preset(name: str) -> None:
    st.session_state.update(spec_values(PRESETS[name]))


def start_training() -> None:
    st.session_state["build_request"] = True


def set_run_state(state: str) -> None:
    st.session_state["build_run"].settle(state)


def draw_progress(run, progress, chart, keys) -> None:
    """Show the run so far; every call is also where a click on Pause or Stop gets in."""
    history = run.history
    done, total = run.epochs_done, run.spec.epochs
    seconds = run.seconds()
    progress.progress(
        done / total,
        text=f"Epoch {done}/{total} · {seconds:.1f} s · {1000 * seconds / max(done, 1):.0f} ms an epoch",
    )
    series = (
        [r.epoch for r in history],
        [r.loss for r in history],
        [r.val_loss for r in history],
        [r.accuracy for r in history],
        [r.val_accuracy for r in history],
    )
    # The figure is rebuilt only when its frame changes (a new run, a new η mark).
    frame = (run.run_id, total, tuple(run.lr_changes))
    cached = st.session_state.get("build_curves")
    if cached is None or cached[0] != frame:
        cached = st.session_state["build_curves"] = (
            frame,
            training_curves(*series, total, run.lr_changes),
        )
    chart.plotly_chart(update_curves(cached[1], *series), key=f"curves-{next(keys)}")


def train_live(run, progress, chart, keys) -> None:
    """Train epoch after epoch, redrawing at most every REDRAW_SECONDS, holding a trainer slot."""
    with trainer_slot(progress):
        lr = float(st.session_state["lr"])
        if run.history and lr != run.engine.learning_rate:
            run.engine.learning_rate = lr
        last_draw = 0.0
        while run.active:
            started = time.perf_counter()
            run.step()
            now = time.monotonic()
            if now - last_draw >= REDRAW_SECONDS or not run.active:
                draw_progress(run, progress, chart, keys)
                last_draw = now
            run.wall_seconds += time.perf_counter() - started


def render() -> None:
    """The Build & Train page: controls, the network, live training, results, code."""
    st.title("Build & Train")
    st.caption(
        "The classic Keras MNIST notebook, one control per step: pick the data, stack the layers, "
        "choose how to learn, then press Train and watch the network learn real handwritten digits."
    )
    restore_settings(PAGE, ALL_SETTINGS)
    show_url_notices(PAGE)
    run = st.session_state.get("build_run")

    controls, stage = st.columns([1.2, 2], gap="large")
    with controls:
        st.markdown("**Start from**")
        for column, name in zip(st.columns(len(PRESETS)), PRESETS, strict=True):
            column.button(
                name, on_click=apply_preset, args=(name,), width="stretch", key=f"preset-{name}"
            )
        with st.expander("1 · Data", expanded=False):
            for key in ("rows", "test", "seed"):
                setting_widget(SETTING[key])
        st.markdown("**2 · Hidden layers** (input and the 10-way softmax output are added for you)")
        layer_count = setting_widget(SETTING["layers"])
        for slot in range(layer_count):
            fields = {s.key.split("_", 1)[1]: s for s in slot_settings(slot)}
            with st.container(border=True):
                layer_type = setting_widget(fields["type"])
                wanted = LAYER_TYPES[layer_type].fields
                sized = [name for name in wanted if fields[name].kind != "choice"]
                chosen = [name for name in wanted if fields[name].kind == "choice"]
                for name in sized:
                    setting_widget(fields[name])
                for index, name in enumerate(chosen):
                    if index % 2 == 0:
                        pair = st.columns(2)
                    setting_widget(fields[name], pair[index % 2])
        st.markdown("**3 · How it learns**")
        for key in ("opt", "lr", "loss", "batch", "epochs"):
            setting_widget(SETTING[key])
        if run is not None and run.state in ("running", "paused"):
            st.caption(
                "Training uses the network it started with; a new learning rate applies from the next epoch."
            )

    values = {s.key: st.session_state[s.key] for s in ALL_SETTINGS if s.key in st.session_state}
    spec = spec_from_values(values)
    plan = layer_plan(spec)
    publish_settings(PAGE, values, active_settings(spec))

    with stage:
        network_tab, code_tab = st.tabs(["Network and training", "Keras code"])

    with network_tab:
        for problem in plan.problems:
            st.error(problem)
        if not plan.problems:
            st.plotly_chart(network_diagram(plan), key="diagram")
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
                st.info(note, icon="💡")

        st.subheader("Training")
        if st.session_state.pop("build_request", False) and not plan.problems:
            with st.spinner("Loading TensorFlow and preparing the data…"):
                from nncore.training import TrainingRun

                run = st.session_state["build_run"] = TrainingRun.start(spec)
        buttons = st.columns(3)
        buttons[0].button(
            "Train", type="primary", key="train", on_click=start_training,
            disabled=bool(plan.problems), width="stretch",
        )  # fmt: skip
        pause_slot, stop_slot = buttons[1].empty(), buttons[2].empty()
        if run is not None and run.state == "running":
            pause_slot.button(
                "Pause", key="pause", on_click=set_run_state, args=("paused",), width="stretch"
            )
        elif run is not None and run.state == "paused":
            pause_slot.button(
                "Resume", key="resume", on_click=set_run_state, args=("running",), width="stretch"
            )
        if run is not None and run.state in ("running", "paused"):
            stop_slot.button(
                "Stop", key="stop", on_click=set_run_state, args=("stopped",), width="stretch"
            )

        progress = st.empty()
        chart = st.empty()
        keys = itertools.count()
        if run is not None:
            if run.active:
                train_live(run, progress, chart, keys)
                pause_slot.empty()
                stop_slot.empty()
            draw_progress(run, progress, chart, keys)
            if run.state == "paused":
                st.info(
                    f"Paused after epoch {run.epochs_done}. Resume to go on, or Stop to keep it as it is."
                )
            if run.diverged:
                st.error(run.message)
            elif run.state in ("done", "stopped") and run.history:
                if run.state == "stopped":
                    st.info(
                        f"Stopped after {run.epochs_done} of {run.spec.epochs} epochs; the model so far is kept."
                    )
                from nncore.training import confusion_matrix, misclassified, training_diagnosis

                diagnosis = training_diagnosis(run.history, run.spec)
                if diagnosis:
                    st.warning(diagnosis)

                probabilities = run.test_probabilities()
                predicted = probabilities.argmax(axis=1)
                true = run.split.labels_test
                left, right = st.columns(2)
                left.metric("Test accuracy", f"{run.test_accuracy():.1%}")
                right.metric("Training time", f"{run.wall_seconds:.2f} s")
                st.plotly_chart(
                    confusion_heatmap(confusion_matrix(true, predicted)), key="confusion"
                )
                wrong = misclassified(true, predicted)
                if len(wrong):
                    st.markdown(
                        f"**Misclassified test digits** (true → predicted), {len(wrong)} shown"
                    )
                    st.plotly_chart(
                        digit_grid(run.split.x_test[wrong], true[wrong], predicted[wrong]),
                        key="wrong",
                    )
                st.caption(
                    "This model stays in your browser session; try it on the **Draw a Digit** page."
                )
        else:
            st.caption("Press **Train** to train this network on real MNIST digits, live.")

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

    with code_tab:
        if plan.problems:
            st.warning("Fix the network first: " + " ".join(plan.problems))
        else:
            script = keras_script(spec)
            st.download_button("Download playground_model.py", script, file_name="playground_model.py",
                               mime="text/x-python")  # fmt: skip
            st.code(script, language="python")
