"""The /descent page without a browser (AppTest), driven by the links a teacher would share."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from nncore.optimizers import OPTIMIZERS
from tests.helpers import PAGE_TIMEOUT, ROOT, open_with, page_app, texts

SGD = OPTIMIZERS["sgd"].label


@pytest.fixture
def app() -> AppTest:
    return page_app("descent.py")


def charts(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def figure(app: AppTest) -> dict:
    """The animated figure (the other chart, for quadratics, is the η number line)."""
    animated = [spec for spec in charts(app) if spec.get("frames")]
    assert len(animated) == 1
    return animated[0]


def expander(app: AppTest, label: str):
    return next(e for e in app.expander if e.label == label)


def test_defaults_show_an_animated_1d_picture_and_the_worked_step(app):
    open_with(app)
    assert app.selectbox(key="descent-fn").value == "quadratic"
    spec = figure(app)
    assert len(spec["frames"]) == 51  # 50 steps, one frame each
    assert spec["layout"]["sliders"][0]["active"] == 0
    assert texts(app.error) == []
    assert len(charts(app)) == 2  # the animation and the η number line
    assert any(r"\theta_{1} = \theta_{0}" in text for text in texts(app.latex))
    assert len(app.table) == 2  # who got there (under the picture), the first steps
    race = app.table[0].value
    assert list(race["optimizer"]) == [SGD, "Momentum", "Adam"]
    assert [app.toggle(key=f"descent-{key}").value for key in OPTIMIZERS] == [
        True,
        True,
        False,
        False,
        False,
        True,
    ]
    assert dict(app.query_params) == {}  # defaults make a short link


def test_the_eta_column_leads_with_the_picture_and_one_plain_sentence(app):
    """Explain gently: no L, μ or κ beside the control; the theory is one click away."""
    open_with(app)
    sentence = next(t for t in texts(app.markdown) if t.startswith("A step that is too long"))
    assert "above η = **1** plain gradient descent (SGD) runs away" in sentence
    assert "η = **0.5** gets down fastest" in sentence
    assert not any("**L =" in t or "κ =" in t for t in texts(app.markdown) if "Call **L**" not in t)
    why = expander(app, "Why 2/L and 2/(L+μ)?")
    assert why.proto.expanded is False
    first = why.markdown[0].value
    assert first.startswith("The more sharply a valley bends") and "here L = 2, μ = 2" in first


def test_a_diverging_link_explains_why(app):
    open_with(app, fn="bowl", kappa="50", eta="1.2", steps="100")
    errors = texts(app.error)
    assert len(errors) == 1
    assert errors[0].startswith(f"{SGD} diverged at step")
    assert "η = 1.2 is above 2/L = 1" in errors[0]
    assert app.select_slider(key="descent-eta").value == 1.2
    assert dict(app.query_params) == {"fn": "bowl", "kappa": "50", "eta": "1.2", "steps": "100"}


def test_a_garbage_parameter_gives_a_notice_and_the_default(app):
    open_with(app, eta="fast", steps="100000", fn="banana", kappa="50", gd="1")
    warnings = texts(app.warning)
    assert any("eta='fast' is not a number" in w for w in warnings)
    assert any("steps=100000 is outside 1–500" in w for w in warnings)
    assert any("fn='banana' is not one of" in w for w in warnings)
    assert any("gd='1': not a setting of this page" in w.replace("\\", "") for w in warnings)
    assert app.select_slider(key="descent-eta").value == 0.1
    assert app.slider(key="descent-steps").value == 50
    assert app.selectbox(key="descent-fn").value == "quadratic"
    assert "eta" not in app.query_params and "steps" not in app.query_params


def test_extreme_settings_are_explained_not_crashed(app):
    open_with(
        app,
        fn="bowl",
        kappa="100",
        eta="10",
        steps="500",
        nesterov="1",
        adagrad="1",
        rmsprop="1",
        beta="0.99",
    )
    errors = texts(app.error)
    assert any(e.startswith(f"{SGD} diverged") and "above 2/L" in e for e in errors)
    assert any(e.startswith("RMSprop diverged") and "running size" in e for e in errors)
    assert len(figure(app)["frames"]) == 60


def test_a_non_convex_function_is_labelled_and_custom_start_is_used(app):
    open_with(
        app,
        fn="rosenbrock",
        eta="0.001",
        custom_start="1",
        start1="-1",
        start2="1.5",
        view="surface",
    )
    assert any(
        "NOT convex" in w and "guarantees below do not apply" in w for w in texts(app.warning)
    )
    spec = figure(app)
    assert [trace["type"] for trace in spec["data"]].count("surface") == 1
    assert app.slider(key="descent-start1").value == -1.0
    assert app.query_params["start2"] == "1.5"
    # no number line off a quadratic: the safe step where the path starts and ends instead
    assert len(charts(app)) == 1
    assert any(t.startswith("This surface bends more in some places") for t in texts(app.markdown))


def test_moving_the_worked_step_and_switching_optimizers(app):
    open_with(app, steps="20")
    app.slider(key="descent-t").set_value(3).run()
    assert any(r"\theta_{4} = \theta_{3}" in text for text in texts(app.latex))
    for key in ("sgd", "momentum", "adam"):
        app.toggle(key=f"descent-{key}").set_value(False).run()
    assert not app.exception
    assert texts(app.info) == ["Switch on at least one optimizer to see a path."]
    assert app.query_params["sgd"] == "0" and "gd" not in app.query_params
    # the worked example still shows plain gradient descent, run just for it
    assert any(r"\theta_{4} = \theta_{3}" in text for text in texts(app.latex))


def test_switching_function_and_a_single_step(app):
    open_with(app, steps="1")
    assert len(figure(app)["frames"]) == 2
    app.selectbox(key="descent-fn").set_value("bowl").run()
    assert not app.exception
    assert app.select_slider(key="descent-kappa").value == 10.0
    assert app.query_params["fn"] == "bowl" and app.query_params["steps"] == "1"
    assert any(r"\nabla f(\theta_{0})" in text for text in texts(app.latex))
    app.selectbox(key="descent-fn").set_value("logcosh").run()
    assert not app.exception
    assert "kappa" not in app.query_params


def test_the_eta_buttons_set_the_thresholds(app):
    open_with(app, a="2")
    app.button(key="descent_eta_over").click().run()
    assert app.select_slider(key="descent-eta").value == pytest.approx(0.55)
    assert any(e.startswith(f"{SGD} diverged") for e in texts(app.error))
    app.button(key="descent_eta_best").click().run()
    assert app.select_slider(key="descent-eta").value == pytest.approx(0.25)
    assert texts(app.error) == []


def test_presenter_mode_enlarges_the_figures(app):
    open_with(app, present="1")
    big = figure(app)["layout"]["font"]["size"]
    assert big > figure(open_with(page_app("descent.py")))["layout"]["font"]["size"]


def test_the_page_never_imports_tensorflow():
    """The page must stay light: run it in a fresh interpreter and look at what got loaded.

    The page script runs on its own, without ``app.py``: the frame starts the worker processes
    (which hold TensorFlow in processes of their own), and waiting for them to start and stop
    took most of a minute without telling anything about this page."""
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(ROOT / 'pages' / 'descent.py')!r}, default_timeout={PAGE_TIMEOUT})\n"
        "at.query_params['fn'] = 'logreg'\n"
        "at.run()\n"
        "assert not at.exception, at.exception\n"
        "assert len(at.get('plotly_chart')) == 1, 'the page did not draw its figure'\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
