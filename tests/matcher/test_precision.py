"""The fast encoding route: bf16 where the CPU has it, fp32 where not, and never mixed up."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from matcher import DEFAULT_MODEL, CachedEncoder, MatcherError, SentenceEncoder
from matcher.cache import MemoryEmbeddingStore
from matcher.paths import PROJECT_ROOT
from matcher.precision import CpuSupport, choose_precision, cpu_flags, detect_bf16

#: bf16 keeps about 8 bits of mantissa: texts whose fp32 cosines to a query are closer than
#: this are a tie it may break either way; anything further apart must keep its order.
TIE = 0.01

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
flags\t\t: fpu sse sse2 avx2 {extra}
bogomips\t: 4792.80
"""


def fake_cpuinfo(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "cpuinfo"
    path.write_text(CPUINFO.format(extra=extra), encoding="utf-8")
    return path


# -- choosing the route -------------------------------------------------------------------


def test_auto_falls_back_to_fp32_on_a_cpu_without_bf16(tmp_path, caplog) -> None:
    without = fake_cpuinfo(tmp_path, "avx512f avx512_vnni")
    with caplog.at_level(logging.INFO, logger="matcher.precision"):
        chosen = choose_precision("auto", detect=lambda: detect_bf16(without))
    assert chosen == "fp32"
    assert "fp32" in caplog.text and "no native bf16" in caplog.text


def test_auto_takes_bf16_on_a_cpu_with_native_bf16(tmp_path) -> None:
    with_amx = fake_cpuinfo(tmp_path, "avx512f amx_bf16 amx_tile")
    support = detect_bf16(with_amx)
    # The flag alone is not enough: this torch build must have oneDNN's bf16 kernels too.
    import torch

    assert support.bf16 == torch.ops.mkldnn._is_mkldnn_bf16_supported()
    if support.bf16:
        assert "amx_bf16" in support.reason
    without_openvino = choose_precision("auto", detect=lambda: support, openvino=lambda: "openvino")
    assert without_openvino == ("bf16" if support.bf16 else "fp32")


def test_an_explicit_precision_is_taken_whatever_the_cpu() -> None:
    never = CpuSupport(False, "test: no bf16")
    assert choose_precision("bf16", detect=lambda: never) == "bf16"
    assert choose_precision("fp32", detect=lambda: CpuSupport(True, "test")) == "fp32"


def test_an_unknown_precision_is_refused_by_name() -> None:
    expected = "precision must be one of auto, fp32, bf16, openvino-bf16, openvino-int8, not 'fp16'"
    with pytest.raises(MatcherError, match=expected):
        choose_precision("fp16")


def test_a_missing_cpuinfo_means_no_flags(tmp_path) -> None:
    assert cpu_flags(tmp_path / "absent") == set()
    assert detect_bf16(tmp_path / "absent").bf16 is False


def test_the_precision_is_part_of_the_model_id() -> None:
    # No weights are loaded for this: the id is known before the first encode.
    fp32 = SentenceEncoder(precision="fp32").model_id
    assert fp32.startswith(DEFAULT_MODEL)  # a shipped model's id also hashes its weights
    assert SentenceEncoder(precision="bf16").model_id == f"{fp32}@bf16"


# -- the real model -----------------------------------------------------------------------


def demo_fixture() -> tuple[list[str], list[str]]:
    """80 Dutch challenges as the corpus, 10 Dutch student profiles as queries."""
    demo = PROJECT_ROOT / "data" / "demo"
    challenges = json.loads((demo / "challenges.json").read_text(encoding="utf-8"))
    students = json.loads((demo / "students.json").read_text(encoding="utf-8"))
    corpus = [f"{row['title']}. {row['description']}" for row in challenges]
    queries = [f"{row['programme']}. {row['about']}" for row in students[::30]]
    return corpus, queries


@pytest.fixture(scope="module")
def bf16_encoder() -> SentenceEncoder:
    return SentenceEncoder(precision="bf16")


@pytest.mark.slow
def test_bf16_gives_the_fp32_top10_up_to_ties(sentence_encoder, bf16_encoder) -> None:
    corpus, queries = demo_fixture()
    scores = {}
    for name, encoder in (("fp32", sentence_encoder), ("bf16", bf16_encoder)):
        scores[name] = encoder.encode(queries, kind="query") @ encoder.encode(corpus).T
    for query, fp32, bf16 in zip(queries, scores["fp32"], scores["bf16"], strict=True):
        exact = np.argsort(-fp32)[:10]
        fast = np.argsort(-bf16)[:10]
        assert fast[0] == exact[0] or fp32[exact[0]] - fp32[fast[0]] < TIE, query
        # Every text bf16 puts in the top 10 is in fp32's top 10, or tied with its tenth.
        tenth = fp32[exact[-1]]
        intruders = {int(i): round(float(tenth - fp32[i]), 4) for i in set(fast) - set(exact)}
        assert all(gap < TIE for gap in intruders.values()), (query[:40], intruders)


@pytest.mark.slow
def test_a_cached_fp32_vector_is_not_served_as_bf16(sentence_encoder, bf16_encoder) -> None:
    store = MemoryEmbeddingStore()
    text = ["Installatiebedrijf zoekt een student voor warmtepompen en zonnepanelen."]
    fp32 = CachedEncoder(encoder=sentence_encoder, store=store).encode(text)
    bf16 = CachedEncoder(encoder=bf16_encoder, store=store).encode(text)
    assert len(store) == 2  # one vector per precision, side by side
    assert not np.array_equal(fp32, bf16)
    assert float(fp32[0] @ bf16[0]) > 0.99  # the same meaning, computed in another format
    assert bf16.dtype == np.float32 and np.isclose(np.linalg.norm(bf16[0]), 1.0, atol=1e-5)
