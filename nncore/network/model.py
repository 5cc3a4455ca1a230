"""A ``NetworkSpec`` made into a real ``keras.Sequential`` (compiled), following its layer plan.

Imports TensorFlow: only worker processes and tests import this module, never the web server.
Initial weights are seeded per layer from the spec's seed instead of through Keras's global
random state, so one training never changes another's starting weights.
"""

from __future__ import annotations

from typing import Any

from nncore.keras_runtime import keras
from nncore.network.plan import PlannedLayer, layer_plan, layer_seed
from nncore.network.spec import NetworkSpec
from nncore.optimizers import OPTIMIZERS, Hyper


def seeded_initializer(name: str, seed: int) -> Any:
    """The named Keras initializer, with its own seed when it draws random numbers."""
    initializer = keras.initializers.get(name)
    config = initializer.get_config()
    if "seed" in config:
        initializer = type(initializer).from_config({**config, "seed": seed})
    return initializer


def keras_layer(planned: PlannedLayer, seed: int) -> keras.layers.Layer:
    """One planned layer as a Keras layer."""
    options = dict(planned.options)
    if "kernel_initializer" in options:
        options["kernel_initializer"] = seeded_initializer(options["kernel_initializer"], seed)
    if planned.random:
        options["seed"] = seed
    return getattr(keras.layers, planned.keras_class)(**options, name=planned.name)


def make_optimizer(spec: NetworkSpec) -> keras.optimizers.Optimizer:
    """The optimizer the spec names, at its learning rate."""
    optimizer = OPTIMIZERS[spec.opt]
    arguments = optimizer.keras_arguments(Hyper(eta=float(spec.lr)))
    return getattr(keras.optimizers, optimizer.keras_class)(**arguments)


def build_model(spec: NetworkSpec) -> keras.Sequential:
    """The compiled model for ``spec``. Raises ValueError if the spec's plan has problems."""
    plan = layer_plan(spec)
    if plan.problems:
        raise ValueError(" ".join(plan.problems))
    model = keras.Sequential(name="playground")
    model.add(keras.Input(shape=plan.input_shape))
    for index, planned in enumerate(plan.layers):
        model.add(keras_layer(planned, seed=layer_seed(spec, index)))
    model.compile(optimizer=make_optimizer(spec), loss=spec.loss, metrics=["accuracy"])
    return model
