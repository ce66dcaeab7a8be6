"""When an index turns approximate, and what its nearest-neighbour answers look like.

`VectorIndex` keeps exact float32 rows while it is small; from `AnnSettings.threshold` rows on it
moves them into an HNSW graph (`matcher.ann.hnsw`, imported only then: faiss takes a while to load).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

from matcher.errors import MatcherError

Storage = Literal["int8", "float16"]
STORAGES = ("int8", "float16")
#: Residual bits per dimension that pack whole into a byte (`matcher.ann.residual`).
RESIDUAL_BITS = (2, 4)


@dataclass(frozen=True)
class AnnSettings:
    """When and how an index turns approximate.

    threshold: rows from which the index uses HNSW (below it: exact search, exact fusion).
    candidates: rows per component (dense and lexical) that the ranker fuses above the threshold.
    m, ef_construction, ef_search: the HNSW graph's degree and its build and search breadth.
        At a million clustered rows (benchmarks/hnsw_settings.py) M 16 found recall@10 0.958 at
        efSearch 256 and M 32 0.984 at about the same latency: its search reaches the query's
        cluster more often. ef_construction 64 gave 0.993 at 100k, 128 0.998. Since searches
        start from the best upper-level row (`entry_level`), M 20 is enough (benchmarks/
        vector_search.py at 1M: recall@10 0.9975 at efSearch 64, 128 and 512 alike), and
        leaves room within 0.5x of float32 for 4-bit residuals.
    storage: how vectors are kept in the graph; int8 is a quarter of float32 (plus residuals
        that re-rank the graph's candidates).
    rerank: rows the graph returns per query (at least k) that the int8 storage re-ranks by
        their codes plus residuals: int8 alone misorders near-ties (recall 0.958 at 1M for
        the M 32 graph's top-50 kept in int8 order), the residuals set them right.
    residual_bits: bits per dimension of those residuals (2 or 4; int8 storage only). This
        data's top-10 scores at 1M lie ~1e-3 apart: 2 bits leave ~1e-4 of noise per score
        (recall@10 0.988 with M 32), 4 bits ~2e-5 (0.993). With M 20 a vector takes 761 bytes,
        0.496x of float32: codes 384, residuals 192, links ~170, entry rows 1, maps 8.
    repair_share: the share of a bulk add's rows (the least well linked) that are searched for
        again once the graph is built and linked to what that search finds (`matcher.ann.repair`);
        0 turns this off. At 1M rows (M 32, efSearch 256, 2-bit residuals) 5 % took recall@10
        from 0.980 to 0.988 at the same memory (build 726 s against 705 s). The re-searches
        start from the entry rows too: with faiss' descent they linked some rows into the
        wrong cluster (M 20, 4-bit: recall@10 0.986 against 0.9975, one build each).
    entry_level: rows on this HNSW level and above are scanned by their codes for the one
        where a search's level-0 walk starts (`matcher.ann.hnsw`); 0 leaves faiss' greedy descent
        to choose. At 1M rows (M 20, 2,500 rows on level 2 and above, ~0.1 ms a scan) faiss'
        descent ended in the wrong cluster for 0.6 % of the queries: recall@10 0.985 at
        efSearch 192, where starting from the scan's best gives 0.993 at efSearch 64 (the
        same graph, built before the repair's re-searches started there too).
    compact_ratio: deleted rows, as a share of live rows, that make the graph be rebuilt.
    """

    threshold: int = 20_000
    candidates: int = 300
    m: int = 20
    ef_construction: int = 128
    ef_search: int = 128
    storage: Storage = "int8"
    rerank: int = 50
    residual_bits: int = 4
    repair_share: float = 0.05
    entry_level: int = 2
    compact_ratio: float = 0.25

    def __post_init__(self) -> None:
        for name in ("threshold", "candidates", "m", "ef_construction", "ef_search", "rerank"):
            if getattr(self, name) < 1:
                raise MatcherError(f"ann setting {name} must be at least 1")
        if self.storage not in STORAGES:
            raise MatcherError(
                f"ann setting storage must be one of {', '.join(STORAGES)}, not {self.storage!r}"
            )
        if self.residual_bits not in RESIDUAL_BITS:
            raise MatcherError(
                f"ann setting residual_bits must be one of {RESIDUAL_BITS}, "
                f"not {self.residual_bits!r}"
            )
        if self.entry_level < 0:
            raise MatcherError("ann setting entry_level must be at least 0")
        if not 0 <= self.repair_share < 1:
            raise MatcherError("ann setting repair_share must be at least 0 and below 1")
        if not self.compact_ratio > 0:
            raise MatcherError("ann setting compact_ratio must be positive")


class Nearest(NamedTuple):
    """Positions of the nearest rows, best first, with their inner products."""

    positions: np.ndarray
    scores: np.ndarray
