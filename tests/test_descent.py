"""nncore.descent and nncore.descent_figures: gradients, Keras-exact optimizers, step-size
theory, divergence, settings and the data inside the figures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nncore import descent, descent_figures
from nncore.descent import FUNCTIONS, OPTIMIZERS, Hyper, make_problem
from nncore.settings import defaults, parse_query, to_query

PARAMS = {"a": 1.5, "kappa": 20.0, "angle": 35.0}


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
        analytic = problem.gradient(x)
        numeric = descent.numeric_gradient(problem, x)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("key", FUNCTIONS)
def test_gradients_work_on_rows_of_points(key):
    """run_all steps every optimizer at once, so gradients must take a batch of points."""
    problem = problem_for(key)
    points = sample_points(key)
    batch = problem.gradient(points)
    for x, row in zip(points, batch, strict=True):
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
        numeric = np.array(columns).T
        np.testing.assert_allclose(problem.hessian(x), numeric, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("key", FUNCTIONS)
def test_the_minimum_is_where_the_gradient_vanishes(key):
    problem = problem_for(key)
    x = descent.minimum(problem)
    if key == "quartic":  # θ⁴: gradient 4θ³ at θ = 0
        assert x[0] == 0.0
    np.testing.assert_allclose(problem.gradient(x), 0.0, atol=1e-9)
    for other in sample_points(key):
        assert problem.value(other) >= descent.min_value(problem) - 1e-12


def test_convexity_flags_agree_with_the_curvature():
    """Every function called convex has no negative curvature anywhere in its region;
    Rosenbrock, labelled not convex, has some."""
    for key, function in FUNCTIONS.items():
        problem = problem_for(key)
        lows, highs = np.array(function.bounds).T
        grid = np.random.default_rng(0).uniform(lows, highs, size=(300, len(lows)))
        smallest = min(descent.curvatures(problem, x)[1] for x in grid)
        assert (smallest >= -1e-12) == function.convex, key


# ---------------------------------------------------------------- exactly Keras


def keras_optimizer(key: str, hyper: Hyper):
    """The Keras optimizer each table entry claims to be, built independently of the table."""
    from nncore.keras_runtime import keras

    opt = keras.optimizers
    return {
        "gd": lambda: opt.SGD(learning_rate=hyper.eta),
        "momentum": lambda: opt.SGD(learning_rate=hyper.eta, momentum=hyper.beta),
        "nesterov": lambda: opt.SGD(learning_rate=hyper.eta, momentum=hyper.beta, nesterov=True),
        "adagrad": lambda: opt.Adagrad(learning_rate=hyper.eta),
        "rmsprop": lambda: opt.RMSprop(learning_rate=hyper.eta),
        "adam": lambda: opt.Adam(learning_rate=hyper.eta),
    }[key]()


def keras_path(problem, key: str, start: np.ndarray, steps: int, hyper: Hyper) -> np.ndarray:
    """Step a keras.Variable with tf.GradientTape on the same formula (written with
    keras.ops), so both the optimizer and the gradient come from Keras/TensorFlow."""
    from nncore.keras_runtime import keras, tf

    variable = keras.Variable(np.array(start, dtype="float64"), dtype="float64")
    optimizer = keras_optimizer(key, hyper)
    points = [variable.numpy().copy()]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = problem.value(variable.value, keras.ops)
        gradient = tape.gradient(loss, variable.value)
        optimizer.apply_gradients([(gradient, variable)])
        points.append(variable.numpy().copy())
    return np.array(points)


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


@pytest.mark.parametrize("key", OPTIMIZERS)
@pytest.mark.parametrize(("fn", "start", "eta"), KERAS_CASES)
def test_optimizers_reproduce_keras_for_50_steps(fn, start, eta, key):
    problem = problem_for(fn)
    hyper = Hyper(eta=eta, beta=0.8)
    ours = descent.run(problem, key, np.array(start), 50, hyper)
    assert ours.diverged_at is None
    theirs = keras_path(problem, key, np.array(start), 50, hyper)
    scale = np.max(np.abs(theirs))
    relative = np.max(np.abs(ours.points - theirs)) / scale
    assert relative <= 1e-5, f"{key} on {fn}: relative difference {relative:.2e}"
    # and the path really moved, so the comparison means something
    assert np.max(np.abs(theirs[-1] - theirs[0])) > 1e-3 * scale


def keras_path_with_our_gradients(problem, key, start, steps, hyper) -> np.ndarray:
    """The Keras optimizer fed our analytic gradients: isolates the update arithmetic."""
    from nncore.keras_runtime import keras

    variable = keras.Variable(np.array(start, dtype="float64"), dtype="float64")
    optimizer = keras_optimizer(key, hyper)
    points = [variable.numpy().copy()]
    for _ in range(steps):
        optimizer.apply_gradients([(problem.gradient(variable.numpy()), variable)])
        points.append(variable.numpy().copy())
    return np.array(points)


@pytest.mark.parametrize("key", OPTIMIZERS)
@pytest.mark.parametrize(("fn", "start", "eta"), KERAS_CASES[:1] + KERAS_CASES[4:5])
def test_with_the_same_gradients_the_updates_are_bit_for_bit_keras(fn, start, eta, key):
    """Same gradients in, the same numbers out: the float32 rounding Keras applies to the
    learning rate and to cast hyperparameters is reproduced, not just approximated."""
    problem = problem_for(fn)
    hyper = Hyper(eta=eta, beta=0.8)
    ours = descent.run(problem, key, np.array(start), 50, hyper).points
    theirs = keras_path_with_our_gradients(problem, key, np.array(start), 50, hyper)
    np.testing.assert_allclose(ours, theirs, rtol=1e-14, atol=0)


def test_the_table_names_the_keras_classes_the_tests_build():
    for key, optimizer in OPTIMIZERS.items():
        built = keras_optimizer(key, Hyper())
        assert optimizer.keras.split("(")[0] == type(built).__name__
        assert descent.keras_line(key, Hyper(eta=0.3, beta=0.7)).startswith(
            f"keras.optimizers.{type(built).__name__}(learning_rate=0.3"
        )


def test_keras_defaults_are_the_ones_we_use():
    """Adam's betas and epsilon, RMSprop's rho and Adagrad's accumulator start as in Keras."""
    hyper = Hyper()
    adam, rms, ada = (keras_optimizer(k, hyper) for k in ("adam", "rmsprop", "adagrad"))
    assert (adam.beta_1, adam.beta_2, adam.epsilon) == (hyper.beta_1, hyper.beta_2, hyper.epsilon)
    assert (rms.rho, rms.epsilon) == (hyper.rho, hyper.epsilon)
    assert (ada.initial_accumulator_value, ada.epsilon) == (
        hyper.initial_accumulator_value,
        hyper.epsilon,
    )


# ---------------------------------------------------------------- theory: η thresholds


def test_thresholds_of_a_quadratic_with_known_curvatures():
    """f = a·θ² has L = μ = 2a; the bowl has L = 2 and μ = 2/κ by construction."""
    info = descent.theory(make_problem("quadratic", {"a": 2.0}))
    assert (info.L, info.mu) == pytest.approx((4.0, 4.0))
    assert info.eta_max == pytest.approx(0.5)
    assert info.eta_best == pytest.approx(0.25)

    info = descent.theory(make_problem("bowl", {"kappa": 4.0, "angle": 60.0}))
    assert (info.L, info.mu, info.kappa) == pytest.approx((2.0, 0.5, 4.0))
    assert info.eta_max == pytest.approx(1.0)
    assert info.eta_best == pytest.approx(0.8)
    assert info.rate == pytest.approx(0.6)
    assert descent.theory(problem_for("logreg")) is None  # not a quadratic


@pytest.mark.parametrize("kappa", [1.0, 4.0, 100.0])
def test_gradient_descent_diverges_just_above_2_over_l_and_not_below(kappa):
    problem = make_problem("bowl", {"kappa": kappa, "angle": 20.0})
    info = descent.theory(problem)
    start = np.array([-2.5, 2.0])
    below = descent.run(problem, "gd", start, 500, Hyper(eta=0.98 * info.eta_max))
    above = descent.run(problem, "gd", start, 500, Hyper(eta=1.02 * info.eta_max))
    assert below.diverged_at is None
    assert above.diverged_at is not None


def test_the_best_step_contracts_at_the_predicted_rate():
    problem = make_problem("bowl", {"kappa": 9.0, "angle": 0.0})
    info = descent.theory(problem)
    path = descent.run(problem, "gd", np.array([2.0, 2.0]), 40, Hyper(eta=info.eta_best))
    distance = np.linalg.norm(path.points, axis=1)
    assert distance[-1] / distance[-2] == pytest.approx(info.rate, rel=1e-6)  # (κ−1)/(κ+1)
    # and any other fixed step is slower on the slowest direction or the steepest one
    for eta in (0.8 * info.eta_best, 1.1 * info.eta_best):
        other = descent.run(problem, "gd", np.array([2.0, 2.0]), 40, Hyper(eta=eta))
        assert np.linalg.norm(other.points[-1]) > distance[-1]


def test_one_step_lands_on_the_minimum_when_eta_is_one_over_curvature():
    problem = make_problem("quadratic", {"a": 1.0})  # f'' = 2, η* = 2/(L+μ) = 0.5
    path = descent.run(problem, "gd", np.array([2.5]), 3, Hyper(eta=0.5))
    assert path.points[1, 0] == 0.0


@pytest.mark.parametrize(("key", "beta"), [("momentum", 0.9), ("momentum", 0.5),
                                            ("nesterov", 0.9), ("nesterov", 0.3)])  # fmt: skip
def test_momentum_limits_are_the_stability_edges_of_the_keras_updates(key, beta):
    problem = make_problem("quadratic", {"a": 1.0})
    limit = OPTIMIZERS[key].limit(2.0, Hyper(beta=beta))
    stable = descent.run(problem, key, np.array([2.5]), 500, Hyper(eta=0.97 * limit, beta=beta))
    unstable = descent.run(problem, key, np.array([2.5]), 500, Hyper(eta=1.03 * limit, beta=beta))
    assert stable.diverged_at is None
    assert unstable.diverged_at is not None


# ---------------------------------------------------------------- divergence


def test_divergence_stops_at_the_last_good_point_and_names_the_threshold():
    problem = make_problem("quadratic", {"a": 1.0})
    hyper = Hyper(eta=1.2)
    path = descent.run(problem, "gd", np.array([2.5]), 50, hyper)
    # θ_t = 2.5·(1 − 2η)^t = 2.5·(−1.4)^t leaves FAR half-widths (|θ| > 12) at t = 5
    far = descent.FAR * 3.0
    expected = next(t for t in range(50) if abs(2.5 * (-1.4) ** t) > far)
    assert path.diverged_at == expected
    assert path.steps == expected - 1
    assert np.all(np.isfinite(path.points)) and np.all(np.abs(path.points) <= far)
    message = descent.divergence_message(problem, path, hyper)
    assert "η = 1.2 is above 2/L = 1" in message
    assert f"step {expected}" in message


def test_a_non_finite_step_counts_as_divergence():
    problem = problem_for("rosenbrock")
    path = descent.run(problem, "gd", np.array([-1.5, 2.5]), 500, Hyper(eta=10.0))
    assert path.diverged_at == 1 and path.steps == 0
    assert np.all(np.isfinite(path.losses))
    message = descent.divergence_message(problem, path, Hyper(eta=10.0))
    assert "curvature is L ≈" in message and "Only its start point" in message


def test_far_rows_flags_nan_inf_and_far_points():
    problem = make_problem("bowl", {})
    points = np.array([[0.0, 0.0], [np.nan, 0.0], [np.inf, 1.0], [0.0, 13.0], [11.9, -11.9]])
    assert descent.far_rows(problem, points).tolist() == [False, True, True, True, False]


def test_other_paths_go_on_when_one_diverges():
    problem = make_problem("quadratic", {"a": 1.0})
    paths = descent.run_all(problem, list(OPTIMIZERS), np.array([2.5]), 200, Hyper(eta=1.2))
    assert paths["gd"].diverged_at is not None
    assert paths["momentum"].diverged_at is None and paths["momentum"].steps == 200
    assert abs(paths["momentum"].points[-1, 0]) < 1e-3  # |eigenvalues| = √β: slow but sure


def test_adaptive_methods_explain_their_divergence_without_a_curvature_threshold():
    problem = make_problem("quadratic", {"a": 1.0})
    hyper = Hyper(eta=10.0)
    path = descent.run(problem, "rmsprop", np.array([2.5]), 50, hyper)
    assert path.diverged_at == 1
    message = descent.divergence_message(problem, path, hyper)
    assert "RMSprop divides the gradient by its running size" in message
    assert "31.6" in message  # first step η/√(1−ρ) = 10/√0.1


def test_the_local_step_note_uses_the_curvature_at_the_start():
    note = descent.local_step_note(problem_for("quartic"), np.array([1.5]))
    assert "At the start L ≈ 27, so gradient descent needs η < 0.0741." in note  # 12θ²
    assert "At the minimum it is flat" in note
    note = descent.local_step_note(problem_for("logcosh"), np.array([5.0]))
    assert "At the minimum L ≈ 1, so gradient descent needs η < 2." in note  # 1/cosh²(0)


def test_stability_notes_for_a_quadratic():
    problem = make_problem("quadratic", {"a": 1.0})
    at_edge = descent.stability_notes(problem, ["gd", "adam"], Hyper(eta=1.0))
    assert at_edge == [
        "Gradient descent: η = 1 equals 2/L = 1, so it bounces between two points forever "
        "without converging."
    ]
    assert descent.stability_notes(problem, ["gd"], Hyper(eta=0.5)) == []
    assert descent.stability_notes(problem_for("logreg"), ["gd"], Hyper(eta=100.0)) == []


@pytest.mark.parametrize("key", FUNCTIONS)
@pytest.mark.parametrize("eta", [1e-4, 10.0])
def test_extreme_settings_give_finite_paths(key, eta):
    problem = make_problem(key, {"a": 5.0, "kappa": 100.0, "angle": 180.0})
    start = np.array([5.0, -5.0][: problem.dim])
    paths = descent.run_all(problem, list(OPTIMIZERS), start, 500, Hyper(eta=eta, beta=0.99))
    for path in paths.values():
        assert np.all(np.isfinite(path.points)) and np.all(np.isfinite(path.losses))
        if path.diverged_at is not None:
            assert descent.divergence_message(problem, path, Hyper(eta=eta, beta=0.99))


# ---------------------------------------------------------------- the worked example


def test_the_worked_step_has_the_right_numbers():
    problem = make_problem("quadratic", {"a": 1.0})
    path = descent.run(problem, "gd", np.array([2.5]), 3, Hyper(eta=0.1))
    rows = descent.gd_steps(problem, path, 0.1)
    assert [row.t for row in rows] == [0, 1, 2]
    assert rows[0].gradient[0] == pytest.approx(5.0)
    assert rows[0].next_theta[0] == pytest.approx(2.0)
    assert descent.gd_update_tex(rows[0], 0.1).endswith("= 2.5 - 0.1 \\cdot 5 = 2")
    table = descent.gd_table(rows)
    assert table[1] == {
        "t": "1",
        "θₜ": "2",
        "f(θₜ)": "4",
        "gradient ∇f(θₜ)": "4",
        "θₜ₊₁ = θₜ − η·∇f(θₜ)": "1.6",
    }


def test_the_worked_step_in_2d_uses_vectors():
    problem = make_problem("bowl", {"kappa": 10.0, "angle": 0.0})
    path = descent.run(problem, "gd", np.array([1.0, 1.0]), 1, Hyper(eta=0.5))
    tex = descent.gd_update_tex(descent.gd_steps(problem, path, 0.5)[0], 0.5)
    assert r"\nabla f" in tex and tex.count(r"\begin{pmatrix}") == 3
    assert r"\begin{pmatrix}0 \\ 0.9\end{pmatrix}" in tex  # (1 − 0.5·2, 1 − 0.5·0.2)


def test_the_race_table_says_who_arrived_and_who_did_not():
    problem = make_problem("quadratic", {"a": 1.0})
    paths = descent.run_all(problem, ["gd", "adam"], np.array([2.5]), 60, Hyper(eta=0.5))
    rows = descent.race_table(paths, 0.0)
    assert rows[0] == {
        "optimizer": "Gradient descent",
        "last step": "60",
        "f − f* there": "0",
        "outcome": "within 1e-06 from step 1 on",  # η = 1/(2a) lands on θ* in one step
    }
    # Adam with a huge η on log-cosh passes through the minimum and swings out again
    swings = descent.run_all(problem_for("logcosh"), ["adam"], np.array([5.0]), 100, Hyper(10.0))
    assert descent.race_table(swings, 0.0)[0]["outcome"].endswith(", then left")
    bounced = descent.run_all(problem, ["gd"], np.array([2.5]), 20, Hyper(eta=1.0))
    assert descent.race_table(bounced, 0.0)[0]["outcome"] == "not there yet"
    diverged = descent.run_all(problem, ["gd"], np.array([2.5]), 20, Hyper(eta=1.5))
    assert descent.race_table(diverged, 0.0)[0]["outcome"].startswith("diverged at step")


# ---------------------------------------------------------------- settings


def test_every_setting_is_declared_once_and_optimizers_come_from_the_table():
    keys = [s.key for s in descent.DESCENT_SETTINGS]
    assert len(keys) == len(set(keys))
    assert [s.key for s in descent.OPTIMIZER_SETTINGS] == list(OPTIMIZERS)
    assert set(descent.FUNCTION_SETTING.choices) == set(FUNCTIONS)


def test_settings_round_trip_through_the_url():
    settings = descent.DESCENT_SETTINGS
    values = defaults(settings) | {
        "fn": "bowl", "kappa": 50.0, "angle": 45.0, "eta": 0.909091, "steps": 500,
        "nesterov": True, "adam": False, "custom_start": True, "start1": -4.2, "start2": 1.5,
        "view": "surface",
    }  # fmt: skip
    query = to_query(values, settings)
    parsed, notices = parse_query(query, settings)
    assert notices == []
    assert defaults(settings) | parsed == values


def test_a_link_carries_only_the_settings_that_matter():
    values = defaults(descent.DESCENT_SETTINGS) | {"fn": "quadratic", "kappa": 50.0}
    relevant = descent.relevant_values(values)
    assert "kappa" not in relevant and "angle" not in relevant and "view" not in relevant
    assert "start1" not in relevant  # the function's own start is used
    assert "a" in relevant and "beta" in relevant
    relevant = descent.relevant_values(values | {"momentum": False, "nesterov": False})
    assert "beta" not in relevant


def test_start_point_is_the_function_default_unless_chosen():
    problem = make_problem("logreg", {})
    values = defaults(descent.DESCENT_SETTINGS)
    assert descent.start_point(problem, values).tolist() == list(FUNCTIONS["logreg"].start)
    chosen = values | {"custom_start": True, "start1": 1.0, "start2": -1.0}
    assert descent.start_point(problem, chosen).tolist() == [1.0, -1.0]


# ---------------------------------------------------------------- figures


def build(key: str, steps: int, eta: float, view: str = "contour", optimizers=None):
    problem = make_problem(key, {"a": 1.0, "kappa": 10.0, "angle": 30.0})
    chosen = list(OPTIMIZERS) if optimizers is None else optimizers
    start = np.array(FUNCTIONS[key].start)
    paths = descent.run_all(problem, chosen, start, steps, Hyper(eta=eta))
    x_min, f_min = descent.minimum(problem), descent.min_value(problem)
    if problem.dim == 1:
        fig = descent_figures.descent_figure_1d(problem, paths, steps, f_min, float(x_min[0]))
    else:
        fig = descent_figures.descent_figure_2d(problem, paths, steps, f_min, x_min, view)
    return problem, paths, fig


def test_frame_steps_are_few_and_include_both_ends():
    assert descent_figures.frame_steps(10).tolist() == list(range(11))
    shown = descent_figures.frame_steps(500)
    assert len(shown) <= descent_figures.MAX_FRAMES
    assert shown[0] == 0 and shown[-1] == 500 and np.all(np.diff(shown) > 0)


def test_the_animation_has_frames_a_play_button_and_a_step_slider():
    _, paths, fig = build("bowl", 500, 0.1)
    names = [frame.name for frame in fig.frames]
    assert len(names) <= 100 and names[0] == "0" and names[-1] == "500"
    slider = fig.layout.sliders[0]
    assert [step.args[0][0] for step in slider.steps] == names
    labels = [button.label for button in fig.layout.updatemenus[0].buttons]
    assert labels == ["▶ Play", "❚❚ Pause"]
    assert fig.layout.updatemenus[0].buttons[0].args[1]["frame"]["redraw"] is False
    assert fig.layout.yaxis2.type == "log"


def test_the_last_frame_shows_each_optimizer_at_its_last_point():
    _, paths, fig = build("bowl", 500, 0.1)
    last = fig.frames[-1]
    now, loss = last.data
    ends = np.array([p.points[-1] for p in paths.values()])
    np.testing.assert_allclose(now.x, ends[:, 0])
    np.testing.assert_allclose(now.y, ends[:, 1])
    assert list(loss.x) == [500] * len(paths)
    # frames only replace the moving traces, which sit at the end of the data
    assert list(last.traces) == [len(fig.data) - 2, len(fig.data) - 1]
    assert any(trace.type == "contour" for trace in fig.data)


def test_a_diverged_path_stays_at_its_last_point_and_is_marked():
    _, paths, fig = build("quadratic", 50, 1.2, optimizers=["gd", "adam"])
    gd = paths["gd"]
    assert gd.diverged_at is not None
    tangents, now, loss = fig.frames[-1].data
    assert now.x[0] == gd.points[-1, 0]
    crosses = [t for t in fig.data if t.name == "diverged: path cut here"]
    assert len(crosses) == 1 and crosses[0].x[0] == gd.points[-1, 0]
    for frame in fig.frames:
        for trace in frame.data:
            assert np.all(
                np.isfinite(
                    np.array(trace.x, dtype=float)[~np.isnan(np.array(trace.x, dtype=float))]
                )
            )


def test_1d_tangents_have_the_gradient_as_slope():
    problem, paths, fig = build("logcosh", 30, 0.5)
    tangents, now, _ = fig.frames[3].data
    x = np.array(tangents.x, dtype=float).reshape(-1, 3)
    y = np.array(tangents.y, dtype=float).reshape(-1, 3)
    for (x0, x1, _), (y0, y1, _), point in zip(x, y, now.x, strict=True):
        slope = (y1 - y0) / (x1 - x0)
        assert slope == pytest.approx(problem.gradient(np.array([point]))[0], rel=1e-9, abs=1e-12)
        assert (x0 + x1) / 2 == pytest.approx(point)


def test_the_surface_view_redraws_each_frame():
    _, _, fig = build("logreg", 100, 0.5, view="surface")
    assert any(trace.type == "surface" for trace in fig.data)
    assert fig.frames[-1].data[0].type == "scatter3d"
    assert fig.layout.updatemenus[0].buttons[0].args[1]["frame"]["redraw"] is True


def test_loss_curves_are_finite_and_positive_on_the_log_axis():
    _, paths, fig = build("rosenbrock", 200, 1e-3)
    curves = [t for t in fig.data if t.xaxis == "x2" and t.mode == "lines"]
    assert len(curves) == len(paths)
    for curve in curves:
        assert np.all(np.asarray(curve.y) > 0) and np.all(np.isfinite(curve.y))


def test_no_optimizer_still_draws_the_function():
    _, _, fig = build("quartic", 20, 0.1, optimizers=[])
    assert fig.data[0].name == "f(θ)"
    assert len(fig.frames) == 21


def test_the_eta_scale_marks_both_thresholds():
    info = descent.Theory(2.0, 0.2)
    fig = descent_figures.eta_scale_figure(0.1, info, {"2/L": info.eta_max})
    texts = " ".join(t.text[0] for t in fig.data if t.text)
    assert "η* = 2/(L+μ)" in texts and "2/L" in texts
    assert fig.layout.xaxis.type == "log"
    assert math.isclose(fig.data[-1].x[0], 0.1)
