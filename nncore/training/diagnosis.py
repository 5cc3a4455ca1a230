"""Why a training will go, or went, badly: sentences a student can act on.

The same few rules (all-zero initial weights, a one-neuron layer, a learning rate far too
large or too small) are said before training, as a warning, and after it, as the reason a run
did not learn; each rule is written once here and used both ways.
"""

from __future__ import annotations

from nncore.network.layers import LAYER_TYPES
from nncore.network.spec import NetworkSpec
from nncore.optimizers import OPTIMIZERS
from nncore.training.run import EpochRecord

CHANCE = 0.2  # below this training accuracy a 10-class network has learned next to nothing


def zero_initialised(spec: NetworkSpec) -> bool:
    """Some layer with weights starts from all zeros: its neurons stay identical."""
    return any(LAYER_TYPES[layer.type].weighted and layer.init == "zeros" for layer in spec.layers)


def one_neuron_layer(spec: NetworkSpec) -> bool:
    """Some Dense layer has one neuron: every picture is squeezed into one number."""
    return any(layer.type == "dense" and layer.units == 1 for layer in spec.layers)


ZEROS_REASON = "all-zero initial weights keep every neuron of a layer identical"
ONE_NEURON_REASON = "a one-neuron layer squeezes each digit into one number"


def training_warnings(spec: NetworkSpec) -> list[str]:
    """Settings that will train, but badly; said before training so the outcome is expected."""
    notes = []
    if zero_initialised(spec):
        notes.append(
            "All-zero initial weights: every neuron in that layer starts identical and gets the "
            "same gradient, so they stay identical (and a zero layer passes no gradient back)."
        )
    if spec.lr >= 1 and spec.opt != "sgd":
        notes.append(
            f"η = {spec.lr:g} is very large for {OPTIMIZERS[spec.opt].label}; expect divergence."
        )
    if one_neuron_layer(spec):
        notes.append(
            "A one-neuron layer squeezes each picture into a single number: expect low accuracy."
        )
    if spec.loss == "mean_squared_error":
        notes.append(
            "Mean squared error on softmax outputs learns slowly; cross-entropy is the usual choice."
        )
    if spec.batch > spec.train_rows:
        notes.append(
            f"Batch size {spec.batch} is more than the {spec.train_rows} training rows: one "
            "step per epoch."
        )
    if spec.batch <= 4:
        notes.append(
            f"Batch size {spec.batch} means {spec.train_rows // spec.batch} small, noisy steps "
            "per epoch: slow."
        )
    return notes


def divergence_message(record: EpochRecord, spec: NetworkSpec) -> str:
    """Why training stopped on a non-finite loss, in words a student can act on."""
    if spec.lr >= 0.05 or record.lr >= 0.05:
        return (
            f"Training stopped at epoch {record.epoch}: the loss became {record.loss:g}. The "
            f"steps were too big for this network: with learning rate η = {record.lr:g} the "
            "weights grew without bound instead of settling. Try a learning rate 10× smaller, "
            "or Adam."
        )
    return (
        f"Training stopped at epoch {record.epoch}: the loss became {record.loss:g} (numbers "
        "overflowed). Try a smaller learning rate or a different activation."
    )


def training_diagnosis(history: list[EpochRecord], spec: NetworkSpec) -> str | None:
    """A plain explanation when a finished training did not learn, or None when it did.

    Cross-entropy is computed from the softmax's inputs, so a learning rate far too high does
    not always reach NaN: the loss can stay finite but huge while accuracy sits at chance.
    """
    if len(history) < 2 or not history[-1].finite:
        return None
    first, last = history[0], history[-1]
    if last.loss > 2 * first.loss and last.loss > 1:
        return (
            f"The loss grew from {first.loss:.3g} to {last.loss:.3g} instead of falling: with "
            f"η = {last.lr:g} each step jumps past the valley of the loss and lands higher up. "
            "Try a learning rate 10× smaller."
        )
    hardly_moved = last.loss > 0.9 * first.loss
    too_big = last.lr >= 0.5
    if last.accuracy < CHANCE:
        reasons = []
        if zero_initialised(spec):
            reasons.append(ZEROS_REASON)
        if one_neuron_layer(spec):
            reasons.append(ONE_NEURON_REASON)
        if hardly_moved and last.lr < 1e-3:
            reasons.append(f"η = {last.lr:g} moves the weights too little to get anywhere")
        if too_big:
            reasons.append(f"η = {last.lr:g} makes every step overshoot, so nothing settles")
        because = "; ".join(reasons) or "the settings keep the network from learning"
        return (
            f"Training accuracy is {last.accuracy:.0%}, about what guessing gives (10%): {because}."
        )
    if hardly_moved and len(history) >= 5:
        if too_big:
            return (
                f"The loss bounced around ({first.loss:.3g} → {last.loss:.3g}) instead of "
                f"falling: η = {last.lr:g} is so large that steps overshoot. Try 10× smaller."
            )
        return (
            f"The loss hardly moved ({first.loss:.3g} → {last.loss:.3g}): η = {last.lr:g} is "
            "too small for this many epochs. Try a larger learning rate or more epochs."
        )
    return None
