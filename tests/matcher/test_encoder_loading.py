"""The model's weights load once, however many requests reach an encoder that has not loaded
them yet (the service's first queries arrive together, from many threads)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from matcher import SentenceEncoder

pytestmark = pytest.mark.slow


def test_threads_that_reach_an_unloaded_model_share_one_load(monkeypatch) -> None:
    encoder = SentenceEncoder(precision="fp32")
    loads = []
    load_torch_model = SentenceEncoder._torch_model

    def counted(self, path: str):
        loads.append(threading.get_ident())
        return load_torch_model(self, path)

    monkeypatch.setattr(SentenceEncoder, "_torch_model", counted)
    start = threading.Barrier(6)
    vectors: list[np.ndarray] = []

    def ask() -> None:
        start.wait()
        vectors.append(encoder.encode(["Warmtepompen installeren in woningen"], kind="query"))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(loads) == 1
    assert len(vectors) == 6
    for found in vectors[1:]:
        np.testing.assert_allclose(found, vectors[0], atol=1e-6)


def test_load_loads_the_weights_before_any_text() -> None:
    encoder = SentenceEncoder(precision="fp32")
    assert getattr(encoder, "model_", None) is None
    encoder.load()
    assert encoder.model_ is not None
