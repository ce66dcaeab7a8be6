"""Exact top-k search over a matrix of vectors that can change one row at a time."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from matcher.ann.settings import AnnSettings, Nearest
from matcher.errors import MatcherError
from matcher.statistics import DenseStatistics

if TYPE_CHECKING:
    from matcher.ann.hnsw import HnswRows

#: Hard filters: attribute name -> the values a row may have to stay in the results.
Filters = Mapping[str, Collection[str]]
#: A row's attributes: name -> one value or several (a student may speak "nl" and "en").
Attributes = Mapping[str, str | Collection[str]]


class Hit(NamedTuple):
    """One search result: the row's id and its score."""

    id: str
    score: float


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores, highest first; ties go to the lower position."""
    k = min(k, scores.shape[0])
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k < scores.shape[0]:
        candidates = np.argpartition(-scores, k - 1)[:k]
    else:
        candidates = np.arange(scores.shape[0])
    # lexsort sorts by the last key first: score descending, then position ascending.
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order]


class VectorIndex:
    """Rows of float32 vectors keyed by string ids, with attributes for hard filters.

    Add, update and remove touch one row each (a removed row is replaced by the last one),
    so a service can keep the index current without rebuilding it.

    With `ann` settings, the index moves its rows into an HNSW graph (`matcher.ann.hnsw`) once it
    holds `ann.threshold` rows: searches become approximate and the vectors are kept quantised.
    Without, it stays exact at any size.
    """

    def __init__(self, *, dimension: int, ann: AnnSettings | None = None) -> None:
        self.dimension = dimension
        self.ann = ann
        self._graph: HnswRows | None = None  # the rows, once the index is approximate
        self._matrix = np.zeros((0, dimension), dtype=np.float32)
        # The sum and Gram matrix of the live rows: a query's mean score and spread over every
        # row follow from them without scoring each row (see `dense_statistics`).
        self._sum = np.zeros(dimension, dtype=np.float64)
        self._gram = np.zeros((dimension, dimension), dtype=np.float64)
        self._size = 0
        self._ids: list[str] = []
        self._position: dict[str, int] = {}
        self._attributes: dict[str, dict[str, set[str]]] = {}  # name -> value -> ids

    @classmethod
    def restored(
        cls,
        ids: Sequence[str],
        vectors: np.ndarray | None,
        attributes: Sequence[Attributes] | None,
        *,
        dense: DenseStatistics,
        ann: AnnSettings | None = None,
        graph: HnswRows | None = None,
    ) -> VectorIndex:
        """An index as `add` would leave it after adding these rows, from what an earlier one
        saved: its dense statistics and, when it was approximate, its graph (`vectors` are then
        not needed). Neither the graph nor the Gram matrix is computed again."""
        dimension = graph.dimension if graph is not None else np.asarray(vectors).shape[1]
        index = cls(dimension=dimension, ann=ann)
        ids = list(ids)
        if graph is not None:
            if len(graph) != len(ids):
                raise MatcherError(f"the graph holds {len(graph)} rows, not {len(ids)}")
            index._graph = graph
        else:
            index._matrix = index._checked(ids, vectors).copy()
        if dense.rows != len(ids) or dense.sum.shape != (dimension,):
            raise MatcherError("the dense statistics do not fit these rows")
        index._check_attributes(ids, attributes)
        index._sum = np.array(dense.sum, dtype=np.float64)
        index._gram = np.array(dense.gram, dtype=np.float64)
        index._size = len(ids)
        index._ids = ids
        index._position = {id_: position for position, id_ in enumerate(ids)}
        if len(index._position) != len(ids):
            raise MatcherError("ids repeat within one call")
        for id_, row_attributes in zip(ids, attributes or [{}] * len(ids), strict=True):
            index._set_attributes(id_, row_attributes)
        return index

    def __len__(self) -> int:
        return self._size

    def __contains__(self, id_: object) -> bool:
        return id_ in self._position

    @property
    def ids(self) -> list[str]:
        """Ids in row order (the order of `matrix` and of `scores`' columns)."""
        return list(self._ids)

    @property
    def approximate(self) -> bool:
        """Whether searches go through the HNSW graph (the index passed its threshold)."""
        return self._graph is not None

    @property
    def matrix(self) -> np.ndarray:
        """The live rows, as a read-only view (decoded, so a copy, when approximate)."""
        view = self._rows(np.arange(self._size)) if self._graph else self._matrix[: self._size]
        view.flags.writeable = False
        return view

    def id_at(self, position: int) -> str:
        """The id of a row."""
        return self._ids[position]

    def position(self, id_: str) -> int:
        """Row of an id."""
        try:
            return self._position[id_]
        except KeyError:
            raise MatcherError(f"id {id_!r} is not in the index") from None

    def _checked(self, ids: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dimension:
            raise MatcherError(
                f"vectors must have shape (n, {self.dimension}), got {vectors.shape}"
            )
        if len(ids) != vectors.shape[0]:
            raise MatcherError(f"{len(ids)} ids for {vectors.shape[0]} vectors")
        if len(set(ids)) != len(ids):
            raise MatcherError("ids repeat within one call")
        return vectors

    def add(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        attributes: Sequence[Attributes] | None = None,
    ) -> None:
        """Append rows; an id already present is refused."""
        vectors = self._checked(ids, vectors)
        self._check_attributes(ids, attributes)
        for id_ in ids:
            if id_ in self._position:
                raise MatcherError(f"id {id_!r} is already in the index; use update")
        needed = self._size + len(ids)
        crossing = self._graph is None and self.ann is not None and needed >= self.ann.threshold
        if crossing:
            # Past the threshold for good: the rows move into the graph (without first growing
            # the float32 matrix to hold them all) and the matrix is freed.
            from matcher.ann.hnsw import HnswRows

            rows = np.concatenate([self._matrix[: self._size], vectors])
            self._graph = HnswRows(self.dimension, self.ann, rows)
            self._matrix = np.zeros((0, self.dimension), dtype=np.float32)
        elif self._graph is not None:
            self._graph.append(vectors)
        else:
            if needed > self._matrix.shape[0]:
                # Grow by doubling so that adding n rows one by one costs O(n) copies in all.
                grown = np.zeros(
                    (max(needed, 2 * self._matrix.shape[0], 16), self.dimension), np.float32
                )
                grown[: self._size] = self._matrix[: self._size]
                self._matrix = grown
            self._matrix[self._size : needed] = vectors
        for offset, id_ in enumerate(ids):
            self._position[id_] = self._size + offset
            self._ids.append(id_)
        self._size = needed
        self._tally(vectors, +1)
        for id_, row_attributes in zip(ids, attributes or [{}] * len(ids), strict=True):
            self._set_attributes(id_, row_attributes)

    def update(
        self,
        ids: Sequence[str],
        vectors: np.ndarray | None = None,
        attributes: Sequence[Attributes] | None = None,
    ) -> None:
        """Replace the vectors and/or attributes of rows that are present."""
        positions = [self.position(id_) for id_ in ids]
        self._check_attributes(ids, attributes)
        if vectors is not None:
            vectors = self._checked(ids, vectors)
            self._tally(self._rows(np.array(positions, dtype=np.int64)), -1)
            self._tally(vectors, +1)
        if vectors is not None and self._graph is not None:
            self._graph.replace(np.array(positions), vectors)
        elif vectors is not None:
            self._matrix[positions] = vectors
        if attributes is not None:
            for id_, row_attributes in zip(ids, attributes, strict=True):
                self._drop_attributes(id_)
                self._set_attributes(id_, row_attributes)

    def remove(self, ids: Iterable[str]) -> None:
        """Delete rows; an unknown id is refused before anything changes."""
        ids = list(ids)
        if len(set(ids)) != len(ids):
            raise MatcherError("ids repeat within one call")
        for id_ in ids:
            self.position(id_)
        for id_ in ids:
            row = self._position.pop(id_)
            last = self._size - 1
            self._tally(self._rows(np.array([row])), -1)
            if self._graph is not None:
                self._graph.remove(row)  # moves the last row into `row` as below
            if row != last:
                moved = self._ids[last]
                if self._graph is None:
                    self._matrix[row] = self._matrix[last]
                self._ids[row] = moved
                self._position[moved] = row
            self._ids.pop()
            if self._graph is None:
                self._matrix[last] = 0  # a removed row leaves no trace in the spare capacity
            self._size = last
            self._drop_attributes(id_)

    @staticmethod
    def _check_attributes(ids: Sequence[str], attributes: Sequence[Attributes] | None) -> None:
        if attributes is not None and len(attributes) != len(ids):
            raise MatcherError(f"{len(ids)} ids for {len(attributes)} attribute rows")

    def _set_attributes(self, id_: str, attributes: Attributes) -> None:
        for name, value in attributes.items():
            values = [value] if isinstance(value, str) else list(value)
            for one in values:
                self._attributes.setdefault(name, {}).setdefault(str(one), set()).add(id_)

    def _drop_attributes(self, id_: str) -> None:
        for by_value in self._attributes.values():
            for members in by_value.values():
                members.discard(id_)

    def mask(
        self, *, filters: Filters | None = None, allowed: Collection[str] | None = None
    ) -> np.ndarray | None:
        """Boolean row mask of the rows that pass every filter and are allowed; None if all."""
        if not filters and allowed is None:
            return None
        # Each condition as the sets of ids it accepts (any of them); the ids that pass are
        # found from the narrowest condition (a community, some allowed ids) by membership
        # tests, never by building the broad ones (all Dutch speakers of 100k profiles).
        conditions = [
            [self._attributes.get(name, {}).get(str(value), set()) for value in accepted]
            for name, accepted in (filters or {}).items()
        ]
        if allowed is not None:
            conditions.append([allowed if isinstance(allowed, set | frozenset) else set(allowed)])
        conditions.sort(key=lambda sets: sum(len(ids) for ids in sets))
        passing = set().union(*conditions[0])
        for sets in conditions[1:]:
            passing = {id_ for id_ in passing if any(id_ in ids for ids in sets)}
        keep = np.zeros(self._size, dtype=bool)
        keep[[self._position[id_] for id_ in passing if id_ in self._position]] = True
        return keep

    def _tally(self, rows: np.ndarray, sign: int) -> None:
        """Add rows to (or, with sign -1, take them from) the sum and the Gram matrix."""
        for start in range(0, rows.shape[0], 65_536):  # float32 products, float64 totals
            chunk = rows[start : start + 65_536]
            self._sum += sign * chunk.sum(axis=0, dtype=np.float64)
            self._gram += sign * (chunk.T @ chunk).astype(np.float64)

    def dense_statistics(self) -> DenseStatistics:
        """The count, sum and Gram matrix of the live rows (copies): what a query's mean score
        and spread over every row follow from (`matcher.scoring`)."""
        return DenseStatistics(rows=self._size, sum=self._sum.copy(), gram=self._gram.copy())

    def _rows(self, positions: np.ndarray) -> np.ndarray:
        if self._graph is not None:
            return self._graph.vectors(positions)
        return self._matrix[positions]

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """Dot products of query rows with every live row: shape (queries, rows)."""
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if self._graph is not None:
            return queries @ self._rows(np.arange(self._size)).T
        return queries @ self._matrix[: self._size].T

    def scores_at(self, queries: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Dot products of query rows with the rows at these positions only."""
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        return queries @ self._rows(np.asarray(positions, dtype=np.int64)).T

    def nearest(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> Nearest:
        """Positions and scores of the k rows nearest one query among those the mask keeps;
        through the graph when approximate, by a full scan otherwise."""
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        if self._graph is not None:
            return self._graph.nearest(query, k, mask)
        scores = self._matrix[: self._size] @ query
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
            k = min(k, int(mask.sum()))
        rows = top_k(scores, k)
        return Nearest(rows, scores[rows])

    def search(
        self,
        query: np.ndarray,
        k: int = 10,
        *,
        filters: Filters | None = None,
        allowed: Collection[str] | None = None,
    ) -> list[Hit]:
        """The k rows most similar to the query that pass the filters, best first."""
        mask = self.mask(filters=filters, allowed=allowed)
        found = self.nearest(query, k, mask)
        return [
            Hit(self._ids[row], float(score))
            for row, score in zip(found.positions, found.scores, strict=True)
        ]
