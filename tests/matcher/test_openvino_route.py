"""The OpenVINO encoding route: chosen where it runs, the fp32 top 10, and the torch fallback."""

from __future__ import annotations

import logging
import sys

import numpy as np
import pytest
from test_precision import TIE, demo_fixture  # same fixture, same tie as the bf16 route

from matcher import SentenceEncoder
from matcher.openvino_encoder import missing
from matcher.precision import CpuSupport, choose_precision, fallback_of

NATIVE = CpuSupport(True, "test: native bf16")
EMULATED = CpuSupport(False, "test: no bf16")


# -- choosing the route -------------------------------------------------------------------


def test_auto_takes_openvino_where_the_cpu_has_bf16_and_the_package_is_there(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="matcher.precision"):
        chosen = choose_precision("auto", detect=lambda: NATIVE, openvino=lambda: None)
    assert chosen == "openvino-bf16"
    assert "openvino is installed" in caplog.text


def test_auto_takes_torch_bf16_without_openvino_and_fp32_without_bf16() -> None:
    assert choose_precision("auto", detect=lambda: NATIVE, openvino=lambda: "openvino") == "bf16"
    assert choose_precision("auto", detect=lambda: EMULATED, openvino=lambda: None) == "fp32"


def test_an_openvino_route_is_taken_as_asked_and_falls_back_to_what_auto_would_take() -> None:
    assert choose_precision("openvino-int8", detect=lambda: EMULATED) == "openvino-int8"
    assert fallback_of("openvino-bf16") in ("bf16", "fp32")  # the torch route for this CPU
    assert fallback_of("bf16") == "bf16"


# -- the real model -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def openvino_encoder(tmp_path_factory) -> SentenceEncoder:
    # openvino is a dependency: its absence is a failure, never a skip.
    assert missing("fp32") is None, "the openvino package is missing"
    cache = tmp_path_factory.mktemp("openvino")
    return SentenceEncoder(precision="openvino-bf16", openvino_cache=cache)


@pytest.mark.slow
def test_openvino_bf16_gives_the_fp32_top10_up_to_ties(sentence_encoder, openvino_encoder) -> None:
    assert openvino_encoder.model_id == f"{sentence_encoder.model_id}@openvino-bf16"
    corpus, queries = demo_fixture()
    scores = {}
    for name, encoder in (("fp32", sentence_encoder), ("openvino", openvino_encoder)):
        scores[name] = encoder.encode(queries, kind="query") @ encoder.encode(corpus).T
    for query, fp32, fast_scores in zip(queries, scores["fp32"], scores["openvino"], strict=True):
        exact = np.argsort(-fp32)[:10]
        fast = np.argsort(-fast_scores)[:10]
        assert fast[0] == exact[0] or fp32[exact[0]] - fp32[fast[0]] < TIE, query
        tenth = fp32[exact[-1]]
        intruders = {int(i): round(float(tenth - fp32[i]), 4) for i in set(fast) - set(exact)}
        assert all(gap < TIE for gap in intruders.values()), (query[:40], intruders)
    # The converted model is kept whole, model and weights, for the next start.
    (kept,) = openvino_encoder.openvino_cache.glob("*/fp32/model.xml")
    assert kept.with_suffix(".bin").stat().st_size > 10_000_000


@pytest.mark.slow
def test_without_openvino_the_route_falls_back_to_torch(monkeypatch, caplog) -> None:
    monkeypatch.setitem(sys.modules, "openvino", None)  # what Python does for a missing package
    encoder = SentenceEncoder(precision="openvino-bf16")
    with caplog.at_level(logging.WARNING, logger="matcher.encoders"):
        model_id = encoder.model_id
    assert encoder.precision_ == fallback_of("openvino-bf16")
    assert "openvino" not in model_id  # stored vectors are labelled with the route that made them
    assert "the openvino-bf16 route failed" in caplog.text and "needs the package openvino" in (
        caplog.text
    )
    vectors = encoder.encode(["Een student bouwt een webwinkel voor een bakkerij."])
    assert vectors.shape == (1, 384) and np.isclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-5)


@pytest.mark.slow
def test_a_conversion_that_fails_falls_back_to_torch(tmp_path, caplog) -> None:
    assert missing("fp32") is None, "the openvino package is missing"
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    encoder = SentenceEncoder(precision="openvino-bf16", openvino_cache=blocked)
    with caplog.at_level(logging.WARNING, logger="matcher.encoders"):
        vectors = encoder.encode(["Onderzoeksgroep zoekt hulp bij data-analyse."])
    assert "the openvino-bf16 route failed" in caplog.text
    assert encoder.precision_ == fallback_of("openvino-bf16")
    assert not encoder.model_id.endswith("@openvino-bf16")
    assert vectors.shape == (1, 384)
