"""The lessons on their pages (AppTest, no browser): a button loads the setup that works, "Bad
twin" its twin, the note beside says why and what to expect, a link opens either, and a
teacher's ``lock=1`` disables the buttons while a lesson link still opens its setup."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from nncore.playground.lessons import LESSONS_BY_KEY as PLAYGROUND_LESSONS
from nncore.training.lessons import LESSONS_BY_KEY as BUILD_LESSONS
from tests.helpers import open_with, page_app, texts


@pytest.fixture
def playground() -> AppTest:
    return page_app("playground.py")


@pytest.fixture
def build() -> AppTest:
    return page_app("build.py")


def note(app: AppTest, prefix: str = "pg_") -> str:
    """The lesson note's text ("" when the setup on screen is no lesson)."""
    found = [
        box.value
        for box in [*app.success, *app.warning]
        if box.value.startswith("**") and ": " in box.value.split("**")[1]
    ]
    assert len(found) <= 1, found
    return found[0] if found else ""


def test_a_lesson_button_loads_the_setup_and_says_why(playground):
    open_with(playground)
    assert note(playground) == ""
    playground.button(key="pg_lesson_xor").click().run()
    assert dict(playground.query_params) == {
        "data": "xor",
        "layers": "1",
        "l1": "8",
        "stop": "epochs",
    }
    said = note(playground)
    assert said.startswith("**XOR needs a hidden layer: a setup that works.**")
    assert PLAYGROUND_LESSONS["xor"].why in said and "After 100 epochs" in said


def test_the_bad_twin_button_breaks_one_setting_and_says_what_goes_wrong(playground):
    open_with(playground)
    playground.button(key="pg_lesson_linear_twin").click().run()
    assert dict(playground.query_params) == {"layers": "1", "act": "linear", "stop": "epochs"}
    said = note(playground)
    assert "the bad twin.** Activation: linear (none) instead of tanh." in said.replace("\\", "")
    assert "30 points lower than the good setup's" in said
    playground.button(key="pg_lesson_other").click().run()  # back to the setup that works
    assert dict(playground.query_params) == {"layers": "1", "stop": "epochs"}
    assert "a setup that works" in note(playground)


def test_changing_the_setup_ends_the_lesson_but_a_view_option_does_not(playground):
    open_with(playground, lesson="overfitting")
    assert "L2 against overfitting" in note(playground)
    playground.toggle(key="playground-show_test").set_value(False).run()
    assert "L2 against overfitting" in note(playground)
    playground.selectbox(key="playground-reg").set_value("none").run()  # the twin, reached by hand
    assert "the bad twin" in note(playground)
    playground.selectbox(key="playground-act").set_value("relu").run()
    assert note(playground) == ""


def test_a_lesson_link_opens_the_twin_and_a_bad_name_is_a_notice(playground):
    open_with(playground, lesson="spiral", twin="bad")
    assert playground.selectbox(key="playground-data").value == "spiral"
    assert "Spirals need depth: the bad twin" in note(playground)
    other = page_app("playground.py")
    open_with(other, lesson="[moon](http://evil)")
    warnings = " ".join(texts(other.warning))
    assert "is not one of none, xor" in warnings and "](http://" not in warnings
    assert note(other) == ""


def test_a_locked_link_disables_the_lesson_buttons_yet_opens_its_lesson(playground):
    open_with(playground, lesson="xor", twin="bad", lock="1")
    assert playground.selectbox(key="playground-data").value == "xor"
    assert "the bad twin" in note(playground)
    keys = [b for b in playground.button if b.key and "lesson_" in b.key]
    assert len(keys) == 2 * len(PLAYGROUND_LESSONS) + 1 and all(b.disabled for b in keys)
    assert not playground.button(key="pg_play").disabled
    assert playground.query_params["lock"] == "1"


def test_hide_lesson_hides_the_buttons_but_keeps_the_note(playground):
    open_with(playground, lesson="xor", hide="lesson")
    assert not [b for b in playground.button if b.key and b.key.startswith("pg_lesson_xor")]
    assert "XOR needs a hidden layer" in note(playground)
    assert texts(playground.warning) == []  # hide=lesson is a known name


def test_build_lessons_load_show_their_note_and_a_link_opens_them(build):
    open_with(build)
    build.button(key="lesson_batch-size_twin").click().run()
    assert (
        build.slider(key="build-batch").value == 1000
        and build.slider(key="build-epochs").value == 10
    )
    said = note(build).replace("\\", "")
    assert "Small batches, many steps: the bad twin.** Batch size: 1000 instead of 32." in said
    assert BUILD_LESSONS["batch-size"].wrong in said
    linked = page_app("build.py")
    open_with(linked, lesson="conv-activation")
    assert linked.selectbox(key="build-l1_type").value == "conv"
    assert linked.selectbox(key="build-l1_act").value == "relu"
    assert "Convolutions need relu: a setup that works" in note(linked)


def test_build_lesson_buttons_are_locked_by_a_teachers_link(build):
    open_with(build, lesson="zero-weights", twin="bad", lock="1")
    assert build.selectbox(key="build-l1_init").value == "zeros"
    assert "Layer 1 initial weights: all zeros instead of Glorot uniform" in note(build).replace(
        "\\", ""
    )
    lesson_buttons = [b for b in build.button if b.key and b.key.startswith("lesson_")]
    assert lesson_buttons and all(b.disabled for b in lesson_buttons)
    assert not build.button(key="train").disabled
