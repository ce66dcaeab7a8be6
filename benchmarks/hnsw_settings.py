"""HNSW settings at a million rows: which graph meets p50 <= 1 ms at recall@10 >= 0.99 in 0.5x.

    nice -n 19 python benchmarks/hnsw_settings.py build --m 32 --ef-construction 128
    flock /tmp/timing.lock python benchmarks/hnsw_settings.py sweep --m 32 --ef-construction 128 \\
        --ef-search 64,96,128 --rerank 30,50 --residual-bits 2,4 --entry-level 0,2

A graph costs minutes to build and its search breadth is a query-time knob, so the two are
separate steps. `build` builds `matcher.ann.hnsw.HnswRows` over `vector_search.py`'s vectors (the
same data as the published benchmark), as `VectorIndex` builds it from stored vectors, times
that, and saves the graph with `HnswRows.save` under var/bench/hnsw/ (with the exact top-10 of
the queries, so that the timed step does not spend its time on the ground truth). `sweep` reads
it back with `HnswRows.load` (timed: what a service start-up from a persisted graph costs), then
in one run times the exact numpy full scan (the baseline) and one top-10 query at a time
through the graph for every efSearch x re-rank depth x residual bits x entry level asked, with
recall@10 against the exact answer and the memory per vector the graph counts.

Prints one JSON object and writes it to benchmarks/results/hnsw_settings.<graph>.json.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, replace
from itertools import product
from pathlib import Path

import numpy as np
from _results import RESULTS, publish
from vector_search import K, default_dimension, embedding_like, exact_answers, latencies, recall

from matcher.ann import AnnSettings
from matcher.ann.hnsw import HnswRows

CACHE = Path(__file__).resolve().parent.parent / "var" / "bench" / "hnsw"
#: Queries for recall and the graph's latency; the full scan is timed on fewer (~50 ms each).
QUERIES = 1000
BASELINE_QUERIES = 100


def graph_folder(size: int, ann: AnnSettings, cache: Path = CACHE) -> Path:
    return cache / f"n{size}-m{ann.m}-efc{ann.ef_construction}-{ann.storage}"


def build(size: int, ann: AnnSettings, cache: Path = CACHE) -> dict:
    """Build the graph over `size` rows, save it with the queries' exact answers."""
    dimension = default_dimension()
    matrix = embedding_like(size, dimension, seed=1)
    start = time.perf_counter()
    graph = HnswRows(dimension, ann, matrix)
    build_s = time.perf_counter() - start
    folder = graph_folder(size, ann, cache)
    start = time.perf_counter()
    graph.save(folder)
    save_s = time.perf_counter() - start
    queries = embedding_like(QUERIES, dimension, seed=2)
    np.save(folder / "truth.npy", exact_answers(matrix, queries))
    facts = {"size": size, "ann": asdict(ann), "build_s": round(build_s, 1)}
    facts["save_s"] = round(save_s, 2)
    (folder / "build.json").write_text(json.dumps(facts), encoding="utf-8")
    return facts


def with_residual_bits(graph: HnswRows, matrix: np.ndarray, bits: int) -> None:
    """Give the loaded graph residual codes of `bits` (the build keeps one kind)."""
    graph.settings = replace(graph.settings, residual_bits=bits)
    if graph._residuals is not None and graph._residuals.bits == bits:
        return
    storage = graph._storage
    codes = graph._new_residuals()
    assert codes is not None
    codes.reserve(matrix.shape[0])
    for start in range(0, matrix.shape[0], 65_536):
        chunk = matrix[start : start + 65_536]
        codes.append(chunk - storage.sa_decode(storage.sa_encode(chunk)))
    graph._residuals = codes


def sweep(
    size: int,
    ann: AnnSettings,
    ef_values: list[int],
    depths: list[int | None],
    bits: list[int],
    entry_levels: list[int] | None = None,
    cache: Path = CACHE,
) -> dict:
    folder = graph_folder(size, ann, cache)
    built = json.loads((folder / "build.json").read_text(encoding="utf-8"))
    dimension = default_dimension()
    matrix = embedding_like(size, dimension, seed=1)
    queries = embedding_like(QUERIES, dimension, seed=2)
    truth = np.load(folder / "truth.npy")

    def numpy_scan(query: np.ndarray) -> np.ndarray:
        scores = matrix @ query
        return np.argpartition(-scores, K - 1)[:K]

    baseline, _ = latencies(numpy_scan, queries[:BASELINE_QUERIES])
    start = time.perf_counter()
    graph = HnswRows.load(folder, replace(ann, residual_bits=built["ann"]["residual_bits"]))
    load_s = time.perf_counter() - start
    rows = []
    for residual_bits, entry_level in product(bits, entry_levels or [ann.entry_level]):
        if ann.storage == "int8":
            with_residual_bits(graph, matrix, residual_bits)
        graph.settings = replace(graph.settings, entry_level=entry_level)
        memory = graph.memory_bytes() / size
        for asked_depth in depths:
            for ef_search in ef_values:
                # None: re-rank everything the search kept (its efSearch candidates).
                depth = ef_search if asked_depth is None else asked_depth
                graph.settings = replace(graph.settings, ef_search=ef_search, rerank=depth)
                latency, found = latencies(lambda q: graph.nearest(q, K).positions, queries)
                rows.append(
                    {
                        "residual_bits": residual_bits if ann.storage == "int8" else None,
                        "entry_level": entry_level,
                        "rerank": depth,
                        "ef_search": ef_search,
                        **latency,
                        "recall@10": round(recall(found, truth), 4),
                        "bytes_per_vector": round(memory, 1),
                        "ratio_vs_float32": round(memory / (4 * dimension), 3),
                    }
                )
                print(json.dumps(rows[-1]), flush=True)
    return {
        "benchmark": "hnsw_settings",
        "size": size,
        "dimension": dimension,
        "k": K,
        "graph": {key: built["ann"][key] for key in ("m", "ef_construction", "storage")},
        "build_s": built["build_s"],
        "load_s": round(load_s, 2),
        "baseline_numpy_exact": baseline,
        "baseline_queries": BASELINE_QUERIES,
        "queries": QUERIES,
        "settings": rows,
    }


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",")]


def _depths(text: str) -> list[int | None]:
    """Re-rank depths; `ef` stands for the efSearch of each row (None)."""
    return [None if part == "ef" else int(part) for part in text.split(",")]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=("build", "sweep"))
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--m", type=int, default=AnnSettings.m)
    parser.add_argument("--ef-construction", type=int, default=AnnSettings.ef_construction)
    parser.add_argument("--storage", choices=("int8", "float16"), default=AnnSettings.storage)
    parser.add_argument("--residual-bits", default=str(AnnSettings.residual_bits))
    parser.add_argument(
        "--repair-share", type=float, default=AnnSettings.repair_share, help="build only"
    )
    parser.add_argument("--ef-search", default=str(AnnSettings.ef_search))
    parser.add_argument(
        "--entry-level", default=str(AnnSettings.entry_level), help="sweep only, e.g. 0,2"
    )
    parser.add_argument(
        "--rerank", default=str(AnnSettings.rerank), help="depths, e.g. 50,100,ef (= efSearch)"
    )
    parser.add_argument("--cache", type=Path, default=CACHE, help="where graphs are kept")
    parser.add_argument("--out", type=Path, default=None, help="write the JSON here instead")
    args = parser.parse_args(argv)
    bits = _numbers(args.residual_bits)
    ann = AnnSettings(
        m=args.m,
        ef_construction=args.ef_construction,
        storage=args.storage,
        residual_bits=bits[0],
        repair_share=args.repair_share,
    )
    if args.step == "build":
        facts = build(args.size, ann, args.cache)
        print(json.dumps(facts))
        return facts
    depths = _depths(args.rerank)
    entry_levels = _numbers(args.entry_level)
    result = sweep(args.size, ann, _numbers(args.ef_search), depths, bits, entry_levels, args.cache)
    name = graph_folder(args.size, ann).name
    out = args.out or RESULTS / f"hnsw_settings.{name}.json"
    return publish(result, f"hnsw_settings.{name}", out=out)


if __name__ == "__main__":
    main()
