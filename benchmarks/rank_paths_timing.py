"""Time the in-memory rank paths of this checkout against another one's in one process (JSON).

    python benchmarks/rank_paths_timing.py --old /path/to/other/checkout [--rows N] [--repeats R]

The other checkout's `matcher` package is copied under the name `matcher_before` (its imports
renamed), so both rankers index the same rows and answer the same queries in turn, and the
machine's load falls on both alike. Rows are demo-word windows with random unit vectors (the
dense model does not matter here) in ten communities. Three paths, as the service and `lcmatch
eval` use them: a community's students for one query with explanations (the pool path), 64
queries at once over every row (the full path), and one query past the ANN threshold (HNSW
candidates). Reports the median milliseconds per query of each, before and after.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _dutch_texts import word_windows

import matcher.ranker
from matcher.ann import AnnSettings
from matcher.weights import Weights


def load_before(checkout: Path) -> object:
    """The other checkout's `matcher.ranker`, imported as `matcher_before.ranker`."""
    root = Path(tempfile.mkdtemp(prefix="matcher-before-"))
    target = root / "matcher_before"
    shutil.copytree(checkout / "matcher", target, ignore=shutil.ignore_patterns("__pycache__"))
    for path in target.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\bmatcher\.", "matcher_before.", text)
        text = re.sub(r"from matcher import", "from matcher_before import", text)
        # Files it reads (models/fusion.json, data/) are the other checkout's.
        text = text.replace("Path(__file__).resolve().parent.parent", f"Path({str(checkout)!r})")
        path.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(root))
    return importlib.import_module("matcher_before.ranker")


def build(module: object, weights: object, texts, vectors, attributes, ann) -> object:
    ranker = module.HybridRanker(encoder=None, weights=weights, ann=ann)
    return ranker.fit(
        [f"r{n}" for n in range(len(texts))], texts, vectors=vectors, attributes=attributes
    )


def per_query_ms(call, queries: int, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000 / queries)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=15)
    arguments = parser.parse_args()
    before = load_before(arguments.old)
    rng = np.random.default_rng(3)
    texts = word_windows(arguments.rows, 60)
    vectors = rng.normal(size=(arguments.rows, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    attributes = [{"community": f"c{n % 10}"} for n in range(arguments.rows)]
    queries = word_windows(64, 60, seed=11)
    query_vectors = rng.normal(size=(64, 384)).astype(np.float32)
    query_vectors /= np.linalg.norm(query_vectors, axis=1, keepdims=True)
    learned = Weights.learned()
    old_weights = before.Weights(dense=learned.dense, lexical=learned.lexical, skill=learned.skill)
    exact = AnnSettings(threshold=10**9)
    approximate = AnnSettings(threshold=arguments.rows // 2)
    rankers = {
        "before": build(before, old_weights, texts, vectors, attributes, exact),
        "after": build(matcher.ranker, learned, texts, vectors, attributes, exact),
    }
    graphs = {
        "before": build(before, old_weights, texts, vectors, attributes, approximate),
        "after": build(matcher.ranker, learned, texts, vectors, attributes, approximate),
    }
    paths = {
        "pool: one community, k=10, explained": lambda r, g: [
            r.search(q, 10, filters={"community": {"c3"}}, query_vector=v)
            for q, v in zip(queries[:16], query_vectors[:16], strict=True)
        ],
        "full: 64 queries at once, k=100": lambda r, g: r.rank(
            queries, 100, explain=False, query_vectors=query_vectors
        ),
        "hnsw candidates: one query, k=10, explained": lambda r, g: [
            g.search(q, 10, query_vector=v)
            for q, v in zip(queries[:16], query_vectors[:16], strict=True)
        ],
    }
    counts = {name: 16 if not name.startswith("full") else 64 for name in paths}
    report: dict[str, dict[str, float]] = {}
    for name, call in paths.items():
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(arguments.repeats):  # interleaved: load falls on both alike
            for side in ("before", "after"):
                times[side] += per_query_ms(
                    lambda s=side, c=call: c(rankers[s], graphs[s]), counts[name], 1
                )
        report[name] = {
            f"{side} ms/query (median)": round(statistics.median(values), 3)
            for side, values in times.items()
        }
        report[name]["after / before"] = round(
            statistics.median(times["after"]) / statistics.median(times["before"]), 3
        )
    print(json.dumps({"rows": arguments.rows, "repeats": arguments.repeats, **report}, indent=2))


if __name__ == "__main__":
    main()
