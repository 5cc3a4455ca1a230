"""Everything that crosses between the web server and the workers, declared in one place.

The server and its workers talk over a pipe of pickled tuples, ``(kind, payload)``. This
module is the whole vocabulary: the client (server side) and the workers both import it, and
pages reach it only through ``nncore.workers.client``. Only plain data crosses: the payloads
below, and the topic packages' own plain types they carry (``NetworkSpec``, ``Split``,
``EpochRecord``, ``NetworkHealth``, ``StepState``/``StepResult``, the playground's
``PlayRequest``/``Snapshot``/``StopRule``/``PlayMetrics``, numpy arrays). Never a live
TensorFlow object.

A training worker (``trainer``), server → worker:

    ("train", TrainJob)             a training; the bundled digits unless the job brings rows
    ("fine_tune", FineTuneRequest)  teach a private copy a visitor's drawings
    ("step", StepRequest)           one optimizer step on one batch
    ("playground", PlayRequest)     a 2D playground training
    ("pause",) ("resume",) ("stop",) ("lr", float)   between a training's epochs
    ("yield",)                      give the worker up (someone waits): send a Checkpoint
    ("play",) ("pause",) ("step",) ("stop",) ("yield",)   between a playground's epochs
    ("rule", StopRule | None)       the playground's stop rule from the next epoch on
    ("backward", bool)              send the backward pass with every snapshot, or only paused

worker → server:

    ("ready", pid)                  warmed up, waiting for jobs
    ("epoch", EpochRecord)  ("health", NetworkHealth)  ("paused",)  ("running",)
    ("finished", TrainingOutcome)   the training is over (done, stopped or diverged)
    ("yielded", Checkpoint)         the training gave its worker up; it goes on from here
    ("tuned", FineTuneResult)  ("stepped", StepResult)
    ("snapshot", Snapshot)  ("released", Snapshot)   a playground's progress, and its end
    ("stopped", Snapshot)           the playground's stop rule paused it
    ("gradients", Gradients)        the backward pass, just before the snapshot it belongs to
    ("failed", reason)              the job raised; the server says it as a sentence

The inference worker (``inference``) answers one request at a time:

    ("answer", ModelSource, 28×28 array) → ("ok", Answer)
    ("open_model", ModelSource)          → ("ok", (input shape, outputs))
    ("keras_file", ModelSource)          → ("ok", bytes)
    ("open_pixel", ModelSource, 28×28 array, layer, row, column, map) → ("ok", OpenedPixel)
    any failure                          → ("error", exception)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

import numpy as np

from nncore.data.mnist import Split
from nncore.network.spec import IMAGE_SHAPE, NetworkSpec
from nncore.playground.metrics import PlayMetrics
from nncore.playground.snapshot import PlayRequest, Snapshot
from nncore.playground.stopping import StopRule
from nncore.training.health import StepState
from nncore.training.run import Evaluation, State, TrainingRun

# --- which network: the Draw page, fine-tuning and downloads ----------------------------------

BUNDLED_KEY = "bundled"


def new_key() -> str:
    """An id nobody can guess, for a model only its session should reach."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class ModelSource:
    """A network a worker can rebuild: the bundled CNN or a spec, with weights if trained.

    Workers cache the built model under ``key``, an unguessable id, so a drawing sends only the
    key; if the worker has forgotten it (replaced, or its cache full), the client sends the
    whole source once more.
    """

    key: str
    label: str
    input_shape: tuple[int, ...]
    spec: NetworkSpec | None = None  # None: the bundled CNN's architecture
    weights: tuple[np.ndarray, ...] | None = None  # None: as built (or as shipped)
    keras_file: bytes | None = None  # a visitor's uploaded .keras file (then spec is None)

    @classmethod
    def from_run(cls, run: TrainingRun, label: str) -> ModelSource:
        """A network trained on Build & Train (live or kept), as Draw and downloads use it.

        Keyed by the run's id, so a worker that has built it once answers without the weights.
        """
        if run.weights is None:
            raise ValueError("a run without trained weights is not a network to use")
        return cls(run.run_id, label, run.spec.input_shape, run.spec, tuple(run.weights))

    @property
    def bundled(self) -> bool:
        return self.spec is None and self.keras_file is None

    @property
    def rebuildable(self) -> bool:
        """Whether a worker that forgot this model can build it again from the source alone."""
        return self.weights is not None or self.keras_file is not None

    def reference(self) -> ModelSource:
        """The same source without its weights: what a call sends while the worker knows it."""
        return replace(self, weights=None, keras_file=None)

    def retrained(self, weights: list[np.ndarray], label: str) -> ModelSource:
        """A fine-tuned copy: same architecture, new weights, a key of its own."""
        return replace(self, key=new_key(), label=label, weights=tuple(weights))


BUNDLED = ModelSource(BUNDLED_KEY, "the bundled CNN", IMAGE_SHAPE)


class UnknownModel(LookupError):
    """The worker does not hold this key (any more): send the full source."""


@dataclass(frozen=True)
class Answer:
    """A network's answer to one drawing: ten probabilities, each weighted layer's output, and
    the logits softmax turned into the probabilities (None when the network ends otherwise)."""

    probabilities: np.ndarray
    layers: list[tuple[str, np.ndarray]]
    logits: np.ndarray | None = None
    # (layer name, "conv" or "pool") for each layer whose pixels can be opened up
    openable: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OpenedPixel:
    """One pixel of a Conv2D or MaxPooling2D layer's output, with what made it: the map the
    layer reads (``inputs``, H × W × channels: the 28 × 28 input or the layer below's output),
    where its window sits there (``top``, ``left``: negative inside 'same' padding), the
    window itself (zero outside the map for a convolution, NaN for pooling), this filter's
    kernel slice and bias, the activation's Keras name, and the pixel as Keras computed it
    (``output``). ``all_z``: every filter's weighted sum plus bias at this position, sent
    only for softmax, which mixes them."""

    layer: str
    kind: str  # "conv" or "pool"
    row: int
    column: int
    channel: int  # which map of the layer, from 0
    source: str  # what the layer reads, in words
    inputs: np.ndarray
    top: int
    left: int
    size: tuple[int, int]
    strides: tuple[int, int]
    padding: str
    window: np.ndarray
    output: float
    kernel: np.ndarray | None = None
    bias: float = 0.0
    activation: str = "linear"
    all_z: np.ndarray | None = None


# --- training jobs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A training between two epochs, as plain arrays: what it needs to go on on another
    worker (weights, the optimizer's variables, the shuffler's state), and how the network
    does on the test rows so far (so a training stopped while it waits keeps a result)."""

    epochs_done: int
    weights: list[np.ndarray]
    optimizer: list[np.ndarray]
    shuffler: np.ndarray
    test: Evaluation


@dataclass(frozen=True)
class TrainJob:
    """A training of ``spec``: on ``split``'s rows (an uploaded file's, prepared by the page),
    or on the bundled digits, which the worker reads and splits itself. ``resume`` continues
    a training that gave its worker up."""

    spec: NetworkSpec
    split: Split | None = None
    resume: Checkpoint | None = None


@dataclass(frozen=True)
class TrainingOutcome:
    """What a training leaves behind, sent once when it is over: how it ended, the weights and
    how the network did on the test rows (with what the page shows of them)."""

    state: State  # "done", "stopped" or "diverged"
    weights: list[np.ndarray]
    test: Evaluation


@dataclass(frozen=True)
class StepRequest:
    """One optimizer step of ``spec`` from ``state`` (None: fresh weights), on ``split``'s rows
    if given (an uploaded file's), else the bundled digits."""

    spec: NetworkSpec
    state: StepState | None
    split: Split | None = None


@dataclass(frozen=True)
class FineTuneRequest:
    """Teach ``source`` the visitor's drawings; answer ``current`` before and after."""

    source: ModelSource
    drawings: np.ndarray
    labels: np.ndarray
    current: np.ndarray | None


@dataclass(frozen=True)
class FineTuneResult:
    """The taught copy's weights, its answers to the current drawing, and the held-out check."""

    weights: list[np.ndarray]
    before: np.ndarray | None
    after: np.ndarray | None
    held_before: float
    held_after: float
    held_rows: int


@dataclass(frozen=True)
class Gradients:
    """A playground network's backward pass on one batch: the first ``rows`` training points,
    at the weights after ``epoch`` (a fixed batch, so two epochs' gradients compare).

    ``weights`` are those weights (kernel then bias per Dense layer), ``gradients`` the
    gradient of the training loss (the penalty included, as the optimizer uses it) for each,
    ``deltas`` per Dense layer rows × units: each point's own δ = ∂(its loss)/∂net, the
    pre-activation. The batch's δ of a neuron is their mean, which is its bias's gradient.
    Sent when the network waits, or while it plays if the page shows the backward pass.
    """

    epoch: int
    rows: int
    loss: float
    weights: list[np.ndarray]
    gradients: list[np.ndarray]
    deltas: tuple[np.ndarray, ...]


# The playground's job and progress are the playground engine's own plain types (it builds
# them, and the playground package does not depend on the workers); they cross as they are.
__all__ = [
    "BUNDLED",
    "BUNDLED_KEY",
    "Answer",
    "Checkpoint",
    "FineTuneRequest",
    "FineTuneResult",
    "Gradients",
    "ModelSource",
    "OpenedPixel",
    "PlayMetrics",
    "PlayRequest",
    "Snapshot",
    "StepRequest",
    "StopRule",
    "TrainJob",
    "TrainingOutcome",
    "UnknownModel",
    "new_key",
]
