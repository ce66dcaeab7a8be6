"""VectorIndex: rows added, updated and removed one at a time keep search results right."""

from __future__ import annotations

import numpy as np
import pytest

from matcher import Hit, MatcherError, VectorIndex
from matcher.index import top_k

DIMENSION = 8


def unit(*hot: int) -> np.ndarray:
    """A unit vector with equal weight on the given axes."""
    vector = np.zeros(DIMENSION, dtype=np.float32)
    vector[list(hot)] = 1.0
    return vector / np.linalg.norm(vector)


def vectors(*rows: np.ndarray) -> np.ndarray:
    return np.vstack(rows).astype(np.float32)


@pytest.fixture
def index() -> VectorIndex:
    """Five rows, one axis each, with a level and languages to filter on."""
    index = VectorIndex(dimension=DIMENSION)
    index.add(
        ["a", "b", "c", "d", "e"],
        vectors(unit(0), unit(1), unit(2), unit(3), unit(4)),
        [
            {"level": "mbo", "language": ["nl"]},
            {"level": "hbo", "language": ["nl", "en"]},
            {"level": "hbo", "language": ["en"]},
            {"level": "wo", "language": ["nl"]},
            {"level": "mbo", "language": ["nl", "en"]},
        ],
    )
    return index


def ids_of(hits: list[Hit]) -> list[str]:
    return [hit.id for hit in hits]


def test_search_finds_the_nearest_row_with_its_cosine(index: VectorIndex) -> None:
    hits = index.search(unit(2), 2)
    assert hits[0] == Hit("c", pytest.approx(1.0))
    assert hits[1].score == pytest.approx(0.0)


def test_search_scores_mixed_queries_by_cosine(index: VectorIndex) -> None:
    # closer to "b" (two parts) than to "d" (one part), unrelated to the rest
    query = np.zeros(DIMENSION, dtype=np.float32)
    query[[1, 3]] = [0.8, 0.6]
    hits = index.search(query, 3)
    assert ids_of(hits)[:2] == ["b", "d"]
    assert [hit.score for hit in hits[:2]] == [pytest.approx(0.8), pytest.approx(0.6)]


def test_a_removed_id_never_comes_back(index: VectorIndex) -> None:
    index.remove(["c"])
    assert "c" not in index
    assert len(index) == 4
    assert "c" not in ids_of(index.search(unit(2), 100))
    assert "c" not in ids_of(index.search(unit(2), 100, filters={"level": {"hbo"}}))
    assert "c" not in ids_of(index.search(unit(2), 100, allowed={"c", "b"}))
    assert ids_of(index.search(unit(2), 100, allowed={"c"})) == []


def test_ids_still_map_to_their_vectors_after_a_swap_remove(index: VectorIndex) -> None:
    # Removing the first row moves the last one ("e") into its place.
    index.remove(["a"])
    assert index.ids == ["e", "b", "c", "d"]
    for axis, id_ in [(1, "b"), (2, "c"), (3, "d"), (4, "e")]:
        assert index.search(unit(axis), 1) == [Hit(id_, pytest.approx(1.0))]
        np.testing.assert_array_equal(index.matrix[index.position(id_)], unit(axis))


@pytest.mark.parametrize("removed", [["e"], ["a"], ["a", "e"]])
def test_a_removed_vector_leaves_no_copy_in_the_spare_capacity(
    index: VectorIndex, removed: list[str]
) -> None:
    # An erased person's vector must not survive in memory past the live rows.
    gone = [unit("abcde".index(id_)) for id_ in removed]
    index.remove(removed)
    buffer = index._matrix
    assert not any(np.array_equal(row, vector) for row in buffer for vector in gone)


def test_attributes_follow_a_row_that_moved_in_a_swap_remove(index: VectorIndex) -> None:
    index.remove(["a"])
    assert sorted(ids_of(index.search(unit(4), 10, filters={"level": {"mbo"}}))) == ["e"]
    assert sorted(ids_of(index.search(unit(4), 10, filters={"language": {"en"}}))) == [
        "b",
        "c",
        "e",
    ]


def test_an_updated_vector_changes_its_rank(index: VectorIndex) -> None:
    assert ids_of(index.search(unit(0), 1)) == ["a"]
    index.update(["d"], vectors(unit(0)))
    hits = index.search(unit(0), 2)
    assert ids_of(hits) == ["a", "d"]  # a tie goes to the lower row
    index.update(["a"], vectors(unit(5)))
    assert index.search(unit(0), 1) == [Hit("d", pytest.approx(1.0))]
    assert index.search(unit(5), 1) == [Hit("a", pytest.approx(1.0))]


def test_updated_attributes_change_what_filters_keep(index: VectorIndex) -> None:
    index.update(["a"], attributes=[{"level": "hbo"}])
    assert sorted(ids_of(index.search(unit(0), 10, filters={"level": {"hbo"}}))) == [
        "a",
        "b",
        "c",
    ]
    assert ids_of(index.search(unit(0), 10, filters={"level": {"mbo"}})) == ["e"]
    # the old "language" attribute went with the update
    assert "a" not in ids_of(index.search(unit(0), 10, filters={"language": {"nl"}}))


def test_a_row_added_later_is_found(index: VectorIndex) -> None:
    index.add(["f"], vectors(unit(6)), [{"level": "wo"}])
    assert index.search(unit(6), 1) == [Hit("f", pytest.approx(1.0))]
    assert sorted(ids_of(index.search(unit(6), 10, filters={"level": {"wo"}}))) == ["d", "f"]


def test_a_removed_id_can_be_added_again(index: VectorIndex) -> None:
    index.remove(["b"])
    index.add(["b"], vectors(unit(7)))
    assert index.search(unit(7), 1) == [Hit("b", pytest.approx(1.0))]
    assert index.search(unit(1), 1)[0].score == pytest.approx(0.0)


def test_many_rows_added_one_at_a_time_keep_their_vectors() -> None:
    rng = np.random.default_rng(7)
    rows = rng.normal(size=(40, DIMENSION)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    index = VectorIndex(dimension=DIMENSION)
    for number, row in enumerate(rows):
        index.add([f"r{number}"], row[None, :])
    assert len(index) == 40
    for number in (0, 15, 16, 31, 39):
        assert index.search(rows[number], 1)[0].id == f"r{number}"
    np.testing.assert_array_equal(index.matrix, rows)


def test_a_duplicate_add_is_refused_and_changes_nothing(index: VectorIndex) -> None:
    with pytest.raises(MatcherError, match=r"'b' is already in the index"):
        index.add(["f", "b"], vectors(unit(6), unit(7)))
    assert len(index) == 5
    assert "f" not in index
    assert index.search(unit(1), 1) == [Hit("b", pytest.approx(1.0))]
    assert index.search(unit(7), 1)[0].score == pytest.approx(0.0)


def test_an_id_twice_in_one_add_is_refused(index: VectorIndex) -> None:
    with pytest.raises(MatcherError, match="repeat"):
        index.add(["f", "f"], vectors(unit(6), unit(7)))
    assert len(index) == 5


def test_an_unknown_remove_is_refused_and_changes_nothing(index: VectorIndex) -> None:
    with pytest.raises(MatcherError, match=r"'zzz' is not in the index"):
        index.remove(["a", "zzz"])
    assert len(index) == 5
    assert index.ids == ["a", "b", "c", "d", "e"]
    assert index.search(unit(0), 1) == [Hit("a", pytest.approx(1.0))]


def test_an_id_twice_in_one_remove_is_refused_and_changes_nothing(index: VectorIndex) -> None:
    # add refuses an id repeated within one call; remove must not half-remove instead
    with pytest.raises(MatcherError):
        index.remove(["a", "a"])
    assert index.ids == ["a", "b", "c", "d", "e"]
    assert index.search(unit(0), 1) == [Hit("a", pytest.approx(1.0))]


def test_an_unknown_update_is_refused_and_changes_nothing(index: VectorIndex) -> None:
    with pytest.raises(MatcherError, match=r"'zzz' is not in the index"):
        index.update(["a", "zzz"], vectors(unit(6), unit(7)))
    assert index.search(unit(0), 1) == [Hit("a", pytest.approx(1.0))]


def test_vectors_of_the_wrong_width_are_refused(index: VectorIndex) -> None:
    with pytest.raises(MatcherError, match=r"shape \(n, 8\), got \(1, 3\)"):
        index.add(["f"], np.ones((1, 3), dtype=np.float32))
    with pytest.raises(MatcherError, match="2 ids for 1 vectors"):
        index.add(["f", "g"], vectors(unit(6)))
    assert len(index) == 5


def test_attributes_for_fewer_rows_than_ids_are_refused_and_change_nothing(
    index: VectorIndex,
) -> None:
    with pytest.raises(MatcherError):
        index.add(["f", "g"], vectors(unit(6), unit(7)), [{"level": "wo"}])
    assert len(index) == 5
    assert "f" not in index
    assert index.search(unit(6), 1)[0].score == pytest.approx(0.0)


def test_top_k_gives_positions_best_first_with_ties_to_the_lower_position() -> None:
    scores = np.array([0.2, 0.9, 0.5, 0.9, -1.0], dtype=np.float32)
    assert top_k(scores, 3).tolist() == [1, 3, 2]
    assert top_k(scores, 10).tolist() == [1, 3, 2, 0, 4]
    assert top_k(scores, 0).tolist() == []


def test_search_of_an_empty_index_gives_nothing() -> None:
    assert VectorIndex(dimension=DIMENSION).search(unit(0), 5) == []
