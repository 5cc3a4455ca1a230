"""Which network a worker should use, described as plain data.

A visitor's network lives in their session as a ``ModelSource``: the spec it was built from
and its trained weights (or none of those, for the bundled CNN). Workers cache the built
model under ``key``, an unguessable id, so a drawing sends only the key; if the worker has
forgotten it (replaced, or its cache full), the client sends the whole source once more.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

import numpy as np

from nncore.network.spec import IMAGE_SHAPE, NetworkSpec

BUNDLED_KEY = "bundled"


def new_key() -> str:
    """An id nobody can guess, for a model only its session should reach."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class ModelSource:
    """A network a worker can rebuild: the bundled CNN or a spec, with weights if trained."""

    key: str
    label: str
    input_shape: tuple[int, ...]
    spec: NetworkSpec | None = None  # None: the bundled CNN's architecture
    weights: tuple[np.ndarray, ...] | None = None  # None: as built (or as shipped)
    keras_file: bytes | None = None  # a visitor's uploaded .keras file (then spec is None)

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
