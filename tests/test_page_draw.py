"""The /draw page without a browser (AppTest). The canvas is a component, which AppTest does
not run: these tests see the page before anything is drawn, or seed the teaching buffer."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from nncore import digits
from nncore.train_digits import mnist_rows

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120  # the page imports TensorFlow and loads the model on first run


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/draw.py")
    return at


def texts(elements) -> list[str]:
    return [element.value for element in elements]


def test_page_renders_with_a_hint_and_no_prediction(app):
    app.run()
    assert not app.exception
    assert digits.EMPTY_HINT in texts(app.info)
    assert [metric.label for metric in app.metric] == []
    assert app.slider(key=digits.PEN.key).value == digits.PEN.default
    assert app.selectbox(key=digits.NETWORK.key).value == "cnn"
    assert app.button(key="draw_fine_tune").disabled
    assert "Answering: the bundled CNN." in texts(app.caption)


def test_settings_come_from_the_url(app):
    app.query_params["pen"] = "30"
    app.query_params["net"] = "build"
    app.run()
    assert not app.exception
    assert app.slider(key=digits.PEN.key).value == 30
    assert app.selectbox(key=digits.NETWORK.key).value == "build"
    # nothing trained on the Build page yet: a sentence, and the bundled CNN answers
    assert any("Build & Train" in text for text in texts(app.warning))


def test_a_bad_url_value_is_ignored_with_a_notice(app):
    app.query_params["pen"] = "500"
    app.run()
    assert not app.exception
    assert app.slider(key=digits.PEN.key).value == digits.PEN.default
    assert any("pen=500" in text for text in texts(app.warning))


def test_a_diverged_build_network_is_not_used(app):
    app.session_state["build_run"] = SimpleNamespace(model=None, diverged=True, input_shape=(784,))
    app.query_params["net"] = "build"
    app.run()
    assert not app.exception
    assert any("diverged" in text for text in texts(app.warning))


def test_a_build_network_for_other_inputs_is_not_used(app):
    layer = SimpleNamespace(units=3)
    run = SimpleNamespace(model=SimpleNamespace(layers=[layer]), diverged=False, input_shape=(2,))
    app.session_state["build_run"] = run
    app.query_params["net"] = "build"
    app.run()
    assert not app.exception
    assert any("28 × 28" in text for text in texts(app.warning))


def test_a_trained_build_network_is_offered(app):
    from nncore.keras_runtime import keras

    dense = keras.Sequential(
        [keras.Input((784,)), keras.layers.Dense(10, activation="softmax")], name="from_build"
    )
    app.session_state["build_run"] = SimpleNamespace(
        model=dense, diverged=False, input_shape=(784,)
    )
    app.query_params["net"] = "build"
    app.run()
    assert not app.exception
    assert not app.warning
    assert "Answering: your Build & Train network." in texts(app.caption)


def fine_tune_in_a_new_session(buffer: list) -> tuple[float, float]:
    """Open /draw in a fresh session, click Fine-tune on ``buffer``; return held-out accuracy
    (before, after) as the page reports it."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.switch_page("pages/draw.py")
    app.session_state["draw_buffer"] = list(buffer)
    app.run()
    app.button(key="draw_fine_tune").click().run()
    assert not app.exception
    assert not app.error, texts(app.error)
    assert any("fine-tuned copy" in text for text in texts(app.info))
    (message,) = texts(app.success)
    before, after = re.search(r"([\d.]+)% → ([\d.]+)%", message).groups()
    return float(before), float(after)


def test_fine_tuning_changes_only_this_sessions_copy():
    """Teach one session nonsense (sevens labelled 3); the next session starts from the
    untouched shared network, so its 'before' accuracy is the original one."""
    x, y = mnist_rows()
    wrong = [(image, 3) for image in x[y == 7][:12]]
    first_before, first_after = fine_tune_in_a_new_session(wrong)
    assert first_after < first_before  # the nonsense did change that session's copy
    second_before, _ = fine_tune_in_a_new_session(wrong)
    assert second_before == first_before
