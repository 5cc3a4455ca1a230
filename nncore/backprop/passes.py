"""Forward pass, backward pass, update, and many updates: every intermediate number kept.

A student checks backpropagation by hand one partial derivative at a time, so the records
below keep each factor of the chain rule rather than only the gradients: ∂E/∂out, ∂out/∂net
and δ = ∂E/∂net for the outputs, then ∂E/∂out and ∂out/∂net for the hidden neurons. Extreme
values (η = 10, weights of 1000) are allowed on the page, so numpy's overflow warnings are
silenced here and the page says in words what an inf or NaN means.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from nncore.activations import ACTIVATIONS
from nncore.backprop.losses import OUTPUT_UNITS, loss_for
from nncore.backprop.network import Network, Parameter, index_of

Array = np.ndarray


@dataclass(frozen=True)
class Forward:
    """What each neuron computed: its weighted sum ``net`` and its activation ``out``.

    ``errors[k]`` is output k's share of the loss; ``total`` is their sum, E_total.
    """

    hidden_net: Array
    hidden_out: Array
    output_net: Array
    output_out: Array
    errors: Array
    total: float


@dataclass(frozen=True)
class Backward:
    """Every partial derivative of the chain rule, layer by layer, output side first.

    Output layer: ``error_slope[k]`` = ∂E/∂out_k, ``output_jacobian[k, m]`` = ∂out_k/∂net_m,
    ``output_delta[m]`` = ∂E/∂net_m = Σ_k ∂E/∂out_k · ∂out_k/∂net_m.
    Hidden layer: ``hidden_error[j]`` = ∂E/∂out_hj = Σ_k δ_ok · w(hj→ok),
    ``hidden_slope[j]`` = ∂out_hj/∂net_hj, ``hidden_delta[j]`` = their product.
    A weight's gradient is its receiving neuron's δ times what it multiplies (a bias
    multiplies 1).
    """

    error_slope: Array
    output_jacobian: Array
    output_delta: Array
    hidden_error: Array
    hidden_slope: Array
    hidden_delta: Array
    hidden_weight_grads: Array
    output_weight_grads: Array

    @property
    def hidden_bias_grads(self) -> Array:
        return self.hidden_delta

    @property
    def output_bias_grads(self) -> Array:
        return self.output_delta

    def gradient(self, parameter: Parameter) -> float:
        """∂E/∂(this weight or bias)."""
        array = {
            ("hidden", False): self.hidden_weight_grads,
            ("hidden", True): self.hidden_bias_grads,
            ("output", False): self.output_weight_grads,
            ("output", True): self.output_bias_grads,
        }[parameter.layer, parameter.is_bias]
        return float(array[index_of(parameter)])


def forward(network: Network) -> Forward:
    """Push the inputs through: net = W·x + b, out = activation(net), layer by layer."""
    hidden = ACTIVATIONS[network.hidden_activation]
    unit = OUTPUT_UNITS[network.output]
    loss = loss_for(network.loss, network.output)
    with np.errstate(all="ignore"):
        hidden_net = network.hidden_weights @ network.inputs + network.hidden_biases
        hidden_out = hidden.function(hidden_net)
        output_net = network.output_weights @ hidden_out + network.output_biases
        output_out = unit.function(output_net)
        errors = loss.per_output(network.targets, output_out)
        total = float(np.sum(errors))
    return Forward(hidden_net, hidden_out, output_net, output_out, errors, total)


def backward(network: Network, fwd: Forward | None = None) -> Backward:
    """The chain rule from the error back to every weight, using the weights as they are now
    (the textbook's point: the hidden layer's gradients use the old output weights, not the
    ones the update is about to write)."""
    fwd = fwd or forward(network)
    hidden = ACTIVATIONS[network.hidden_activation]
    unit = OUTPUT_UNITS[network.output]
    loss = loss_for(network.loss, network.output)
    with np.errstate(all="ignore"):
        error_slope = loss.slope(network.targets, fwd.output_out)
        jacobian = unit.jacobian(fwd.output_out)
        output_delta = jacobian.T @ error_slope
        hidden_error = network.output_weights.T @ output_delta
        if hidden.derivative is None:  # softmax: its slope is a matrix, not a factor per neuron
            raise ValueError(f"{hidden.label} cannot be a hidden activation here")
        hidden_slope = hidden.derivative(fwd.hidden_net)
        hidden_delta = hidden_error * hidden_slope
        return Backward(
            error_slope=error_slope,
            output_jacobian=jacobian,
            output_delta=output_delta,
            hidden_error=hidden_error,
            hidden_slope=hidden_slope,
            hidden_delta=hidden_delta,
            hidden_weight_grads=np.outer(hidden_delta, network.inputs),
            output_weight_grads=np.outer(output_delta, fwd.hidden_out),
        )


def update(network: Network, back: Backward | None = None) -> Network:
    """One step of gradient descent, w ← w − η·∂E/∂w, for every weight at once.

    Biases move only when ``update_biases`` is on (the textbook keeps them fixed).
    """
    back = back or backward(network)
    eta = network.eta
    bias_eta = eta if network.update_biases else 0.0
    with np.errstate(all="ignore"):
        return replace(
            network,
            hidden_weights=network.hidden_weights - eta * back.hidden_weight_grads,
            output_weights=network.output_weights - eta * back.output_weight_grads,
            hidden_biases=network.hidden_biases - bias_eta * back.hidden_bias_grads,
            output_biases=network.output_biases - bias_eta * back.output_bias_grads,
        )


@dataclass(frozen=True)
class Training:
    """The total error before any update and after each one, and the network at the end.

    ``errors[n]`` is E_total after n updates. ``blew_up_at`` is the update after which the
    error stopped being a finite number (training stops there), or None.
    """

    errors: Array
    network: Network
    blew_up_at: int | None = None


def train(network: Network, steps: int) -> Training:
    """Repeat forward, backward, update ``steps`` times on the one example, recording E_total.

    Stops early if the error becomes inf or NaN, so a diverging η shows where it went wrong.
    """
    errors = np.full(steps + 1, np.nan)
    fwd = forward(network)
    errors[0] = fwd.total
    if not np.isfinite(fwd.total):
        return Training(errors[:1], network, 0)
    for step in range(1, steps + 1):
        network = update(network, backward(network, fwd))
        fwd = forward(network)
        errors[step] = fwd.total
        if not np.isfinite(fwd.total):
            return Training(errors[: step + 1], network, step)
    return Training(errors, network)
