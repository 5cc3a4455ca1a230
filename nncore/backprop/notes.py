"""Sentences for what the numbers alone would not explain: overflow, dead and saturated units.

The page lets a student type a weight of 1000 or pick η = 10 on purpose, to see what breaks.
Nothing raises; instead these say what an inf or NaN means and what to change, and point out
units that stop learning (a relu whose sum is negative, a sigmoid pinned at 0 or 1).
"""

from __future__ import annotations

import numpy as np

from nncore.backprop.network import Network, Parameter
from nncore.backprop.passes import Backward, Forward, Training, forward
from nncore.backprop.tables import number

SATURATED_SLOPE = 1e-4  # a slope below this passes on less than a ten-thousandth of the error


def problems(network: Network, fwd: Forward, back: Backward) -> list[str]:
    """What is not a finite number, said in words (for a warning box); empty when all is well."""
    found = []
    if not np.all(np.isfinite(fwd.hidden_out)) or not np.all(np.isfinite(fwd.output_out)):
        found.append(
            "Some neuron outputs are not finite numbers (∞ or NaN): the weighted sums overflow. "
            "Try smaller weights or inputs."
        )
    if not np.isfinite(fwd.total):
        found.append(
            f"The error E_total is {'∞' if np.isposinf(fwd.total) else 'not a number (NaN)'}: "
            "an output is exactly 0 or 1 where the loss takes its logarithm, or a sum overflowed. "
            "Try smaller weights, or the squared error."
        )
    gradients = np.concatenate([back.hidden_weight_grads.ravel(), back.output_weight_grads.ravel()])
    if not np.all(np.isfinite(gradients)) and np.isfinite(fwd.total):
        found.append(
            "Some gradients are not finite numbers (∞ or NaN), so the update cannot be taken. "
            "Try smaller weights."
        )
    return found


def remarks(network: Network, fwd: Forward, back: Backward) -> list[str]:
    """Units that pass (almost) no gradient back, and a softmax target that is not a
    distribution: worth a sentence, though nothing is wrong with the arithmetic."""
    found = []
    for j, (net, slope) in enumerate(zip(fwd.hidden_net, back.hidden_slope, strict=True)):
        if network.hidden_activation == "relu" and net <= 0:
            found.append(
                f"h{j + 1} is a dead relu unit: its sum net = {net:.4g} is not positive, so its "
                "slope is 0 and the weights into it get no gradient (they will never change)."
            )
        elif np.isfinite(slope) and abs(slope) < SATURATED_SLOPE:
            found.append(
                f"h{j + 1} is saturated: its slope is only {slope:.2g}, so the weights into it "
                "barely learn. Smaller weights or inputs wake it up."
            )
    total = float(np.sum(network.targets))
    if network.output == "softmax" and network.loss == "crossentropy" and abs(total - 1) > 1e-9:
        found.append(
            f"The targets add up to {total:.4g}, not 1: softmax outputs always add up to 1, so "
            "they can never all match. δ = out·Σt − t instead of the usual out − t."
        )
    return found


def training_problem(training: Training, eta: float) -> str | None:
    """Why a run of updates stopped, or None if every error stayed finite."""
    if training.blew_up_at is None:
        return None
    if training.blew_up_at == 0:
        return "The error is not a finite number before any update, so there is nothing to train."
    return (
        f"Training stopped after update {training.blew_up_at}: the error became ∞ or NaN. "
        f"The steps overshot; try a learning rate below η = {eta:g}, or smaller weights."
    )


def walkthrough_summary(
    network: Network, fwd: Forward, back: Backward, after: Network, p: Parameter, stage: int
) -> str:
    """One line for the walkthrough's latest step, shown right under its buttons: the result
    a press produced is then on screen at once, and the working out follows further down.
    ``stage`` is 0 before Forward, then 1 forward, 2 backward, 3 update (Markdown)."""
    if stage <= 0:
        return "Press **Forward** to push the inputs through the network."
    if stage == 1:
        return (
            f"Forward: E_total = **{number(fwd.total)}**. Next, **Backward** works out "
            f"∂E/∂{p.plain} (the working is below)."
        )
    if stage == 2:
        return (
            f"Backward: ∂E/∂{p.plain} = **{number(back.gradient(p))}**. Next, **Update** moves "
            "every weight against its gradient."
        )
    return (
        f"Update: {p.plain} goes from {number(network.value(p))} to **{number(after.value(p))}**, "
        f"E_total from {number(fwd.total)} to **{number(forward(after).total)}**."
    )
