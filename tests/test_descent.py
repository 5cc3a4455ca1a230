"""nncore.descent: gradients, paths that are exactly Keras's, step-size theory, explanations,
settings, and the data inside the figures."""

from __future__ import annotations

import base64
import math
import re
from pathlib import Path

import numpy as np
import pytest

from nncore.descent import animation, contours, explain, figures, number_line, settings, theory
from nncore.descent.functions import (
    FUNCTIONS,
    make_problem,
    min_value,
    minimum,
    numeric_gradient,
)
from nncore.descent.paths import FAR, run, run_all
from nncore.optimizers import OPTIMIZERS, Hyper
from nncore.settings import defaults, parse_query, to_query

ROOT = Path(__file__).resolve().parents[1]
PARAMS = {"a": 1.5, "kappa": 20.0, "angle": 35.0}
SGD = OPTIMIZERS["sgd"].label


def problem_for(key: str):
    return make_problem(key, PARAMS)


def sample_points(key: str) -> np.ndarray:
    """A few points spread over the function's plotted region (fixed seed)."""
    rng = np.random.default_rng(3)
    lows, highs = np.array(FUNCTIONS[key].bounds).T
    return rng.uniform(lows, highs, size=(5, len(lows)))


# ---------------------------------------------------------------- gradients and curvature


@pytest.mark.parametrize("key", FUNCTIONS)
def test_gradients_match_finite_differences(key):
    problem = problem_for(key)
    for x in sample_points(key):
        np.testing.assert_allclose(
            problem.gradient(x), numeric_gradient(problem, x), rtol=1e-6, atol=1e-6
        )


@pytest.mark.parametrize("key", FUNCTIONS)
def test_gradients_work_on_rows_of_points(key):
    """run_all steps every optimizer at once, so gradients must take a batch of points."""
    problem = problem_for(key)
    points = sample_points(key)
    for x, row in zip(points, problem.gradient(points), strict=True):
        np.testing.assert_allclose(row, problem.gradient(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("key", FUNCTIONS)
def test_hessians_match_finite_differences_of_the_gradient(key):
    problem = problem_for(key)
    h = 1e-5
    for x in sample_points(key)[:3]:
        columns = [
            (problem.gradient(x + h * e) - problem.gradient(x - h * e)) / (2 * h)
            for e in np.eye(len(x))
        ]
        np.testing.assert_allclose(problem.hessian(x), np.array(columns).T, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("key", FUNCTIONS)
def test_the_minimum_is_where_the_gradient_vanishes(key):
    problem = problem_for(key)
    x = minimum(problem)
    np.testing.assert_allclose(problem.gradient(x), 0.0, atol=1e-9)
    assert min_value(problem) == pytest.approx(float(problem.value(x)), abs=0)
    for other in sample_points(key):
        assert problem.value(other) > min_value(problem)


def test_known_minima_are_the_textbook_ones():
    assert minimum(problem_for("quartic")).tolist() == [0.0]
    assert minimum(problem_for("rosenbrock")).tolist() == [1.0, 1.0]
    np.testing.assert_allclose(minimum(problem_for("bowl")), [0.0, 0.0], atol=1e-12)


def test_convexity_flags_agree_with_the_curvature():
    """Every function called convex has no negative curvature anywhere in its region;
    Rosenbrock, labelled not convex, has some."""
    for key, function in FUNCTIONS.items():
        problem = problem_for(key)
        lows, highs = np.array(function.bounds).T
        grid = np.random.default_rng(0).uniform(lows, highs, size=(300, len(lows)))
        smallest = min(theory.curvatures(problem, x)[1] for x in grid)
        assert (smallest >= -1e-12) == function.convex, key


# ---------------------------------------------------------------- exactly Keras


def keras_optimizer(key: str, hyper: Hyper):
    """The Keras optimizer each table entry claims to be, built independently of the table."""
    from nncore.keras_runtime import keras

    opt = keras.optimizers
    return {
        "sgd": lambda: opt.SGD(learning_rate=hyper.eta),
        "momentum": lambda: opt.SGD(learning_rate=hyper.eta, momentum=hyper.beta),
        "nesterov": lambda: opt.SGD(learning_rate=hyper.eta, momentum=hyper.beta, nesterov=True),
        "adagrad": lambda: opt.Adagrad(learning_rate=hyper.eta),
        "rmsprop": lambda: opt.RMSprop(learning_rate=hyper.eta),
        "adam": lambda: opt.Adam(learning_rate=hyper.eta),
    }[key]()


def keras_paths(problem, start, steps: int, hyper: Hyper, our_gradients: bool = False):
    """Every optimizer's path as Keras takes it: a keras.Variable per optimizer stepped by
    ``apply_gradients``. The gradients come from tf.GradientTape on the same formula written
    with keras.ops (one tape for all six: the formula takes rows), or, with
    ``our_gradients``, from our analytic gradient, which isolates the update arithmetic."""
    from nncore.keras_runtime import keras, tf

    keys = list(OPTIMIZERS)
    variables = [keras.Variable(np.array(start, dtype="float64"), dtype="float64") for _ in keys]
    optimizers = [keras_optimizer(key, hyper) for key in keys]
    points = [[v.numpy().copy()] for v in variables]
    for _ in range(steps):
        if our_gradients:
            gradients = [problem.gradient(v.numpy()) for v in variables]
        else:
            with tf.GradientTape() as tape:
                losses = problem.value(keras.ops.stack([v.value for v in variables]), keras.ops)
                total = keras.ops.sum(losses)
            gradients = tape.gradient(total, [v.value for v in variables])
        for optimizer, gradient, variable, trail in zip(
            optimizers, gradients, variables, points, strict=True
        ):
            optimizer.apply_gradients([(gradient, variable)])
            trail.append(variable.numpy().copy())
    return {key: np.array(trail) for key, trail in zip(keys, points, strict=True)}


# (function, start, η): steps that stay in the picture for all six optimizers.
KERAS_CASES = [
    ("quadratic", (2.5,), 0.05),
    ("quartic", (1.5,), 0.01),
    ("logcosh", (5.0,), 0.3),
    ("logistic", (-2.5,), 0.2),  # at 0.5 RMSprop sits on the minimum, where last-bit
    # differences between TF's gradient and the closed form are amplified (7e-6, still ≤ 1e-5)
    ("bowl", (-2.5, 2.0), 0.05),
    ("logreg", (-2.0, -3.0), 0.5),
    ("rosenbrock", (-1.5, 2.5), 2e-4),
]


@pytest.mark.parametrize(("fn", "start", "eta"), KERAS_CASES)
def test_optimizers_reproduce_keras_for_50_steps(fn, start, eta):
    problem = problem_for(fn)
    hyper = Hyper(eta=eta, beta=0.8)
    ours = run_all(problem, list(OPTIMIZERS), np.array(start), 50, hyper)
    theirs = keras_paths(problem, start, 50, hyper)
    for key, path in ours.items():
        assert path.diverged_at is None, key
        scale = np.max(np.abs(theirs[key]))
        relative = np.max(np.abs(path.points - theirs[key])) / scale
        assert relative <= 1e-5, f"{key} on {fn}: relative difference {relative:.2e}"
        # and the path really moved, so the comparison means something
        assert np.max(np.abs(theirs[key][-1] - theirs[key][0])) > 1e-3 * scale, key


@pytest.mark.parametrize(("fn", "start", "eta"), [KERAS_CASES[0], KERAS_CASES[4]])
def test_with_the_same_gradients_the_updates_are_bit_for_bit_keras(fn, start, eta):
    """Same gradients in, the same numbers out: the float32 rounding Keras applies to the
    learning rate and to cast hyperparameters is reproduced, not just approximated."""
    problem = problem_for(fn)
    hyper = Hyper(eta=eta, beta=0.8)
    ours = run_all(problem, list(OPTIMIZERS), np.array(start), 50, hyper)
    theirs = keras_paths(problem, start, 50, hyper, our_gradients=True)
    for key, path in ours.items():
        np.testing.assert_allclose(path.points, theirs[key], rtol=1e-14, atol=0, err_msg=key)


def test_the_keras_line_is_the_call_that_gives_the_same_path():
    hyper = Hyper(eta=0.3, beta=0.7)
    assert explain.keras_line("sgd", hyper) == "keras.optimizers.SGD(learning_rate=0.3)"
    assert explain.keras_line("nesterov", hyper) == (
        "keras.optimizers.SGD(learning_rate=0.3, momentum=0.7, nesterov=True)"
    )
    assert explain.keras_line("adam", hyper) == "keras.optimizers.Adam(learning_rate=0.3)"


# ---------------------------------------------------------------- theory: η thresholds


def test_thresholds_of_a_quadratic_with_known_curvatures():
    """f = a·θ² has L = μ = 2a; the bowl has L = 2 and μ = 2/κ by construction."""
    info = theory.theory(make_problem("quadratic", {"a": 2.0}))
    assert (info.L, info.mu) == pytest.approx((4.0, 4.0))
    assert (info.eta_max, info.eta_best) == pytest.approx((0.5, 0.25))

    info = theory.theory(make_problem("bowl", {"kappa": 4.0, "angle": 60.0}))
    assert (info.L, info.mu, info.kappa) == pytest.approx((2.0, 0.5, 4.0))
    assert (info.eta_max, info.eta_best, info.rate) == pytest.approx((1.0, 0.8, 0.6))
    assert theory.theory(problem_for("logreg")) is None  # not a quadratic


@pytest.mark.parametrize("kappa", [1.0, 4.0, 100.0])
def test_gradient_descent_diverges_just_above_2_over_l_and_not_below(kappa):
    problem = make_problem("bowl", {"kappa": kappa, "angle": 20.0})
    info = theory.theory(problem)
    start = np.array([-2.5, 2.0])
    below = run(problem, "sgd", start, 500, Hyper(eta=0.98 * info.eta_max))
    above = run(problem, "sgd", start, 500, Hyper(eta=1.02 * info.eta_max))
    assert below.diverged_at is None and below.steps == 500
    assert above.diverged_at is not None


def test_the_best_step_contracts_at_the_predicted_rate():
    problem = make_problem("bowl", {"kappa": 9.0, "angle": 0.0})
    info = theory.theory(problem)
    path = run(problem, "sgd", np.array([2.0, 2.0]), 40, Hyper(eta=info.eta_best))
    distance = np.linalg.norm(path.points, axis=1)
    assert distance[-1] / distance[-2] == pytest.approx(info.rate, rel=1e-6)  # (κ−1)/(κ+1)
    for eta in (0.8 * info.eta_best, 1.1 * info.eta_best):  # any other fixed step is slower
        other = run(problem, "sgd", np.array([2.0, 2.0]), 40, Hyper(eta=eta))
        assert np.linalg.norm(other.points[-1]) > distance[-1]


def test_one_step_lands_on_the_minimum_when_eta_is_one_over_curvature():
    problem = make_problem("quadratic", {"a": 1.0})  # f'' = 2, η* = 2/(L+μ) = 0.5
    path = run(problem, "sgd", np.array([2.5]), 3, Hyper(eta=0.5))
    assert path.points[1, 0] == 0.0


@pytest.mark.parametrize(
    ("key", "beta"), [("momentum", 0.9), ("momentum", 0.5), ("nesterov", 0.9), ("nesterov", 0.3)]
)
def test_momentum_limits_are_the_stability_edges_of_the_keras_updates(key, beta):
    problem = make_problem("quadratic", {"a": 1.0})
    limit = theory.stable_limit(key, 2.0, Hyper(beta=beta))
    stable = run(problem, key, np.array([2.5]), 500, Hyper(eta=0.97 * limit, beta=beta))
    unstable = run(problem, key, np.array([2.5]), 500, Hyper(eta=1.03 * limit, beta=beta))
    assert stable.diverged_at is None
    assert unstable.diverged_at is not None
    assert theory.stable_limit("adam", 2.0, Hyper()) is None


def test_local_curvatures_are_taken_at_the_start_and_at_the_minimum():
    found = theory.local_curvatures(problem_for("quartic"), np.array([1.5]))
    assert found == pytest.approx({"start": 27.0, "minimum": 0.0})  # 12θ²


# ---------------------------------------------------------------- divergence


def test_divergence_stops_at_the_last_good_point_and_names_the_threshold():
    problem = make_problem("quadratic", {"a": 1.0})
    hyper = Hyper(eta=1.2)
    path = run(problem, "sgd", np.array([2.5]), 50, hyper)
    # θ_t = 2.5·(1 − 2η)^t = 2.5·(−1.4)^t leaves FAR half-widths (|θ| > 12) at t = 5
    far = FAR * 3.0
    expected = next(t for t in range(50) if abs(2.5 * (-1.4) ** t) > far)
    assert expected == 5 and path.diverged_at == expected
    assert path.steps == expected - 1
    assert np.all(np.isfinite(path.points)) and np.all(np.abs(path.points) <= far)
    assert explain.divergence_message(problem, path, hyper) == (
        f"{SGD} diverged at step 5: η = 1.2 is above 2/L = 1. "
        "Its path is drawn up to step 4, the last point before it ran away."
    )


def test_a_non_finite_step_counts_as_divergence():
    problem = problem_for("rosenbrock")
    path = run(problem, "sgd", np.array([-1.5, 2.5]), 500, Hyper(eta=10.0))
    assert path.diverged_at == 1 and path.steps == 0
    assert np.all(np.isfinite(path.losses))
    message = explain.divergence_message(problem, path, Hyper(eta=10.0))
    assert "near θ = (-1.5, 2.5) the curvature is L ≈ 1.91e+03" in message
    assert message.endswith("so each step overshoots further. Only its start point is drawn.")


def test_other_paths_go_on_when_one_diverges():
    problem = make_problem("quadratic", {"a": 1.0})
    paths = run_all(problem, list(OPTIMIZERS), np.array([2.5]), 200, Hyper(eta=1.2))
    assert paths["sgd"].diverged_at == 5
    assert paths["momentum"].diverged_at is None and paths["momentum"].steps == 200
    assert abs(paths["momentum"].points[-1, 0]) < 1e-3  # |eigenvalues| = √β: slow but sure


def test_adaptive_methods_explain_their_divergence_without_a_curvature_threshold():
    problem = make_problem("quadratic", {"a": 1.0})
    hyper = Hyper(eta=10.0)
    path = run(problem, "rmsprop", np.array([2.5]), 50, hyper)
    assert path.diverged_at == 1
    message = explain.divergence_message(problem, path, hyper)
    assert message.startswith("RMSprop diverged at step 1: RMSprop divides the gradient")
    assert "(its first step is 31.6 long)" in message  # η/√(1−ρ) = 10/√0.1
    assert "too long for a region 6 wide" in message


def test_the_local_step_note_says_where_the_safe_step_changes():
    note = explain.local_step_note(problem_for("quartic"), np.array([1.5]))
    assert "At the start the curvature is 27, so gradient descent needs η < 0.0741." in note
    assert "At the minimum it is flat: no step is too long there." in note
    note = explain.local_step_note(problem_for("logcosh"), np.array([5.0]))
    assert "At the minimum the curvature is 1, so gradient descent needs η < 2." in note


def test_stability_notes_for_a_quadratic():
    problem = make_problem("quadratic", {"a": 1.0})
    at_edge = explain.stability_notes(problem, ["sgd", "adam"], Hyper(eta=1.0))
    assert at_edge == [
        f"{SGD}: η = 1 equals 2/L = 1, so it bounces between two points forever without converging."
    ]
    above = explain.stability_notes(problem, ["momentum"], Hyper(eta=1.95, beta=0.9))
    assert above == [
        "Momentum: η = 1.95 is above 2(1+β)/L = 1.9, so its swing grows with every step."
    ]
    assert explain.stability_notes(problem, ["sgd"], Hyper(eta=0.5)) == []
    assert explain.stability_notes(problem_for("logreg"), ["sgd"], Hyper(eta=100.0)) == []


@pytest.mark.parametrize("key", FUNCTIONS)
@pytest.mark.parametrize("eta", [1e-4, 10.0])
def test_extreme_settings_give_finite_paths_and_explained_divergence(key, eta):
    problem = make_problem(key, {"a": 5.0, "kappa": 100.0, "angle": 180.0})
    hyper = Hyper(eta=eta, beta=0.99)
    start = np.array([5.0, -5.0][: problem.dim])
    paths = run_all(problem, list(OPTIMIZERS), start, 500, hyper)
    for name, path in paths.items():
        assert np.all(np.isfinite(path.points)) and np.all(np.isfinite(path.losses))
        if path.diverged_at is None:
            assert path.steps == 500
            continue
        assert path.steps == path.diverged_at - 1
        message = explain.divergence_message(problem, path, hyper)
        assert message.startswith(f"{OPTIMIZERS[name].label} diverged at step {path.diverged_at}: ")
        assert "nan" not in message and "inf" not in message


# ---------------------------------------------------------------- words for students


def test_the_eta_sentence_gives_the_numbers_before_any_letters():
    info = theory.Theory(2.0, 0.2)
    sentence = explain.eta_sentence(info)
    assert "η = **1**" in sentence and "η = **0.909**" in sentence
    assert not re.search(r"\bL\b|μ|κ|eigen", sentence)


@pytest.mark.parametrize("info", [theory.Theory(2.0, 0.2), None])
def test_the_theory_says_what_l_and_mu_are_before_using_them(info):
    text = explain.eta_theory(info)
    assert text.index("Call **L**") < text.index("2/L") < text.index("eigenvalues")
    assert text.startswith("The more sharply a valley bends, the shorter a step must be.")
    numbers = ("2/L = 1**", "2/(L+μ) = 0.909**", "(κ−1)/(κ+1) = 0.818", "κ = 10")
    assert all((n in text) == (info is not None) for n in numbers)


def test_short_labels_and_glosses_come_from_the_table():
    assert explain.short_label("sgd") == "SGD" and explain.gloss("sgd") == "plain gradient descent"
    assert explain.short_label("adam") == "Adam" and explain.gloss("adam") == ""


# ---------------------------------------------------------------- the worked example


def test_the_worked_step_has_the_right_numbers():
    problem = make_problem("quadratic", {"a": 1.0})
    path = run(problem, "sgd", np.array([2.5]), 3, Hyper(eta=0.1))
    rows = explain.sgd_steps(problem, path)
    assert [row.t for row in rows] == [0, 1, 2]
    assert rows[0].gradient[0] == pytest.approx(5.0)
    assert rows[0].next_theta[0] == pytest.approx(2.0)
    assert explain.sgd_update_tex(rows[0], 0.1) == (
        r"\theta_{1} = \theta_{0} - \eta\,f'(\theta_{0}) = 2.5 - 0.1 \cdot 5 = 2"
    )
    assert explain.sgd_table(rows)[1] == {
        "t": "1",
        "θₜ": "2",
        "f(θₜ)": "4",
        "gradient ∇f(θₜ)": "4",
        "θₜ₊₁ = θₜ − η·∇f(θₜ)": "1.6",
    }


def test_the_worked_step_in_2d_uses_vectors_and_brackets_negative_1d_slopes():
    problem = make_problem("bowl", {"kappa": 10.0, "angle": 0.0})
    path = run(problem, "sgd", np.array([1.0, 1.0]), 1, Hyper(eta=0.5))
    tex = explain.sgd_update_tex(explain.sgd_steps(problem, path)[0], 0.5)
    assert r"\nabla f" in tex and tex.count(r"\begin{pmatrix}") == 3
    assert tex.endswith(r"= \begin{pmatrix}0 \\ 0.9\end{pmatrix}")  # (1 − 0.5·2, 1 − 0.5·0.2)
    left = make_problem("quadratic", {"a": 1.0})
    row = explain.sgd_steps(left, run(left, "sgd", np.array([-2.0]), 1, Hyper(eta=0.1)))[0]
    assert r"- 0.1 \cdot (-4) = -1.6" in explain.sgd_update_tex(row, 0.1)


def test_the_race_table_says_who_arrived_and_who_did_not():
    problem = make_problem("quadratic", {"a": 1.0})
    paths = run_all(problem, ["sgd", "adam"], np.array([2.5]), 60, Hyper(eta=0.5))
    rows = explain.race_table(paths, 0.0)
    assert rows[0] == {
        "optimizer": SGD,
        "last step": "60",
        "f − f* there": "0",
        "outcome": "within 1e-06 from step 1 on",  # η = 1/(2a) lands on θ* in one step
    }
    # Adam with a huge η on log-cosh passes through the minimum and swings out again
    swings = run_all(problem_for("logcosh"), ["adam"], np.array([5.0]), 100, Hyper(10.0))
    assert re.fullmatch(
        r"touched 1e-06 at step \d+, then left", explain.race_table(swings, 0.0)[0]["outcome"]
    )
    bounced = run_all(problem, ["sgd"], np.array([2.5]), 20, Hyper(eta=1.0))
    assert explain.race_table(bounced, 0.0)[0]["outcome"] == "not there yet"
    diverged = run_all(problem, ["sgd"], np.array([2.5]), 20, Hyper(eta=1.5))
    assert explain.race_table(diverged, 0.0)[0]["outcome"] == "diverged at step 3"


# ---------------------------------------------------------------- settings


def test_every_setting_is_declared_once_and_optimizers_come_from_the_table():
    keys = [s.key for s in settings.DESCENT_SETTINGS]
    assert len(keys) == len(set(keys))
    toggles = settings.OPTIMIZER_SETTINGS
    assert [s.key for s in toggles] == list(OPTIMIZERS) and "gd" not in keys
    assert [s.default for s in toggles] == [o.descent_default for o in OPTIMIZERS.values()]
    assert toggles[0].label == "SGD"
    assert toggles[0].help == "plain gradient descent · keras.optimizers.SGD(learning_rate=η)"
    assert set(settings.FUNCTION_SETTING.choices) == set(FUNCTIONS)


def test_settings_round_trip_through_the_url():
    declared = settings.DESCENT_SETTINGS
    values = defaults(declared) | {
        "fn": "bowl",
        "kappa": 50.0,
        "angle": 45.0,
        "eta": 0.909091,
        "steps": 500,
        "sgd": False,
        "nesterov": True,
        "adam": False,
        "custom_start": True,
        "start1": -4.2,
        "start2": 1.5,
        "view": "surface",
    }
    query = to_query(values, declared)
    assert query["sgd"] == "0" and "gd" not in query
    parsed, notices = parse_query(query, declared)
    assert notices == []
    assert defaults(declared) | parsed == values


def test_a_link_carries_only_the_settings_that_matter():
    values = defaults(settings.DESCENT_SETTINGS) | {"fn": "quadratic", "kappa": 50.0}
    relevant = settings.relevant_values(values)
    assert "kappa" not in relevant and "angle" not in relevant and "view" not in relevant
    assert "start1" not in relevant  # the function's own start is used
    assert "a" in relevant and "beta" in relevant
    relevant = settings.relevant_values(values | {"momentum": False, "nesterov": False})
    assert "beta" not in relevant


def test_start_point_and_hyperparameters_come_from_the_values():
    problem = make_problem("logreg", {})
    values = defaults(settings.DESCENT_SETTINGS)
    assert settings.start_point(problem, values).tolist() == list(FUNCTIONS["logreg"].start)
    chosen = values | {"custom_start": True, "start1": 1.0, "start2": -1.0}
    assert settings.start_point(problem, chosen).tolist() == [1.0, -1.0]
    assert settings.hyper_from(values | {"eta": 0.5, "beta": 0.3}) == Hyper(eta=0.5, beta=0.3)
    assert settings.chosen_optimizers(values | {"adam": False, "rmsprop": True}) == [
        "sgd",
        "momentum",
        "rmsprop",
    ]


# ---------------------------------------------------------------- figures


def build(key: str, steps: int, eta: float, view: str = "contour", optimizers=None, **kwargs):
    problem = make_problem(key, {"a": 1.0, "kappa": 10.0, "angle": 30.0})
    chosen = list(OPTIMIZERS) if optimizers is None else optimizers
    paths = run_all(problem, chosen, np.array(FUNCTIONS[key].start), steps, Hyper(eta=eta))
    x_min, f_min = minimum(problem), min_value(problem)
    if problem.dim == 1:
        fig = figures.descent_figure_1d(problem, paths, steps, f_min, float(x_min[0]), **kwargs)
    else:
        fig = figures.descent_figure_2d(
            problem, paths, steps, f_min, x_min.tolist(), view, **kwargs
        )
    return problem, paths, fig


def play_redraws(fig) -> bool:
    return fig.layout.updatemenus[0].buttons[0].args[1]["frame"]["redraw"]


def test_frame_steps_are_few_and_include_both_ends():
    assert animation.frame_steps(10).tolist() == list(range(11))
    shown = animation.frame_steps(500)
    assert len(shown) == animation.MAX_FRAMES
    assert shown[0] == 0 and shown[-1] == 500 and np.all(np.diff(shown) > 0)


def test_the_animation_has_frames_a_play_button_and_a_step_slider():
    _, _, fig = build("bowl", 500, 0.1)
    names = [frame.name for frame in fig.frames]
    assert len(names) == animation.MAX_FRAMES and names[0] == "0" and names[-1] == "500"
    slider = fig.layout.sliders[0]
    assert [step.args[0][0] for step in slider.steps] == names
    assert [button.label for button in fig.layout.updatemenus[0].buttons] == ["▶ Play", "❚❚ Pause"]
    assert fig.layout.yaxis2.type == "log"


def test_the_2d_view_moves_without_redrawing_so_its_level_lines_stay():
    """plotly.js drops every trace but scatter from the picture when it animates without a
    redraw (the user test: 37 contour paths before Play, none after), and redrawing every
    frame was slow: the level lines are scatter and the shading an image under the plot."""
    _, _, fig = build("bowl", 50, 0.1)
    assert {trace.type for trace in fig.data} == {"scatter"}
    assert play_redraws(fig) is False
    assert not any(step.args[1]["frame"]["redraw"] for step in fig.layout.sliders[0].steps)
    levels = next(i for i, trace in enumerate(fig.data) if trace.name == figures.LEVELS)
    assert all(levels not in frame.traces for frame in fig.frames)
    (image,) = fig.layout.images
    assert image.source.startswith("data:image/png;base64,") and image.layer == "below"
    (x_lo, x_hi), (y_lo, y_hi) = fig.layout.xaxis.range, fig.layout.yaxis.range
    assert (image.x, image.sizex, image.y, image.sizey) == (x_lo, x_hi - x_lo, y_hi, y_hi - y_lo)
    # the 1D curve is scatter too; only the 3D surface needs a redraw (gl3d cannot move)
    assert play_redraws(build("quadratic", 50, 0.1)[2]) is False
    assert play_redraws(build("bowl", 50, 0.1, view="surface")[2]) is True


def test_the_last_frame_shows_each_optimizer_at_its_last_point():
    _, paths, fig = build("bowl", 500, 0.1)
    now, loss = fig.frames[-1].data
    ends = np.array([p.points[-1] for p in paths.values()])
    np.testing.assert_allclose(now.x, ends[:, 0])
    np.testing.assert_allclose(now.y, ends[:, 1])
    assert list(loss.x) == [500] * len(paths)
    # frames only replace the moving traces, which sit at the end of the data
    assert list(fig.frames[-1].traces) == [len(fig.data) - 2, len(fig.data) - 1]


def test_a_diverged_path_stays_at_its_last_point_and_is_marked():
    _, paths, fig = build("quadratic", 50, 1.2, optimizers=["sgd", "adam"])
    sgd = paths["sgd"]
    assert sgd.diverged_at == 5
    tangents, now, loss = fig.frames[-1].data
    assert now.x[0] == sgd.points[-1, 0] and loss.x[0] == 4
    crosses = [t for t in fig.data if t.name == figures.CUT]
    assert len(crosses) == 1 and list(crosses[0].x) == [sgd.points[-1, 0]]
    for frame in fig.frames:
        for trace in frame.data:
            x = np.array(trace.x, dtype=float)
            assert np.all(np.isfinite(x[~np.isnan(x)]))  # NaNs only as gaps between tangents


def test_1d_tangents_have_the_gradient_as_slope():
    problem, _, fig = build("logcosh", 30, 0.5)
    tangents, now, _ = fig.frames[3].data
    x = np.array(tangents.x, dtype=float).reshape(-1, 3)
    y = np.array(tangents.y, dtype=float).reshape(-1, 3)
    for (x0, x1, _), (y0, y1, _), point in zip(x, y, now.x, strict=True):
        slope = (y1 - y0) / (x1 - x0)
        assert slope == pytest.approx(problem.gradient(np.array([point]))[0], rel=1e-9, abs=1e-12)
        assert (x0 + x1) / 2 == pytest.approx(point)


def test_the_surface_view_stacks_the_loss_panel_under_a_full_width_scene():
    _, _, fig = build("logreg", 100, 0.5, view="surface")
    assert [t.type for t in fig.data].count("surface") == 1
    assert fig.frames[-1].data[0].type == "scatter3d"
    assert play_redraws(fig) is True
    assert tuple(fig.layout.scene.domain.x) == (0.0, 1.0)
    assert fig.layout.yaxis2.domain[1] < fig.layout.scene.domain.y[0]
    assert fig.layout.scene.xaxis.nticks == 4  # plotly's default count stacked the labels


def test_loss_curves_are_finite_positive_and_leave_the_panel_s_top_free():
    _, paths, fig = build("rosenbrock", 200, 1e-3)
    curves = [t for t in fig.data if t.xaxis == "x2" and t.mode == "lines"]
    assert len(curves) == len(paths)
    for curve in curves:
        assert np.all(np.asarray(curve.y) > 0) and np.all(np.isfinite(curve.y))
    low, high = fig.layout.yaxis2.range
    top = max(math.log10(max(curve.y)) for curve in curves)
    assert high - top >= 0.12 * (high - low)  # where "f − f*" is written
    ticks = [math.log10(v) for v in fig.layout.yaxis2.tickvals]
    assert all(t == round(t) and low <= t <= top for t in ticks) and len(ticks) >= 2


def test_the_figures_take_their_colours_from_the_optimizer_table():
    _, paths, fig = build("bowl", 20, 0.1)
    table = [OPTIMIZERS[k].color for k in paths]
    lines = [t for t in fig.data if getattr(t, "mode", None) == "lines+markers"]
    assert [t.name for t in lines] == [explain.short_label(k) for k in paths]
    assert [t.line.color for t in lines] == table
    now, on_loss = fig.data[-2:]  # the moving markers, styled once in the figure
    assert list(now.marker.color) == table and list(on_loss.marker.color) == table


def test_no_module_of_the_page_hard_codes_an_optimizer_colour():
    colours = {o.color.lower() for o in OPTIMIZERS.values()}
    sources = [*(ROOT / "nncore" / "descent").glob("*.py"), ROOT / "pages" / "_ui" / "descent.py"]
    for source in sources:
        found = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", source.read_text())}
        assert not found & colours, f"{source.name} repeats {found & colours}"


def test_presenter_mode_makes_the_text_bigger():
    _, _, normal = build("bowl", 20, 0.1)
    _, _, big = build("bowl", 20, 0.1, present=True)
    assert big.layout.font.size > normal.layout.font.size
    assert big.layout.height > normal.layout.height
    assert (
        big.layout.sliders[0].currentvalue.font.size
        > normal.layout.sliders[0].currentvalue.font.size
    )


def test_no_optimizer_still_draws_the_function():
    _, _, fig = build("quartic", 20, 0.1, optimizers=[])
    assert fig.data[0].name == "f(θ)"
    assert len(fig.frames) == 21


# ---------------------------------------------------------------- level lines and shading


GRID = np.linspace(-3.0, 3.0, 41), np.linspace(-2.0, 2.0, 31)


def on_grid(f):
    gx, gy = np.meshgrid(*GRID)
    return f(gx, gy)


def test_level_lines_of_a_plane_lie_exactly_on_their_levels():
    """Linear interpolation is exact for a plane, so every end of every piece is on it."""
    z = on_grid(lambda x, y: x + 2 * y)
    segments = contours.level_segments(*GRID, z, [-1.0, 0.5, 2.0])
    values = segments[:, :, 0] + 2 * segments[:, :, 1]
    assert sorted(set(np.round(values.ravel(), 12))) == [-1.0, 0.5, 2.0]
    assert len(segments) > 3 * 30  # each level crosses the whole grid


def test_level_lines_of_a_bowl_close_round_it_and_saddles_are_split():
    bowl = contours.level_segments(*GRID, on_grid(lambda x, y: x**2 + 2 * y**2), [1.0])
    radius = bowl[:, :, 0] ** 2 + 2 * bowl[:, :, 1] ** 2
    assert np.allclose(radius, 1.0, atol=0.02)  # interpolated on a 0.15-wide grid
    assert {np.sign(bowl[:, :, 0]).max(), np.sign(bowl[:, :, 0]).min()} == {1.0, -1.0}
    saddle = contours.level_segments(*GRID, on_grid(lambda x, y: x * y), [0.0])
    ends = saddle[:, :, 0] * saddle[:, :, 1]
    assert np.allclose(ends, 0.0, atol=1e-12)  # x·y is linear along every cell edge
    # each piece stays in one quadrant's boundary: no piece cuts across the saddle point
    assert np.all(np.min(np.abs(saddle), axis=2) < 1e-12)


def test_level_lines_are_one_trace_with_gaps():
    x, y = contours.level_lines(*GRID, on_grid(lambda x, y: x**2 + y**2), count=5)
    assert np.all(np.isnan(x[2::3])) and np.all(np.isnan(y[2::3]))
    assert not np.isnan(x[0::3]).any() and len(x) % 3 == 0
    assert contours.levels(np.array([0.0, 6.0]), 5).tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_the_shading_is_light_where_low_and_has_its_top_row_first():
    from io import BytesIO

    from PIL import Image

    url = contours.shading(on_grid(lambda x, y: y))  # rises towards the top of the picture
    image = Image.open(BytesIO(base64.b64decode(url.split(",", 1)[1])))
    pixels = np.asarray(image)
    assert image.mode == "L" and pixels.shape == (31, 41)
    assert pixels[0, 0] == contours.DARK and pixels[-1, -1] == contours.LIGHT
    assert np.all(np.diff(pixels[:, 0].astype(int)) >= 0)  # lighter going down


def test_view_titles_name_what_is_drawn():
    assert figures.view_title(problem_for("quadratic")) == (
        "The curve, each optimizer's point and its tangent"
    )
    assert figures.view_title(problem_for("bowl"), "surface") == "Paths on the 3D surface"
    assert figures.view_title(problem_for("rosenbrock")).endswith("(levels of log₁₀ f)")


# ---------------------------------------------------------------- the η number line


def annotations_by_text(fig) -> dict[str, object]:
    return {a.text: a for a in fig.layout.annotations}


@pytest.mark.parametrize("eta", [1e-4, 0.1, 0.95, 1.5, 10.0])
@pytest.mark.parametrize("kappa", [1.0, 10.0, 100.0])
def test_the_eta_scale_has_room_for_every_label(eta, kappa):
    info = theory.theory(make_problem("bowl", {"kappa": kappa}))
    fig = number_line.eta_scale_figure(eta, info)
    low, high = fig.layout.xaxis.range
    marks = {"η*": info.eta_best, "2/L": info.eta_max, "η": eta}
    for value in marks.values():  # labels leaning outwards from here stay inside the figure
        assert low + 0.6 - 1e-9 <= math.log10(value) <= high - 0.6 + 1e-9
    assert high - math.log10(info.eta_max) >= (high - low) / 3 - 1e-9  # room for "diverges"
    labels = annotations_by_text(fig)
    assert f"η* = {info.eta_best:.3g}" in labels and f"2/L = {info.eta_max:.3g}" in labels
    assert (number_line.DIVERGING_LABEL in labels) == (eta > info.eta_max)
    if eta > info.eta_max:  # inside the red zone, starting right of the 2/L line, not on it
        label = labels[number_line.DIVERGING_LABEL]
        assert label.x == pytest.approx(math.log10(info.eta_max))
        assert label.xanchor == "left" and label.xshift > 0
    assert ("diverges" in labels) == (eta <= info.eta_max)
    above = [a for a in labels.values() if a.y > 0]
    below = [a for a in labels.values() if a.y < 0]
    assert len(above) == 2 and all(a.yanchor == "bottom" for a in above)
    assert all(a.yanchor == "top" and a.y > fig.layout.yaxis.range[0] + 0.5 for a in below)
    if abs(math.log10(info.eta_max / info.eta_best)) < 0.4:  # nearly the same place: lean apart
        assert labels[f"η* = {info.eta_best:.3g}"].xanchor == "right"
        assert labels[f"2/L = {info.eta_max:.3g}"].xanchor == "left"


@pytest.mark.parametrize("eta", [1e-4, 0.1, 0.95, 1.5, 10.0])
@pytest.mark.parametrize("kappa", [1.0, 10.0, 100.0])
def test_the_eta_scale_numbers_more_than_one_tick(eta, kappa):
    info = theory.theory(make_problem("bowl", {"kappa": kappa}))
    axis = number_line.eta_scale_figure(eta, info).layout.xaxis
    low, high = axis.range
    assert 3 <= len(axis.tickvals) <= 8
    assert all(low <= math.log10(v) <= high for v in axis.tickvals)
    assert len(set(axis.ticktext)) == len(axis.ticktext)


def test_eta_ticks_are_written_as_a_student_writes_them():
    assert number_line.tick_values(-1.6, 0.6) == pytest.approx([0.05, 0.1, 0.2, 0.5, 1, 2])
    assert [number_line.tick_text(v) for v in (0.05, 1.0, 20.0, 1e-4, 2e-5)] == [
        "0.05",
        "1",
        "20",
        "10⁻⁴",
        "2·10⁻⁵",
    ]


def test_the_eta_dot_is_the_chosen_eta_in_sgd_colour():
    info = theory.Theory(2.0, 0.2)
    dot = number_line.eta_scale_figure(0.1, info).data[-1]
    assert list(dot.x) == [0.1] and dot.marker.color == OPTIMIZERS["sgd"].color
