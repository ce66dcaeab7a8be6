"""Re-linking rows that an HNSW build left among the wrong neighbours.

faiss inserts a row by searching the graph built so far (efConstruction wide) and linking the
row to what that search found. When the search misses the row's own region, the row is linked
into another one: its linked neighbours are far from it, and no row of its own region links to
it, so a later search that does reach that region never visits it. At a million clustered rows
(benchmarks/hnsw_settings.py, M 32, efConstruction 128) about 1 % of the rows ended so (their
closest linked neighbour at cosine ~0.45 where a row's is ~0.8); they were 70 of the 80 true
neighbours that top-10 searches missed at efSearch 512, which is why searching wider or
re-ranking deeper did not bring recall@10 from 0.98 to 0.99.

The remedy works on what faiss keeps: the rows whose closest linked neighbour is least similar
are searched for again in the finished graph, and linked both ways to what that search finds.
Only level 0 (where every row is, and where a search ends) is changed.
"""

from __future__ import annotations

import faiss
import numpy as np

#: Rows whose links are scored at once (their neighbours' decoded vectors: rows x 2M x dim).
_CHUNK = 2048
#: How many of a re-searched row's nearest rows link back to it: enough that a search which
#: reaches the row's region finds it, few enough that their own links stay their own.
_BACK_LINKS = 8


def _level0(index: faiss.IndexHNSW) -> tuple[np.ndarray, np.ndarray, int]:
    """The graph's neighbour table (a view, writable), each label's first slot, slots per row."""
    hnsw = index.hnsw
    links = faiss.rev_swig_ptr(hnsw.neighbors.data(), hnsw.neighbors.size())
    starts = faiss.vector_to_array(hnsw.offsets)[:-1].astype(np.int64)  # level 0 comes first
    return links, starts, hnsw.nb_neighbors(0)


def closest_link(index: faiss.IndexHNSW, labels: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """For each label, the largest inner product of its vector with a level-0 neighbour's
    stored vector (-inf for a row without neighbours)."""
    links, starts, width = _level0(index)
    storage = faiss.downcast_index(index.storage)
    codes = faiss.rev_swig_ptr(storage.codes.data(), storage.codes.size()).reshape(
        -1, storage.code_size
    )
    best = np.full(labels.shape[0], -np.inf, np.float32)
    for start in range(0, labels.shape[0], _CHUNK):
        chunk = labels[start : start + _CHUNK]
        neighbours = links[starts[chunk][:, None] + np.arange(width)]
        row, slot = np.nonzero(neighbours >= 0)
        if not row.size:
            continue
        stored = storage.sa_decode(codes[neighbours[row, slot]])
        scores = np.einsum("ij,ij->i", stored, vectors[start + row])
        np.maximum.at(best, start + row, scores)
    return best


def relink(index: faiss.IndexHNSW, labels: np.ndarray, found: np.ndarray) -> None:
    """Give each label the rows found nearest to it (best first, -1 for none) as its first
    level-0 neighbours, its old ones after them, and link the nearest few back to it."""
    links, starts, width = _level0(index)
    keep_found = width // 2  # the other half keeps the row's old links (its long-range ones)
    for label, nearest in zip(labels.tolist(), found, strict=True):
        nearest = nearest[(nearest >= 0) & (nearest != label)][:keep_found]
        own = links[starts[label] : starts[label] + width]
        merged = list(dict.fromkeys([*nearest.tolist(), *own[own >= 0].tolist()]))[:width]
        own[:] = -1
        own[: len(merged)] = merged
        for neighbour in nearest[:_BACK_LINKS].tolist():
            theirs = links[starts[neighbour] : starts[neighbour] + width]
            if label in theirs:
                continue
            free = np.flatnonzero(theirs < 0)
            # A full list gives up its last slot (faiss appends back-links there too).
            theirs[free[0] if free.size else width - 1] = label
