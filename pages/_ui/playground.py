"""2D Playground: TensorFlow Playground's live decision boundary, with real Keras models.

The page reads its controls (and the link) into a ``PlaygroundSpec``, keeps the visitor's
points in their session, and hands training to a worker process (``nncore.workers``): Play,
Pause, Step and Reset are messages to it. What the worker streams back is drawn by
``playground_live`` five times a second.
"""

from __future__ import annotations

import streamlit as st

from nncore.playground.codegen import playground_script
from nncore.playground.colours import CLASS_NAMES
from nncore.playground.datasets import DATASETS, split
from nncore.playground.figures import plane_max_height
from nncore.playground.lessons import LINK_SETTINGS, brought
from nncore.playground.points_csv import PointsError, points_csv, read_points
from nncore.playground.runs import run_settings
from nncore.playground.settings import (
    ALL_SETTINGS,
    FEATURE_SETTINGS,
    MAX_LAYERS,
    MAX_UNITS,
    SETTINGS_BY_KEY,
    active_settings,
    spec_from_values,
    stop_rule,
)
from pages._ui import playground_live
from pages._ui import playground_state as pg
from pages._ui.lessons import playground_buttons, playground_note
from pages._ui.runs import runs_section
from pages._ui.widgets import (
    PageWidgets,
    classroom,
    locked,
    plain_text,
    presenter_mode,
    publish_settings,
    restore_settings,
    setting_widget,
    show_url_notices,
)

PAGE = "playground"
WIDGETS = PageWidgets(PAGE)
S = SETTINGS_BY_KEY
# On a phone, where the two columns (controls; plane, losses and network) stack, the plane comes
# first, right under Play and Pause: it is what the student watches. Side by side, the order stays.
PHONE_ORDER = """<style>@media (max-width: 640px) {
  .st-key-pg_main > div > [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:nth-child(2) {
    order: -1; } }</style>"""
# The plane's figure (or live picture) no taller than it needs: on a phone its square is smaller
# than the figure's height, and the rest would be a gap under it.
PLANE_FIT = """<style>.st-key-pg_live_plane, [class*="st-key-pg_plane_"] {
  max-height: %s; overflow: hidden; }</style>"""


def change_count(key: str, delta: int, low: int, high: int) -> None:
    """Callback of a − or + button: one layer or neuron fewer or more, within the limits."""
    WIDGETS[key] = min(max(int(WIDGETS[key]) + delta, low), high)


def upload() -> None:
    """Callback of the file uploader: new points, or one sentence and the old points kept."""
    file = st.session_state.get("pg_upload")
    if file is None:
        return
    regression = DATASETS[WIDGETS["data"]].regression
    try:
        pg.set_points(read_points(file.getvalue(), regression))
        st.session_state["pg_upload_message"] = ("success", f"Loaded {file.name}.")
    except PointsError as problem:
        st.session_state["pg_upload_message"] = ("error", f"{problem} The previous points stay.")


def data_controls(points_state: pg.PointsState) -> None:
    """The dataset, its noise, split and size, Regenerate, and the visitor's own points."""
    points = points_state.points
    if points_state.own:
        # Clicked or uploaded points: the generator's settings below no longer describe them.
        st.container(key="pg_own_points").markdown(f"**Your points ({len(points):,})**")
        st.caption(
            "The dataset, noise and number below make new points instead (yours go); "
            "Download keeps yours."
        )
    for key in ("data", "noise", "train", "points", "seed"):
        setting_widget(S[key])
    fixed = locked(PAGE)  # a teacher's lock=1: the class keeps the link's points
    st.button(
        "Regenerate",
        key="pg_regenerate",
        on_click=pg.regenerate,
        width="stretch",
        disabled=fixed,
    )
    with st.expander("Your own points"):
        target = "y" if points.classes == 0 else "label"
        st.file_uploader(
            f"Upload a CSV with columns x1,x2,{target}",
            type=["csv", "txt"],
            key="pg_upload",
            on_change=upload,
            disabled=fixed,
        )
        message = st.session_state.pop("pg_upload_message", None)
        if message is not None:
            getattr(st, message[0])(plain_text(message[1], 400))
        st.download_button(
            "Download these points (CSV)",
            points_csv(points),
            file_name="playground_points.csv",
            mime="text/csv",
        )


def click_choice(classes: int) -> None:
    """What a click on the plane adds, beside the plane where the click happens."""
    fixed = locked(PAGE)
    if classes:
        st.radio(
            "A click on the plane adds a point of",
            list(range(classes)),
            format_func=lambda c: f"class {c} ({CLASS_NAMES[c]})",
            key="pg_new_class",
            horizontal=True,
            disabled=fixed,
        )
    else:
        st.slider(
            "A click on the plane adds a point of value",
            -1.0,
            1.0,
            0.5,
            0.1,
            key="pg_new_value",
            disabled=fixed,
        )


def feature_controls() -> None:
    """What the network is fed: each feature a toggle (shown as a tile in the network)."""
    columns = st.columns(2)
    for index, setting in enumerate(FEATURE_SETTINGS):
        setting_widget(setting, columns[index % 2])


def layer_buttons() -> None:
    """− and + for the number of hidden layers and for each layer's neurons."""
    view = classroom(PAGE)
    locked = view.locked
    if "layers" not in view.hidden:
        row = st.container(horizontal=True, vertical_alignment="center")
        row.button(
            "−",
            key="pg_layers_minus",
            on_click=change_count,
            args=("layers", -1, 0, MAX_LAYERS),
            disabled=locked,
            help="One layer fewer",
        )
        row.button(
            "+",
            key="pg_layers_plus",
            on_click=change_count,
            args=("layers", 1, 0, MAX_LAYERS),
            disabled=locked,
            help="One layer more",
        )
        row.markdown(f"**{WIDGETS['layers']} hidden layers**")
    layers = int(WIDGETS["layers"])
    if not layers:
        return
    columns = st.columns(layers)
    for slot, column in enumerate(columns):
        key = f"l{slot + 1}"
        if key in view.hidden:
            continue
        with column.container(horizontal=True, vertical_alignment="center"):
            st.button(
                "−",
                key=f"pg_{key}_minus",
                on_click=change_count,
                args=(key, -1, 1, MAX_UNITS),
                disabled=locked,
            )
            st.button(
                "+",
                key=f"pg_{key}_plus",
                on_click=change_count,
                args=(key, 1, 1, MAX_UNITS),
                disabled=locked,
            )
            st.caption(f"{WIDGETS[key]} neurons")


def learning_controls() -> None:
    for key in ("lr", "act", "reg", "rate", "batch", "opt"):
        if key == "rate" and WIDGETS["reg"] == "none":
            continue
        setting_widget(S[key])
    stop_controls()


def stop_controls() -> None:
    """The stop rule: never, at an epoch, or at a test loss (only its own number shown)."""
    setting_widget(S["stop"])
    kind = WIDGETS["stop"]
    if kind != "none":
        setting_widget(S[f"stop_{kind}"])


def action_bar(current: pg.Training, spec, parts) -> None:
    """Reset, Play / Pause and Step: at the top, where a phone reaches them at once."""
    job = current.job
    playing = job is not None and job.playing
    row = st.container(horizontal=True)
    row.button(
        "Reset",
        key="pg_reset",
        icon=":material/restart_alt:",
        on_click=pg.reset,
        args=(current,),
        help="Start again from the first weights (epoch 0)",
    )
    if playing:
        row.button(
            "Pause",
            key="pg_pause",
            icon=":material/pause:",
            on_click=pg.pause,
            args=(current,),
            type="primary",
        )
    else:
        row.button(
            "Play",
            key="pg_play",
            icon=":material/play_arrow:",
            on_click=pg.play,
            args=(current, spec, parts),
            type="primary",
        )
    row.button(
        "Step",
        key="pg_step",
        icon=":material/skip_next:",
        on_click=pg.step,
        args=(current, spec, parts),
        help="Train one epoch, then wait",
    )
    setting_widget(S["show_test"], row)
    setting_widget(S["discrete"], row)


def presets(own: bool) -> None:
    """The lessons: each a setup that works, beside its bad twin (``pages/_ui/lessons``)."""
    playground_buttons(own)


def render() -> None:
    """The 2D Playground: data and features, the network, live training, its Keras code."""
    restore_settings(PAGE, LINK_SETTINGS, brought=brought)  # a lesson link brings its setup
    st.title("2D Playground")
    st.caption(
        "A small network learns to tell coloured points apart. The background is its answer "
        "everywhere on the plane; press ▶ Play and watch it reshape itself. Real Keras, "
        "your own points, more than two classes."
    )
    show_url_notices(PAGE)
    values = WIDGETS.values(ALL_SETTINGS)
    points_state = pg.points_state(values)
    points = points_state.points
    parts = split(points, values["train"] / 100, int(values["seed"]))
    spec = spec_from_values(values, points.classes)
    current = pg.training((spec, values["train"], points_state.version), spec, run_settings(values))
    pg.follow_rule(current, stop_rule(values))
    if current.job is not None and not current.job.live:
        pg.list_run(current)  # paused, stopped or let go: the run so far is listed
    if not spec.features:
        st.warning("Switch on at least one feature: the network needs an input.")

    def add_point(x1: float, x2: float) -> None:
        label = (
            st.session_state.get("pg_new_value", 0.5)
            if points.classes == 0
            else st.session_state.get("pg_new_class", 0)
        )
        pg.set_points(points.added(x1, x2, label))
        st.rerun(scope="app")

    train_tab, code_tab = st.tabs(["Playground", "Keras code"])
    with train_tab:
        if spec.features:
            action_bar(current, spec, parts)
        st.html(PHONE_ORDER + PLANE_FIT % plane_max_height(presenter_mode()))
        main = st.container(key="pg_main")
        # The plane is the page: two thirds of the width, so a laptop with the sidebar open
        # (1280 px) draws it 430 px square. Three columns side by side left it 180 px. The
        # network goes under it, as wide, with the losses between.
        controls, stage = main.columns([1, 1.9], gap="medium")
        with controls:
            with st.expander("Data", expanded=True):
                data_controls(points_state)
            with st.expander("Features", expanded=True):
                feature_controls()
            with st.expander("How it learns", expanded=True):
                learning_controls()
            presets(points_state.own)
        with stage:
            playground_note(points_state.own)  # why the lesson on screen works, or fails
            if spec.features:
                click_choice(points.classes)
                playground_live.draw_plane(spec, parts, values, current, add_point)
                playground_live.draw_losses(current)
            layer_buttons()
            if spec.features:
                playground_live.draw_network(spec, parts, current)
        runs_section(pg.PLAYGROUND_RUNS, busy=locked(PAGE))
    with code_tab:
        script = playground_script(spec, values, points if points_state.own else None)
        st.download_button(
            "Download playground_2d.py", script, file_name="playground_2d.py", mime="text/x-python"
        )
        st.code(script, language="python")
    values = WIDGETS.values(ALL_SETTINGS)
    publish_settings(PAGE, values, active_settings(values))
