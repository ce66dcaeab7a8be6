"""Vector search at 10k, 100k and 1M rows: the matcher's HNSW index against an exact scan.

    python benchmarks/vector_search.py [--quick] [--sizes 10000,100000,1000000]

For each size, on vectors of the default model's dimension, in the same run:

- baseline: exact top-10 by a numpy full scan of a float32 matrix, one query at a time (also
  the ground truth for recall);
- exact index: `matcher.VectorIndex` without ANN settings (what a small community gets);
- hnsw index: `matcher.VectorIndex` with `AnnSettings` (faiss HNSW, int8 rows by default, the
  graph's top-50 re-ranked with residual codes), built in one `add` from the vectors as the
  service builds it from stored embeddings;

with p50/p99 of one top-10 query, recall@10 against the exact answer, build time, and memory
per vector — the index's own count (graph + codes + residuals + position maps) and the process's RSS
growth — against the 4 bytes × dimension of a float32 matrix.

The vectors imitate sentence embeddings: a direction they all share, 200 topics and 20,000
sub-topics, L2-normalised; the mixture is set so that, as for all-MiniLM-L6-v2 on the MELO
corpus, two unrelated rows have a cosine near 0.25 and a query's nearest rows 0.6-0.85.

Prints one JSON object and writes it to benchmarks/results/vector_search.json
(`--quick`: 10k rows, 200 queries, results/vector_search.quick.json).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import psutil
from _results import publish
from threadpoolctl import threadpool_limits

from matcher.ann import AnnSettings
from matcher.index import VectorIndex
from matcher.model_files import DEFAULT_MODEL, resolve_model_path

K = 10
SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000,)
EF_SEARCH_CURVE = (64, 256, 512)
#: The dimension of all-MiniLM-L6-v2 and of models of its architecture.
FALLBACK_DIMENSION = 384


def default_dimension() -> int:
    """The output dimension of `DEFAULT_MODEL`, read from its config (no model load)."""
    try:
        config = Path(resolve_model_path(DEFAULT_MODEL)) / "config.json"
        return int(json.loads(config.read_text(encoding="utf-8"))["hidden_size"])
    except Exception:  # a model that is not installed still has a benchmark
        return FALLBACK_DIMENSION


def embedding_like(count: int, dimension: int, seed: int) -> np.ndarray:
    """Unit vectors with a shared direction, topics and sub-topics (see the module's doc)."""
    structure = np.random.default_rng(12345)  # the same topics for the corpus and the queries

    def directions(rows: int, share: float, rng: np.random.Generator) -> np.ndarray:
        v = rng.standard_normal((rows, dimension)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True) * np.float32(np.sqrt(share))

    common = directions(1, 0.25, structure)
    topics = directions(200, 0.25, structure)
    topic_of = structure.integers(0, 200, 20_000)
    subtopics = directions(20_000, 0.3, structure)
    rng = np.random.default_rng(seed)
    out = np.empty((count, dimension), np.float32)
    for start in range(0, count, 100_000):
        rows = min(100_000, count - start)
        sub = rng.integers(0, 20_000, rows)
        x = common + topics[topic_of[sub]] + subtopics[sub] + directions(rows, 0.2, rng)
        out[start : start + rows] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def exact_answers(matrix: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """The exact top-k rows of each query (ground truth), in chunks to bound memory."""
    found = []
    for start in range(0, queries.shape[0], 100):
        scores = queries[start : start + 100] @ matrix.T
        found.append(np.argpartition(-scores, K - 1, axis=1)[:, :K])
    return np.vstack(found)


def latencies(search, queries: np.ndarray) -> tuple[dict, list]:
    """p50/p99 in ms of one query at a time, and each query's answer.

    BLAS runs on one thread here, as faiss' searches do: a one-query scan is bound by memory
    bandwidth, and on a shared machine two threads that wait for each other make the timing
    noise, not the figure."""
    times, answers = [], []
    with threadpool_limits(limits=1, user_api="blas"):
        for query in queries:
            start = time.perf_counter()
            answers.append(search(query))
            times.append(time.perf_counter() - start)
    ms = np.array(times) * 1e3
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 4),
        "p99_ms": round(float(np.percentile(ms, 99)), 4),
    }, answers


def recall(found: list, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth, strict=True)]))


def rss() -> int:
    gc.collect()
    return psutil.Process().memory_info().rss


def numpy_scan(matrix: np.ndarray):
    def search(query: np.ndarray) -> np.ndarray:
        scores = matrix @ query
        top = np.argpartition(-scores, K - 1)[:K]
        return top[np.argsort(-scores[top])]

    return search


def exact_index(ids: list[str], matrix: np.ndarray, asked: np.ndarray, position: dict) -> tuple:
    """Latency, answers and RSS growth per row of the exact `VectorIndex` (freed after)."""
    before = rss()
    exact = VectorIndex(dimension=matrix.shape[1])
    exact.add(ids, matrix)
    growth = (rss() - before) / len(ids)
    latency, found = latencies(lambda q: [position[hit.id] for hit in exact.search(q, K)], asked)
    return latency, found, growth


def measure(size: int, queries: int, timed: int, dimension: int, ann: AnnSettings) -> dict:
    matrix = embedding_like(size, dimension, seed=1)
    asked = embedding_like(queries, dimension, seed=2)
    ids = [f"stu-{i:07d}" for i in range(size)]
    position = {id_: i for i, id_ in enumerate(ids)}
    truth = exact_answers(matrix, asked)
    float32_bytes = 4 * dimension

    # A full scan at 1M takes ~50 ms or more: the exact routes are timed on the first `timed`
    # queries, the graph on all of them (its recall too).
    baseline, _ = latencies(numpy_scan(matrix), asked[:timed])

    exact_latency, exact_found, exact_rss = exact_index(ids, matrix, asked[:timed], position)

    before = rss()
    start = time.perf_counter()
    index = VectorIndex(dimension=dimension, ann=ann)
    index.add(ids, matrix)
    build_s = time.perf_counter() - start
    index_rss = (rss() - before) / size
    assert index.approximate
    own = index._graph.memory_bytes() / size
    hnsw_latency, hnsw_found = latencies(
        lambda q: [position[hit.id] for hit in index.search(q, K)], asked
    )
    hnsw_recall = recall(hnsw_found, truth)
    # The search breadth is a query-time knob: the same graph, searched wider or narrower.
    breadths = {}
    for ef_search in EF_SEARCH_CURVE:
        index._graph.settings = replace(ann, ef_search=ef_search)
        latency, found = latencies(
            lambda q: [position[hit.id] for hit in index.search(q, K)], asked
        )
        breadths[str(ef_search)] = {**latency, "recall@10": round(recall(found, truth), 4)}
    index._graph.settings = ann
    return {
        "size": size,
        "queries": queries,
        "baseline_numpy_exact": baseline,
        "timed_exact_queries": min(timed, queries),
        "exact_index": {
            **exact_latency,
            "recall@10": round(recall(exact_found, truth[:timed]), 4),
        },
        "hnsw_index": {
            **hnsw_latency,
            "recall@10": round(hnsw_recall, 4),
            "build_s": round(build_s, 1),
            "by_ef_search": breadths,
        },
        "p50_speedup_vs_baseline": round(baseline["p50_ms"] / hnsw_latency["p50_ms"], 1),
        "memory_bytes_per_vector": {
            "float32_matrix": float32_bytes,
            "hnsw_own_count": round(own, 1),
            "hnsw_rss_growth": round(index_rss, 1),
            "exact_index_rss_growth": round(exact_rss, 1),
            "ratio_own_count_vs_float32": round(own / float32_bytes, 3),
            "ratio_rss_vs_exact_index_rss": round(index_rss / exact_rss, 3),
        },
    }


def run(sizes: tuple[int, ...], queries: int, timed: int, ann: AnnSettings) -> dict:
    dimension = default_dimension()
    rows = []
    for size in sizes:
        rows.append(measure(size, queries, timed, dimension, ann))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    largest = rows[-1]
    faster = [
        row["size"]
        for row in rows
        if row["hnsw_index"]["p50_ms"] < row["baseline_numpy_exact"]["p50_ms"]
        and row["hnsw_index"]["recall@10"] >= 0.99
    ]
    return {
        "benchmark": "vector_search",
        "model": DEFAULT_MODEL,
        "dimension": dimension,
        "k": K,
        "ann": asdict(ann),
        "sizes": rows,
        "largest": {
            "size": largest["size"],
            "hnsw_p50_ms": largest["hnsw_index"]["p50_ms"],
            "baseline_p50_ms": largest["baseline_numpy_exact"]["p50_ms"],
            "recall@10": largest["hnsw_index"]["recall@10"],
            "memory_ratio_vs_float32": largest["memory_bytes_per_vector"][
                "ratio_own_count_vs_float32"
            ],
        },
        "smallest_size_where_hnsw_beats_exact_at_recall_0.99": min(faster) if faster else None,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k rows, 200 queries (seconds)")
    parser.add_argument("--sizes", default=None, help="comma-separated row counts")
    parser.add_argument("--queries", type=int, default=None, help="queries (default 1000)")
    parser.add_argument(
        "--timed-exact", type=int, default=200, help="queries timed on the exact routes"
    )
    parser.add_argument("--storage", choices=("int8", "float16"), default="int8")
    parser.add_argument("--ef-search", type=int, default=AnnSettings.ef_search)
    parser.add_argument("--out", type=Path, default=None, help="write the JSON here instead")
    args = parser.parse_args(argv)
    sizes = (
        tuple(int(size) for size in args.sizes.split(","))
        if args.sizes
        else (QUICK_SIZES if args.quick else SIZES)
    )
    queries = args.queries or (200 if args.quick else 1000)
    # The threshold is set to the smallest size so that every size is measured through the
    # graph; where the graph starts to pay is what this benchmark tells.
    ann = AnnSettings(threshold=min(sizes), storage=args.storage, ef_search=args.ef_search)
    result = run(sizes, queries, args.timed_exact, ann)
    return publish(result, "vector_search", quick=args.quick, out=args.out)


if __name__ == "__main__":
    main()
