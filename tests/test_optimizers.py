"""nncore.optimizers: the table builds real Keras optimizers, and the code it writes is a call
Keras accepts with the same options. (Their update rules against Keras: tests/test_descent.py.)
"""

from __future__ import annotations

import re

import pytest

from nncore.optimizers import OPTIMIZERS, Hyper, keras_scalar, optimizer_choices

HYPER = Hyper(eta=0.03, beta=0.8)
# What each optimizer must be in Keras, beyond its learning rate.
EXPECTED = {
    "sgd": ("SGD", {"momentum": 0.0, "nesterov": False}),
    "momentum": ("SGD", {"momentum": 0.8, "nesterov": False}),
    "nesterov": ("SGD", {"momentum": 0.8, "nesterov": True}),
    "adagrad": ("Adagrad", {"initial_accumulator_value": 0.1, "epsilon": 1e-7}),
    "rmsprop": ("RMSprop", {"rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False}),
    "adam": ("Adam", {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}),
}


def test_the_table_has_the_six_optimizers_the_pages_offer():
    assert list(OPTIMIZERS) == list(EXPECTED)
    # Menus show the short name, whole in a narrow column ("SGD (plain gradient de" was cut).
    assert optimizer_choices()["sgd"] == "SGD" and OPTIMIZERS["sgd"].label.startswith("SGD (")
    assert optimizer_choices()["adam"] == OPTIMIZERS["adam"].label == "Adam"
    assert all(o.key == key for key, o in OPTIMIZERS.items())


@pytest.mark.parametrize("key", EXPECTED)
def test_keras_arguments_build_a_real_optimizer_of_the_right_class_and_options(key):
    from nncore.keras_runtime import keras

    optimizer = OPTIMIZERS[key]
    class_name, options = EXPECTED[key]
    arguments = optimizer.keras_arguments(HYPER)
    assert next(iter(arguments)) == "learning_rate" and arguments["learning_rate"] == 0.03
    built = getattr(keras.optimizers, optimizer.keras_class)(**arguments)
    assert type(built) is getattr(keras.optimizers, class_name)
    config = built.get_config()
    assert config["learning_rate"] == pytest.approx(0.03)
    for name, value in options.items():
        assert config[name] == pytest.approx(value), name


@pytest.mark.parametrize("key", EXPECTED)
def test_keras_call_is_code_for_the_same_optimizer(key):
    from nncore.keras_runtime import keras

    optimizer = OPTIMIZERS[key]
    code = optimizer.keras_call(HYPER)
    assert code.startswith(f"{optimizer.keras_class}(learning_rate=0.03")
    from_code = eval(code, {}, vars(keras.optimizers))  # noqa: S307  (our own generated code)
    direct = getattr(keras.optimizers, optimizer.keras_class)(**optimizer.keras_arguments(HYPER))
    ignore = {"name"}
    assert {k: v for k, v in from_code.get_config().items() if k not in ignore} == {
        k: v for k, v in direct.get_config().items() if k not in ignore
    }


def test_keras_call_reads_as_code_or_as_letters():
    assert OPTIMIZERS["momentum"].keras_call(HYPER) == "SGD(learning_rate=0.03, momentum=0.8)"
    assert OPTIMIZERS["nesterov"].keras_call(symbolic=True) == (
        "SGD(learning_rate=η, momentum=β, nesterov=True)"
    )
    assert OPTIMIZERS["adam"].keras_call() == "Adam(learning_rate=0.1)"
    assert OPTIMIZERS["sgd"].keras_call(Hyper(eta=1e-05)) == "SGD(learning_rate=1e-05)"


def test_the_model_builder_compiles_the_table_s_optimizer_at_the_spec_s_rate():
    from nncore.keras_runtime import keras
    from nncore.network.model import make_optimizer
    from nncore.network.spec import LayerSpec, NetworkSpec

    spec = NetworkSpec(layers=(LayerSpec(),), opt="nesterov", lr=0.02)
    built = make_optimizer(spec)
    assert type(built) is keras.optimizers.SGD
    assert built.get_config()["nesterov"] and built.get_config()["momentum"] == pytest.approx(0.9)
    assert float(built.learning_rate.numpy()) == pytest.approx(0.02)


def test_the_colours_are_six_distinct_okabe_ito_hues():
    colours = [o.color for o in OPTIMIZERS.values()]
    assert len(set(c.upper() for c in colours)) == 6
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in colours)
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    assert {c.upper() for c in colours} <= okabe_ito


def test_learning_rates_are_rounded_to_float32_as_keras_stores_them():
    from nncore.keras_runtime import keras

    assert keras_scalar(0.1) == pytest.approx(0.1, rel=1e-7) and keras_scalar(0.1) != 0.1
    variable = keras.Variable(0.1, dtype="float32")
    assert keras_scalar(0.1) == float(variable.numpy())
    assert Hyper(eta=0.1).lr == keras_scalar(0.1) and Hyper(beta=0.95).momentum != 0.95


def test_only_the_plain_methods_have_a_step_size_limit():
    limited = {key for key, o in OPTIMIZERS.items() if o.limit is not None}
    assert limited == {"sgd", "momentum", "nesterov"}
    hyper = Hyper(beta=0.9)
    # On a quadratic of curvature L = 2, plain gradient descent is stable below η = 2/L = 1.
    assert OPTIMIZERS["sgd"].limit(2.0, hyper) == 1.0
    assert OPTIMIZERS["momentum"].limit(2.0, hyper) == pytest.approx(1.9)
    assert all(OPTIMIZERS[k].limit_text for k in limited)
