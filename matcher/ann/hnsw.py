"""HNSW rows for large indexes: a faiss graph over int8 or float16 vectors, addressed by position.

`HnswRows` stores each vector once, quantised, inside the graph; with int8 storage a 2- or
4-bit residual per dimension (`matcher.ann.residual`) re-ranks the graph's wider candidate list:
int8 order alone misses near-ties (recall@10 0.958 at 1M where re-ranking gives 0.980-0.984).
A graph can be saved and read back (`save`, `load`): seconds, where a rebuild takes minutes.
After a bulk add the worst linked rows are searched for again (from the entry rows below) and
re-linked (`matcher.ann.repair`): faiss links about 1 % of a million clustered rows into the wrong
region, where no search finds them.
A search starts its level-0 walk from the best of the upper-level rows, found by a scan of their
codes (`AnnSettings.entry_level`), not from where faiss' one-wide greedy descent ends: on
clustered rows that descent sometimes ends among the wrong cluster's rows, and no breadth of the
level-0 search then finds the way out (at 1M rows, M 20: recall@10 0.985 at efSearch 192 from
faiss' descent, 0.993 at efSearch 64 from the scan's best).

Rows keep the positions `VectorIndex` gives them (a removed row is replaced by the last one),
so the ranker's column numbers mean the same on the exact and the approximate path.

faiss was chosen by measurement (see benchmarks/vector_search.py): its per-dimension int8
quantiser keeps recall@10 at about 0.99 where usearch's int8 stalls near 0.90, and its HNSW
search takes an id selector, which serves both deleted rows and hard filters.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import faiss
import numpy as np

from matcher.ann.repair import closest_link, relink
from matcher.ann.residual import ResidualCodes
from matcher.ann.settings import AnnSettings, Nearest
from matcher.errors import MatcherError

_QUANTISERS = {
    "int8": faiss.ScalarQuantizer.QT_8bit,
    "float16": faiss.ScalarQuantizer.QT_fp16,
}
#: Fewer rows than this do not show each dimension's range well enough to train the int8
#: quantiser on them alone (later rows outside the range would be clipped): it then quantises
#: every dimension over [-1, 1], all a unit vector can reach.
_MIN_TRAINING_ROWS = 1000
#: A filter that keeps this few rows is answered by a scan of their codes: it costs about what
#: a graph search costs, and a graph search through so sparse a subset misses rows.
_SCAN_ROWS = 4096
#: The type of the label <-> position maps: faiss numbers a graph's nodes with 32-bit ints, and
#: at a million rows the 8 bytes a vector this saves over int64 keep the index within 0.5x.
_MAP = np.int32
#: Rows whose residuals are computed at once when many are added.
_RESIDUAL_CHUNK = 65_536


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run faiss on the calling thread only, for work on one query or a few rows.

    faiss splits even a one-query scan or decode across OpenMP threads; on a busy machine a
    thread that waits for a descheduled peer turns a 0.2 ms call into a 100 ms one. The setting
    is per calling thread (OpenMP's), so bulk adds elsewhere keep every core.
    """
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


class HnswRows:
    """Vectors addressed by row position, searched through a faiss HNSW graph.

    faiss gives each added vector the next label and cannot delete one: a replaced or removed
    row's label becomes a tombstone that searches skip, its stored code is overwritten by its
    neighbours' mean (a removed profile leaves no vector of its own behind), and the graph is
    rebuilt from the live rows once tombstones pass `compact_ratio` of them.
    """

    def __init__(self, dimension: int, settings: AnnSettings, rows: np.ndarray) -> None:
        self.dimension = dimension
        self.settings = settings
        self._index = self._new_index()
        self._train(rows)
        self._residuals = self._new_residuals()
        self._label_position = np.zeros(0, _MAP)  # label -> position, -1 when dead
        self._position_label = np.zeros(0, _MAP)  # position -> label
        self._size = 0
        self._dead = 0
        self._alive_bits: np.ndarray | None = None  # only while there are tombstones
        # Rows added later whose closest link is less similar than this are re-linked: the
        # cut-off a bulk add's `repair_share` set (see `_repair`).
        self._repair_below = -np.inf
        self._entries: _EntryRows | None = None  # built on the first search (`_entry_rows`)
        self.append(rows)

    # -- building ---------------------------------------------------------------------

    def _new_index(self) -> faiss.IndexHNSWSQ:
        index = faiss.IndexHNSWSQ(
            self.dimension,
            _QUANTISERS[self.settings.storage],
            self.settings.m,
            faiss.METRIC_INNER_PRODUCT,
        )
        index.hnsw.efConstruction = self.settings.ef_construction
        return index

    def _train(self, rows: np.ndarray) -> None:
        if self._index.is_trained:
            return
        training = rows
        if rows.shape[0] < _MIN_TRAINING_ROWS:
            bounds = np.ones((2, self.dimension), np.float32)
            bounds[1] = -1
            training = np.vstack([rows, bounds])
        self._index.train(np.ascontiguousarray(training, dtype=np.float32))

    def _new_residuals(self) -> ResidualCodes | None:
        """Residual codes for int8 storage (float16 keeps enough on its own)."""
        if self.settings.storage != "int8":
            return None
        trained = faiss.vector_to_array(self._storage.sq.trained)
        # QT_8bit trains a minimum and a range per dimension; a code decodes to its bin's middle.
        return ResidualCodes(trained[self.dimension :] / 255, self.settings.residual_bits)

    def _add(self, vectors: np.ndarray) -> None:
        """Add rows to the graph at the next labels, and their residual codes."""
        with _one_thread() if vectors.shape[0] < _SCAN_ROWS else nullcontext():
            first_label = self._index.ntotal
            self._index.add(vectors)
            self._repair(np.arange(first_label, self._index.ntotal), vectors)
            if self._residuals is None:
                return
            storage = self._storage
            self._residuals.reserve(len(self._residuals) + vectors.shape[0])
            # In chunks: a decoded copy of a million rows would be another float32 matrix.
            for start in range(0, vectors.shape[0], _RESIDUAL_CHUNK):
                chunk = vectors[start : start + _RESIDUAL_CHUNK]
                self._residuals.append(chunk - storage.sa_decode(storage.sa_encode(chunk)))

    def _repair(self, labels: np.ndarray, vectors: np.ndarray) -> None:
        """Search again for the just-added rows that faiss linked worst, and link them to what
        the finished graph finds (`matcher.ann.repair`).

        A bulk add (of rows enough to rank) re-links its `repair_share` least well linked rows
        and keeps their cut-off; a few rows added later are re-linked when below that cut-off.
        """
        share = self.settings.repair_share
        if not share or not labels.size:
            return
        scores = closest_link(self._index, labels, vectors)
        if labels.size >= _MIN_TRAINING_ROWS:
            self._repair_below = float(np.quantile(scores, share))
            suspects = np.flatnonzero(scores <= self._repair_below)
        else:
            suspects = np.flatnonzero(scores < self._repair_below)
        if not suspects.size:
            return
        params = faiss.SearchParametersHNSW()
        params.efSearch = max(self.settings.ef_search, self.settings.ef_construction)
        width = self._index.hnsw.nb_neighbors(0)
        queries = np.ascontiguousarray(vectors[suspects])
        # From the entry rows, as searches start: a re-search that ends in the wrong cluster
        # would link the row there (faiss' descent: recall@10 0.962 at 1M rows, efSearch 128).
        entries = self._entry_rows()
        if entries is None:
            _, found = self._index.search(queries, width // 2 + 1, params=params)
        else:
            _, found = entries.search_level_0(self._index, queries, width // 2 + 1, params)
        relink(self._index, labels[suspects], found)

    @property
    def _storage(self) -> faiss.IndexScalarQuantizer:
        return faiss.downcast_index(self._index.storage)

    def __len__(self) -> int:
        return self._size

    def append(self, vectors: np.ndarray) -> None:
        """Add rows at the next positions."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        count = vectors.shape[0]
        if not count:
            return
        first_label = self._index.ntotal
        self._add(vectors)
        labels = np.arange(first_label, first_label + count, dtype=_MAP)
        positions = np.arange(self._size, self._size + count, dtype=_MAP)
        self._label_position = np.concatenate([self._label_position, positions])
        self._position_label = np.concatenate([self._position_label[: self._size], labels])
        self._size += count
        self._alive_bits = None  # rebuilt on the next search, with the new labels
        # The entry rows follow new rows by the label count (`_entry_rows`): the repair of
        # this add may have taken them already, counting the new rows.

    def replace(self, positions: np.ndarray, vectors: np.ndarray) -> None:
        """New vectors for rows that are present: the old labels die, new ones take over."""
        positions = np.asarray(positions, dtype=np.int64)
        old = self._position_label[positions].copy()
        first_label = self._index.ntotal
        self._add(np.ascontiguousarray(vectors, dtype=np.float32))
        labels = np.arange(first_label, first_label + len(positions), dtype=_MAP)
        self._label_position = np.concatenate([self._label_position, positions.astype(_MAP)])
        self._position_label[positions] = labels
        self._kill(old)
        self._maybe_compact()

    def remove(self, position: int) -> None:
        """Drop one row; the last row moves into its place (as in `VectorIndex`)."""
        label = self._position_label[position]
        last = self._size - 1
        if position != last:
            moved = self._position_label[last]
            self._position_label[position] = moved
            self._label_position[moved] = position
        self._size = last
        self._position_label = self._position_label[: self._size].copy()
        self._kill(np.array([label]))
        self._maybe_compact()

    def _kill(self, labels: np.ndarray) -> None:
        self._label_position[labels] = -1
        self._dead += len(labels)
        self._alive_bits = None
        with _one_thread():
            for label in labels:
                self._stand_in(int(label))
        # Only now: entry rows copied before the stand-ins were written would keep the old codes.
        self._entries = None

    def _stand_in(self, label: int) -> None:
        """Overwrite a dead label's stored code with the mean of its graph neighbours' codes.

        A removed or replaced vector may be personal data: this way no vector of that person
        stays behind, while the node still routes searches much as it did (zeroing the code
        instead costs recall until the next compaction)."""
        storage = self._storage
        code_size = storage.code_size
        hnsw = self._index.hnsw
        links = faiss.rev_swig_ptr(hnsw.neighbors.data(), hnsw.neighbors.size())
        start = int(hnsw.offsets.at(label))  # level 0 comes first in a node's links
        neighbours = links[start : start + hnsw.nb_neighbors(0)].astype(np.int64)
        neighbours = neighbours[(neighbours >= 0) & (neighbours != label)]
        if neighbours.size:
            stand_in = self._index.reconstruct_batch(neighbours).mean(axis=0, keepdims=True)
        else:
            stand_in = np.zeros((1, self.dimension), np.float32)
        code = storage.sa_encode(stand_in)
        codes = faiss.rev_swig_ptr(storage.codes.data(), self._index.ntotal * code_size)
        codes[label * code_size : (label + 1) * code_size] = code[0]
        if self._residuals is not None:  # the residual is the removed vector's too
            self._residuals.put(np.array([label]), stand_in - storage.sa_decode(code))

    def _maybe_compact(self) -> None:
        if self._dead > self.settings.compact_ratio * max(self._size, 1):
            self.compact()

    def compact(self) -> None:
        """Rebuild the graph from the live rows' stored codes, dropping every tombstone.

        The quantiser keeps its training, so each row decodes and re-encodes to the same code.
        """
        live = self.vectors(np.arange(self._size))
        storage = self._storage
        trained = faiss.vector_to_array(storage.sq.trained)
        self._index = self._new_index()
        if self._residuals is not None:
            self._residuals.truncate()  # same training, same bins
        if trained.size:
            faiss.copy_array_to_vector(trained, self._storage.sq.trained)
            self._storage.is_trained = True
            self._index.is_trained = True
        self._label_position = np.zeros(0, _MAP)
        self._position_label = np.zeros(0, _MAP)
        self._size = 0
        self._dead = 0
        self._alive_bits = None
        self._repair_below = -np.inf
        self._entries = None
        self.append(live)

    # -- persisting -------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write the graph, its codes and residuals and the position maps into a folder.

        Reading them back (`load`) takes seconds where building the graph again from the
        stored vectors takes minutes at a million rows (benchmarks/hnsw_settings.py)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        arrays = self.arrays()
        (folder / "graph.faiss").write_bytes(arrays.pop("graph").tobytes())
        np.savez(folder / "rows.npz", **arrays)

    def arrays(self) -> dict[str, np.ndarray]:
        """Everything `from_arrays` needs, as named arrays (the graph serialised as bytes)."""
        residuals = self._residuals
        return {
            "graph": faiss.serialize_index(self._index),
            "label_position": self._label_position,
            "position_label": self._position_label[: self._size],
            "dead": np.int64(self._dead),
            "repair_below": np.float64(self._repair_below),
            "residual_bits": np.int64(residuals.bits if residuals else 0),
            "residual_codes": residuals.codes if residuals else np.zeros((0, 0), np.uint8),
        }

    @classmethod
    def load(cls, folder: Path, settings: AnnSettings) -> HnswRows:
        """Rows saved by `save`, searched with these settings (their graph-shaping ones, m
        and storage, must be those the graph was built with)."""
        folder = Path(folder)
        with np.load(folder / "rows.npz") as saved:
            stored = {name: saved[name] for name in saved.files}
        stored["graph"] = np.fromfile(folder / "graph.faiss", dtype=np.uint8)
        return cls.from_arrays(stored, settings, source=str(folder))

    @classmethod
    def from_arrays(
        cls, stored: dict[str, np.ndarray], settings: AnnSettings, *, source: str = "the state"
    ) -> HnswRows:
        """Rows from `arrays`, searched with these settings (m and storage as built)."""
        index = faiss.deserialize_index(np.ascontiguousarray(stored["graph"], dtype=np.uint8))
        rows = cls.__new__(cls)
        rows.dimension = index.d
        rows.settings = settings
        rows._index = index
        if rows._storage.sq.qtype != _QUANTISERS[settings.storage] or (
            index.hnsw.nb_neighbors(0) != 2 * settings.m
        ):
            raise MatcherError(f"the graph in {source} was not built with these ann settings")
        rows._residuals = None
        if settings.storage == "int8":
            bits = int(stored["residual_bits"])
            rows._residuals = rows._new_residuals() if bits == settings.residual_bits else None
            if rows._residuals is None:
                raise MatcherError(f"the graph in {source} has {bits}-bit residuals")
            rows._residuals.restore(stored["residual_codes"])
        rows._label_position = stored["label_position"].astype(_MAP)
        rows._position_label = stored["position_label"].astype(_MAP)
        rows._size = rows._position_label.shape[0]
        rows._dead = int(stored["dead"])
        rows._alive_bits = None
        rows._entries = None
        # Graphs saved before re-linking existed have no cut-off: later rows are not re-linked.
        rows._repair_below = float(stored.get("repair_below", -np.inf))
        return rows

    # -- reading ----------------------------------------------------------------------

    def vectors(self, positions: np.ndarray) -> np.ndarray:
        """The stored (decoded) vectors of rows, as float32, residuals included."""
        positions = np.asarray(positions, dtype=np.int64)
        if not positions.size:
            return np.zeros((0, self.dimension), np.float32)
        return self._decode(self._position_label[positions])

    def _decode(self, labels: np.ndarray) -> np.ndarray:
        storage = self._storage
        codes = faiss.rev_swig_ptr(storage.codes.data(), self._index.ntotal * storage.code_size)
        with _one_thread():
            decoded = storage.sa_decode(codes.reshape(-1, storage.code_size)[labels])
        if self._residuals is not None:
            decoded += self._residuals.decode(labels)
        return decoded

    def _fetch(self, k: int) -> int:
        """How many rows to ask the quantised search for, to re-rank k of them."""
        return k if self._residuals is None else max(k, self.settings.rerank)

    def _refine(self, query: np.ndarray, labels: np.ndarray, scores: np.ndarray, k: int) -> tuple:
        """The k best of the labels by the codes plus residuals (int8 storage only)."""
        if self._residuals is None or not labels.size:
            return labels[:k], scores[:k]
        scores = self._decode(labels) @ query[0]
        best = np.argsort(-scores, kind="stable")[:k]
        return labels[best], scores[best]

    def memory_bytes(self) -> int:
        """What the graph, its stored vectors and the position maps take, in bytes."""
        hnsw = self._index.hnsw
        storage = self._storage
        graph = hnsw.neighbors.size() * 4 + hnsw.levels.size() * 4 + hnsw.offsets.size() * 8
        codes = storage.codes.size()
        if self._residuals is not None:
            codes += self._residuals.nbytes
        maps = self._label_position.nbytes + self._position_label.nbytes
        entries = self._entry_rows()
        if entries is not None:
            codes += entries.nbytes
        return int(graph + codes + maps)

    def _selector_bits(self, mask: np.ndarray | None) -> np.ndarray | None:
        """Little-endian bit set over labels: live rows (that pass the mask); None if all."""
        if mask is None:
            if not self._dead:
                return None
            if self._alive_bits is None:
                self._alive_bits = np.packbits(self._label_position >= 0, bitorder="little")
            return self._alive_bits
        members = np.zeros(self._index.ntotal, dtype=bool)
        members[self._position_label[: self._size][mask[: self._size]]] = True
        return np.packbits(members, bitorder="little")

    def nearest(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> Nearest:
        """The k rows nearest the query among those the mask keeps (all when None).

        k results come back whenever k rows pass: a selective filter (or a k close to the
        number of rows) is answered by an exact scan of the passing rows, and a graph search
        that comes back short falls back to the same scan.
        """
        passing = self._size if mask is None else int(mask.sum())
        k = min(k, passing)
        if k <= 0:
            return Nearest(np.zeros(0, np.int64), np.zeros(0, np.float32))
        if passing <= _SCAN_ROWS or 2 * k >= passing:
            return self._scan(query, mask, k)
        found = self._graph_search(query, k, mask, passing)
        if found.positions.shape[0] < k:
            return self._scan(query, mask, k)
        return found

    def _graph_search(
        self, query: np.ndarray, k: int, mask: np.ndarray | None, passing: int
    ) -> Nearest:
        # A filter that keeps a fraction f of the rows leaves about f of each visited
        # neighbourhood usable: widen the search by 1/f (capped) to find as many.
        widen = min(self._size / passing, 16.0)
        params = faiss.SearchParametersHNSW()
        params.efSearch = int(max(self.settings.ef_search, k) * widen)
        bits = self._selector_bits(mask)
        selector = None
        if bits is not None:
            selector = faiss.IDSelectorBitmap(self._index.ntotal, faiss.swig_ptr(bits))
            params.sel = selector
        query = np.ascontiguousarray(np.reshape(query, (1, -1)), dtype=np.float32)
        entries = self._entry_rows()
        with _one_thread():
            if entries is None:
                scores, labels = self._index.search(query, self._fetch(k), params=params)
            else:
                scores, labels = entries.search_level_0(self._index, query, self._fetch(k), params)
        keep = labels[0] >= 0
        labels, scores = labels[0][keep], scores[0][keep]
        live = self._label_position[labels] >= 0
        labels, scores = self._refine(query, labels[live], scores[live], k)
        return Nearest(self._label_position[labels].astype(np.int64), scores)

    def _entry_rows(self) -> _EntryRows | None:
        """The rows a search may start from (None: faiss' own descent), built when needed."""
        level = self.settings.entry_level
        if not level:
            return None
        entries = self._entries
        if entries is None or (entries.total, entries.level) != (self._index.ntotal, level):
            entries = self._entries = _EntryRows.of(self._index, level)
        return entries if len(entries) else None

    def _scan(self, query: np.ndarray, mask: np.ndarray | None, k: int) -> Nearest:
        """Exact top-k over the stored codes of the rows the mask keeps (faiss' flat scan of
        the quantised rows, which skips the rest without decoding them)."""
        params = faiss.SearchParameters()
        bits = self._selector_bits(mask)
        if bits is not None:
            params.sel = faiss.IDSelectorBitmap(self._index.ntotal, faiss.swig_ptr(bits))
        query = np.ascontiguousarray(np.reshape(query, (1, -1)), dtype=np.float32)
        with _one_thread():
            scores, labels = self._storage.search(query, self._fetch(k), params=params)
        keep = labels[0] >= 0
        labels, scores = self._refine(query, labels[0][keep], scores[0][keep], k)
        return Nearest(self._label_position[labels].astype(np.int64), scores)


class _EntryRows:
    """The graph's rows on one upper level and above, with copies of their codes, scanned to
    choose where a search's level-0 walk starts.

    faiss descends the upper levels greedily, one row wide, to the row where level 0 starts.
    On clustered rows (benchmarks/vector_search.py, 1M rows, M 20) that descent ends in the
    wrong cluster for about 0.6 % of the queries; their level-0 search, however broad, then
    finds none of the top 10 (recall@10 0.985 at efSearch 192, 0.988 at 256). Starting from
    the best of the ~2,500 rows on level 2 and above (a scan of 1 MB of codes, ~0.1 ms) gives
    0.993 from efSearch 64 on (benchmarks/hnsw_settings.py --entry-level 0,2).
    """

    def __init__(
        self, labels: np.ndarray, codes: faiss.IndexScalarQuantizer, level: int, total: int
    ) -> None:
        self.labels = labels
        self._codes = codes
        self.level = level
        self.total = total  # the graph's label count they were taken at

    @classmethod
    def of(cls, index: faiss.IndexHNSWSQ, level: int) -> _EntryRows:
        storage = faiss.downcast_index(index.storage)
        levels = faiss.rev_swig_ptr(index.hnsw.levels.data(), index.hnsw.levels.size())
        labels = np.flatnonzero(levels > level).astype(np.int32)  # faiss keeps level + 1
        codes = faiss.IndexScalarQuantizer(index.d, storage.sq.qtype, faiss.METRIC_INNER_PRODUCT)
        # The storage's training: a row's copy is its code in the graph.
        faiss.copy_array_to_vector(faiss.vector_to_array(storage.sq.trained), codes.sq.trained)
        codes.is_trained = True
        stored = faiss.rev_swig_ptr(storage.codes.data(), storage.codes.size())
        chosen = stored.reshape(-1, storage.code_size)[labels]
        with _one_thread():
            codes.add(storage.sa_decode(chosen))
        return cls(labels, codes, level, index.ntotal)

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def nbytes(self) -> int:
        return int(self.labels.nbytes + self._codes.codes.size())

    def search_level_0(
        self,
        index: faiss.IndexHNSWSQ,
        queries: np.ndarray,
        k: int,
        params: faiss.SearchParametersHNSW,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The graph's k best for each query row (contiguous float32), scores and labels, each
        level-0 walk started at the query's best entry row."""
        count = queries.shape[0]
        scores, best = self._codes.search(queries, 1)
        starts = np.ascontiguousarray(self.labels[best[:, 0]])
        # A faiss whose HNSW has `is_similarity` walks inner products as they are, one without
        # it by their negation; a start given with the wrong sign looks like the worst row.
        sign = 1 if getattr(index.hnsw, "is_similarity", False) else -1
        start_distance = np.ascontiguousarray(sign * scores[:, 0], dtype=np.float32)
        found_scores = np.empty((count, k), np.float32)
        found = np.empty((count, k), np.int64)
        index.search_level_0(
            count,
            faiss.swig_ptr(queries),
            k,
            faiss.swig_ptr(starts),
            faiss.swig_ptr(start_distance),
            faiss.swig_ptr(found_scores),
            faiss.swig_ptr(found),
            1,
            2,  # the entry rows start one search (1: one search per entry row)
            params,
        )
        return found_scores, found
