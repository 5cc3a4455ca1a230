"""The inference worker's memory is bounded and owned, and one visitor's upload never holds up
another's drawing.

Visitors' networks are kept by bytes, not by count; a network goes when its session ends; a
worker grown too large is replaced between requests; uploaded files have a worker of their own.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest

from nncore.network.spec import LayerSpec, NetworkSpec
from nncore.workers import client
from nncore.workers.client import InferenceService
from nncore.workers.messages import BUNDLED, ModelSource, UnknownModel, new_key
from nncore.workers.pool import Owner

SMALL = NetworkSpec(layers=(LayerSpec("dense", units=16),), rows=500, epochs=1)
BLANK = np.zeros((28, 28), np.float32)


def untrained(spec: NetworkSpec = SMALL) -> ModelSource:
    """A Build-like network with weights (zeros: what it answers does not matter here)."""
    from nncore.network.plan import layer_plan

    shapes = []
    for layer in layer_plan(spec).layers:
        if layer.params:
            inputs = (layer.params - layer.output_shape[-1]) // layer.output_shape[-1]
            shapes += [(inputs, layer.output_shape[-1]), (layer.output_shape[-1],)]
    weights = tuple(np.zeros(shape, np.float32) for shape in shapes)
    return ModelSource(new_key(), "a visitor's network", spec.input_shape, spec, weights)


@pytest.fixture(scope="module")
def service() -> Iterator[InferenceService]:
    service = InferenceService()
    service.call("answer", BUNDLED, BLANK)  # started and warm
    yield service
    service.worker.stop()


def test_the_cache_is_bounded_by_bytes_and_keeps_the_bundled_model(monkeypatch):
    from nncore.workers import inference

    big = replace(SMALL, layers=(LayerSpec("dense", units=256),))
    first, second = untrained(big), untrained(big)
    inference.model_for(BUNDLED)
    one = inference.model_bytes(inference.model_for(first))
    monkeypatch.setattr(inference, "CACHE_BYTES", int(1.5 * one))  # room for one of them
    inference.model_for(second)
    assert first.key not in inference._models and second.key in inference._models
    assert BUNDLED.key in inference._models  # never evicted
    assert inference.cached_bytes() <= inference.CACHE_BYTES
    assert inference.forget([second.key]) == 1 and second.key not in inference._models


def test_a_network_is_forgotten_once_its_session_ends(service: InferenceService):
    session = Owner()
    source = untrained()
    assert service.answer(source, BLANK, session).probabilities.shape == (10,)
    assert service.call("answer", source.reference(), BLANK) is not None  # kept by key
    del session
    gc.collect()
    # The next request of anybody tells the worker; the network is gone from it.
    service.call("answer", BUNDLED, BLANK)
    with pytest.raises(UnknownModel):
        service.call("answer", source.reference(), BLANK)


def test_a_worker_grown_too_large_is_replaced_between_requests(
    service: InferenceService, monkeypatch: pytest.MonkeyPatch
):
    before = service.worker.pid
    monkeypatch.setattr(service, "MEMORY_BYTES", 1)  # any worker is too large now
    first = service.call("answer", BUNDLED, BLANK)  # answered, then the worker is replaced
    assert first.probabilities.shape == (10,)
    monkeypatch.undo()
    again = service.call("answer", BUNDLED, BLANK)
    assert service.worker.pid != before
    np.testing.assert_allclose(first.probabilities, again.probabilities, atol=1e-6)


def test_an_upload_in_progress_does_not_hold_up_a_drawing():
    uploads = client.upload_service()
    # While the upload worker is busy with somebody's file (its lock held)...
    assert uploads._lock.acquire(timeout=60)
    try:
        reply = client.answer(BUNDLED, BLANK)  # ...a drawing on the bundled CNN is answered
    finally:
        uploads._lock.release()
    assert reply.probabilities.shape == (10,)
    assert client.service_for(replace(BUNDLED, keras_file=b"x")) is uploads
