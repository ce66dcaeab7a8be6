"""The quality gate of the fast encoding route: dense nDCG@10 of bf16 against fp32.

    python benchmarks/encode_quality.py [--quick] [--bench-root ../shared/benchmarks]
        [--precision bf16|openvino-bf16|openvino-int8] [--out results/encode_quality.ROUTE.json]

Ranks every dev benchmark in the BEIR layout under `--bench-root` (default: the shared ones,
`../shared/benchmarks` beside the checkout) with the dense component alone, once with the
default model in fp32 and once in the fast route (`--precision`: torch's bf16 by default, or
an OpenVINO route, see `matcher.openvino_encoder`), and prints both scores and their
difference per benchmark. The gate: nDCG@10 may differ by at most 0.005 on every benchmark.
Vectors are cached per (model, precision) in var/bench/encode_quality.sqlite, so a second run
only scores. Prints one JSON object and writes it to benchmarks/results/encode_quality.json
(`--quick`: the tiny fixture benchmark, results/encode_quality.quick.json).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _results import publish

from matcher.cache import CachedEncoder, SqliteEmbeddingStore
from matcher.encoders import SentenceEncoder
from matcher.evaluation import load_benchmark, run_benchmark, score_run
from matcher.model_files import DEFAULT_MODEL
from matcher.paths import PROJECT_ROOT
from matcher.ranker import HybridRanker, Weights

SHARED = PROJECT_ROOT.parent / "shared" / "benchmarks"
QUICK = PROJECT_ROOT / "tests" / "fixtures" / "tiny-bench"
CACHE = PROJECT_ROOT / "var" / "bench" / "encode_quality.sqlite"
TOLERANCE = 0.005


def benchmark_folders(root: Path) -> list[Path]:
    """The folders under `root` (or `root` itself) that hold a benchmark with a dev split."""
    if (root / "qrels" / "dev.tsv").is_file():
        return [root]
    found = sorted(folder for folder in root.iterdir() if (folder / "qrels" / "dev.tsv").is_file())
    if not found:
        raise SystemExit(f"no benchmark with qrels/dev.tsv under {root}")
    return found


def dense_scores(folder: Path, encoder: CachedEncoder) -> dict[str, float]:
    """trec_eval's metrics of the dense component alone on the dev split."""
    benchmark = load_benchmark(folder, "dev")
    ranker = HybridRanker(encoder=encoder, weights=Weights.for_method("dense"))
    return score_run(run_benchmark(ranker, benchmark), benchmark.qrels).as_json()


def run(folders: list[Path], *, model: str, fast: str, cache: Path) -> dict:
    """Score every benchmark in fp32 and in the fast precision."""
    store = SqliteEmbeddingStore(cache)
    encoders = {
        precision: CachedEncoder(
            encoder=SentenceEncoder(model=model, precision=precision), store=store
        )
        for precision in ("fp32", fast)
    }
    results = {}
    for folder in folders:
        figures: dict[str, object] = {}
        for precision, encoder in encoders.items():
            started = time.perf_counter()
            figures[precision] = dense_scores(folder, encoder)
            figures[f"{precision}_seconds"] = round(time.perf_counter() - started, 1)
        difference = figures[fast]["ndcg@10"] - figures["fp32"]["ndcg@10"]
        figures["ndcg@10_difference"] = round(difference, 4)
        figures["within_tolerance"] = abs(difference) <= TOLERANCE
        results[folder.name] = figures
    store.close()
    return {
        "benchmark": "encode_quality",
        "model": model,
        "model_id": encoders["fp32"].model_id,
        "method": "dense",
        "split": "dev",
        "baseline": "fp32",
        "fast_precision": fast,
        # what computed the fast vectors: an OpenVINO route that cannot load falls back to torch
        "fast_route_used": encoders[fast].encoder.precision_,
        "tolerance_ndcg@10": TOLERANCE,
        "benchmarks": results,
        "all_within_tolerance": all(figures["within_tolerance"] for figures in results.values()),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the tiny fixture benchmark only")
    parser.add_argument("--bench-root", type=Path, default=None, help=f"default {SHARED}")
    parser.add_argument("--precision", default="bf16", help="the fast route (default bf16)")
    parser.add_argument("--cache", type=Path, default=CACHE, help="embedding cache file")
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"default {DEFAULT_MODEL}")
    parser.add_argument("--out", type=Path, default=None, help="write the JSON here instead")
    args = parser.parse_args(argv)
    root = args.bench_root or (QUICK if args.quick else SHARED)
    result = run(benchmark_folders(root), model=args.model, fast=args.precision, cache=args.cache)
    return publish(result, "encode_quality", quick=args.quick, out=args.out)


if __name__ == "__main__":
    main()
