"""Approximate nearest neighbours: when an index turns approximate, and the HNSW graph it uses.

`settings` (what `AnnSettings` says and what an answer looks like) loads at once; `hnsw` (with
its `repair` and `residual` parts) imports faiss, which takes a while, and is imported only by
an index that passes its threshold.
"""

from matcher.ann.settings import RESIDUAL_BITS, STORAGES, AnnSettings, Nearest, Storage

__all__ = ["RESIDUAL_BITS", "STORAGES", "AnnSettings", "Nearest", "Storage"]
