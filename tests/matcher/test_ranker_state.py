"""A ranker's saved state: read back it ranks as a fresh fit does; anything else is refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from dutch_corpus import ATTRIBUTES, CORPUS

from matcher import HashingEncoder, HybridRanker, Weights
from matcher.ann import AnnSettings
from matcher.ranker_state import StateError, load_state, save_state

IDS = list(CORPUS)
TEXTS = list(CORPUS.values())
QUERIES = [
    "Warmtepompen installeren in woningen.",
    "Data-analyse met Python voor een energiebedrijf.",
    "Zorg voor ouderen in de wijk.",
]


def vectors(encoder: HashingEncoder) -> np.ndarray:
    return encoder.encode(TEXTS, kind="passage")


def ranker(ann: AnnSettings | None = None) -> HybridRanker:
    # moment_sample smaller than the corpus: the saved sample must be the one used.
    return HybridRanker(
        encoder=HashingEncoder(), weights=Weights.learned(), ann=ann, moment_sample=7
    )


def fitted(ann: AnnSettings | None = None) -> HybridRanker:
    fresh = ranker(ann)
    attributes = [ATTRIBUTES[id_] for id_ in IDS]
    return fresh.fit(IDS, TEXTS, vectors=vectors(HashingEncoder()), attributes=attributes)


def restored(path: Path, fingerprint: str, ann: AnnSettings | None = None) -> HybridRanker:
    attributes = [ATTRIBUTES[id_] for id_ in IDS]
    return load_state(
        ranker(ann),
        path,
        fingerprint,
        IDS,
        TEXTS,
        vectors=vectors(HashingEncoder()),
        attributes=attributes,
    )


def answers(ranker: HybridRanker, **filters) -> list[list[tuple[str, float, tuple]]]:
    return [
        [
            (
                m.id,
                m.score,
                (m.components.dense, m.components.lexical, m.components.skill),
                m.explanation,
            )
            for m in found
        ]
        for found in ranker.rank(QUERIES, k=8, filters=filters or None)
    ]


def assert_same(left: HybridRanker, right: HybridRanker, **filters) -> None:
    a, b = answers(left, **filters), answers(right, **filters)
    assert [[row[0] for row in q] for q in a] == [[row[0] for row in q] for q in b]
    for qa, qb in zip(a, b, strict=True):
        for ra, rb in zip(qa, qb, strict=True):
            assert ra[1] == pytest.approx(rb[1], abs=1e-6)
            assert np.allclose(ra[2], rb[2], atol=1e-6)
            assert ra[3] == rb[3]


@pytest.mark.parametrize("threshold", [None, 10], ids=["exact", "hnsw"])
def test_a_saved_state_ranks_as_the_fresh_fit(tmp_path: Path, threshold: int | None) -> None:
    ann = None if threshold is None else AnnSettings(threshold=threshold)
    fresh = fitted(ann)
    assert fresh.index_.approximate == (threshold is not None)
    save_state(fresh, tmp_path / "state.npz", "rows-v1")
    back = restored(tmp_path / "state.npz", "rows-v1", ann)
    assert back.index_.approximate == fresh.index_.approximate
    assert_same(back, fresh)
    assert_same(back, fresh, level=["mbo"])
    assert back.corpus_common_words() == fresh.corpus_common_words()


def test_a_restored_ranker_takes_writes_as_the_fitted_one(tmp_path: Path) -> None:
    fresh = fitted()
    save_state(fresh, tmp_path / "state.npz", "rows-v1")
    back = restored(tmp_path / "state.npz", "rows-v1")
    encoder = HashingEncoder()
    for one in (fresh, back):
        one.update([IDS[0]], [QUERIES[1]], vectors=encoder.encode([QUERIES[1]], kind="passage"))
        one.remove([IDS[1]])
    assert_same(back, fresh)


def test_another_fingerprint_is_refused(tmp_path: Path) -> None:
    save_state(fitted(), tmp_path / "state.npz", "rows-v1")
    with pytest.raises(StateError, match="other rows or settings"):
        restored(tmp_path / "state.npz", "rows-v2")


def test_other_row_ids_are_refused(tmp_path: Path) -> None:
    save_state(fitted(), tmp_path / "state.npz", "rows-v1")
    with pytest.raises(StateError, match="other rows"):
        load_state(ranker(), tmp_path / "state.npz", "rows-v1", IDS[::-1], TEXTS[::-1])


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "missing"])
def test_a_damaged_or_missing_file_is_refused(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "state.npz"
    save_state(fitted(), path, "rows-v1")
    data = bytearray(path.read_bytes())
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":  # one byte inside the stored arrays: the zip's checksum catches it
        data[len(data) // 3] ^= 0xFF
        path.write_bytes(bytes(data))
    elif damage == "garbage":
        path.write_bytes(b"not a zip at all")
    else:
        path.unlink()
    with pytest.raises(StateError):
        restored(path, "rows-v1")


def test_saving_leaves_no_partial_file_behind(tmp_path: Path) -> None:
    save_state(fitted(), tmp_path / "state.npz", "rows-v1")
    save_state(fitted(), tmp_path / "state.npz", "rows-v1")
    assert [p.name for p in tmp_path.iterdir()] == ["state.npz"]
