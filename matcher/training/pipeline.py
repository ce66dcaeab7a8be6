"""The two training jobs behind `lcmatch train`: the encoder, then the fusion.

`train_encoder` learns one adapter per fold (for honest figures) and one on all dev data (the
shipped model), and writes the sentence-transformers folder with its model card.
`train_fusion` scores every benchmark with the fold adapters, fits the hybrid's weights by
cross-validation and writes `models/fusion.json` and the README table (`models/figures.json`).
"""

from __future__ import annotations

import json
import platform
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from matcher.encoders import TextEncoder, resolve_model_path
from matcher.errors import MatcherError
from matcher.evaluation import Benchmark
from matcher.fusion import save_weights
from matcher.training.crossval import bench_scores, cross_validated_table, dense_table
from matcher.training.data import (
    BENCHMARKS,
    Pair,
    load_benchmarks,
    read_esco_skills,
    training_pairs,
    without_folds,
)
from matcher.training.trainer import (
    Adapter,
    TrainConfig,
    adapted_model,
    base_vectors,
    save_fp16,
    train_adapter,
)

Log = Callable[[str], None]


def present_benchmarks(root: Path) -> list[str]:
    """The shared benchmarks found under `root` (a tiny run may bring only one)."""
    names = [name for name in BENCHMARKS if (root / name).is_dir()]
    if not names:
        raise MatcherError(f"no benchmark ({', '.join(BENCHMARKS)}) found under {root}")
    return names


def _fold_pairs(
    benchmarks: dict[str, Benchmark],
    skills: list[dict],
    config: TrainConfig,
    seed: int,
    excluded: set[int],
    folds: int,
) -> list[Pair]:
    """The training pairs of a model that must not see the queries of the `excluded` folds
    (sampled down to `config.max_pairs` first, so a tiny run encodes only what it uses)."""
    kept = (
        {n: without_folds(b, folds, excluded) for n, b in benchmarks.items()}
        if excluded
        else benchmarks
    )
    pairs = training_pairs(kept, skills, seed=seed, judged_per_query=dict(config.judged_per_query))
    if config.max_pairs is not None and len(pairs) > config.max_pairs:
        pairs = random.Random(seed).sample(pairs, config.max_pairs)
    return pairs


def train_encoder(
    *,
    bench_root: Path,
    out: Path,
    cv_dir: Path,
    encoder: TextEncoder,
    base_model: str,
    config: TrainConfig,
    seed: int,
    folds: int,
    command: str,
    log: Log = print,
) -> dict:
    """Train the fold adapters (if folds >= 2) and the shipped one; write the model folder."""
    names = present_benchmarks(bench_root)
    benchmarks = load_benchmarks(bench_root, names)
    skills = read_esco_skills()
    fold_adapters = []
    for fold in range(folds if folds >= 2 else 0):
        pairs = _fold_pairs(benchmarks, skills, config, seed, {fold}, folds)
        adapter, stats = train_adapter(pairs, base_vectors(encoder, pairs), config, seed=seed)
        adapter.save(cv_dir / f"fold-{fold}.npz")
        log(f"fold {fold}/{folds}: {stats['pairs']} pairs, {stats['seconds']} s")
        fold_adapters.append(adapter)
    started = time.perf_counter()
    pairs = _fold_pairs(benchmarks, skills, config, seed, set(), folds)
    vectors = base_vectors(encoder, pairs)
    encoded = time.perf_counter() - started
    adapter, stats = train_adapter(pairs, vectors, config, seed=seed, log=log)
    model = adapted_model(resolve_model_path(base_model), adapter)
    save_fp16(model, out)
    adapter.save(cv_dir / "all.npz")
    summary = {
        "base_model": base_model,
        "config": config.as_json(),
        "seed": seed,
        "folds": folds,
        "command": command,
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "pairs_by_source": _count_sources(pairs),
        "training": stats,
        "seconds_total": round(time.perf_counter() - started, 1),
        "seconds_base_vectors": round(encoded, 1),
    }
    if fold_adapters:
        scores = {
            n: bench_scores(b, encoder, folds, sparse=False, log=log) for n, b in benchmarks.items()
        }
        summary["cross_validated"] = dense_table(scores, fold_adapters)
    (out / "training.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(model_card(out.name, summary), encoding="utf-8")
    (cv_dir / "folds.json").write_text(json.dumps({"folds": folds, "seed": seed}) + "\n")
    return summary


def _count_sources(pairs) -> dict[str, int]:
    counts: dict[str, int] = {}
    for pair in pairs:
        counts[pair.source] = counts.get(pair.source, 0) + 1
    return dict(sorted(counts.items()))


def model_card(name: str, summary: dict) -> str:
    """The model folder's README: what it is, what it learned from, how, and how well."""
    lines = [
        f"# {name}",
        "",
        f"`{summary['base_model']}` adapted to Dutch and to lcmatch's domain: the base model",
        "unchanged, followed by one learned linear layer (384 x 384) and normalisation, so it",
        "encodes as fast as the base model. Weights are stored in fp16.",
        "",
        "## Data",
        "",
        "Pairs (anchor, positive), learned with MultipleNegativesRankingLoss (in-batch negatives,",
        "both directions, no two pairs of one group in a batch):",
        "",
        "| source | pairs |",
        "|---|---|",
        *[f"| {source} | {count} |" for source, count in summary["pairs_by_source"].items()],
        "",
        "- `esco-*`: the ESCO v1.1.1 skill list (Dutch label against English label, one English",
        "  alternative label, English description). This service uses the ESCO classification",
        "  of the European Commission.",
        "- `melo-synonyms`: names of one occupation in the MELO corpus (the corpus is shared",
        "  by every split; no judgement is used).",
        "- `melo-nld`, `melo-bel`, `esco-challenge-*`: dev judgements (query against relevant",
        "  document). No held-out data.",
        "",
        "## How",
        "",
        f"Command: `{summary['command']}` (seed {summary['seed']}), {summary['trained_at']},",
        f"{summary['machine']}. Training {summary['training']['seconds']} s for",
        f"{summary['training']['steps']} steps; {summary['seconds_total']} s in all, of which",
        f"{summary['seconds_base_vectors']} s fetching the base model's vectors (from the",
        "embedding cache; encoding them afresh takes minutes). Configuration:",
        "",
        "```json",
        json.dumps(summary["config"], indent=2),
        "```",
    ]
    table = summary.get("cross_validated")
    if table:
        lines += [
            "",
            f"## Figures ({summary['folds']}-fold cross-validation over dev queries)",
            "",
            "Each query scored by the adapter trained without its fold (folds by query text).",
            "",
            "| benchmark | base MRR | adapted MRR | base nDCG@10 | adapted nDCG@10 |",
            "|---|---|---|---|---|",
        ]
        for bench, row in table.items():
            base, adapted = row["base dense"], row["adapted dense (CV)"]
            lines.append(
                f"| {bench} | {base['mrr']:.4f} | {adapted['mrr']:.4f} "
                f"| {base['ndcg@10']:.4f} | {adapted['ndcg@10']:.4f} |"
            )
    return "\n".join(lines) + "\n"


def train_fusion(
    *,
    bench_root: Path,
    cv_dir: Path,
    encoder: TextEncoder,
    out: Path,
    figures_out: Path,
    training_json: Path | None,
    log: Log = print,
) -> dict:
    """Fit the fusion by cross-validation with the fold adapters; write weights and table."""
    folds_file = cv_dir / "folds.json"
    if not folds_file.is_file():
        raise MatcherError(f"{folds_file} not found: run `lcmatch train encoder --folds K` first")
    folds = json.loads(folds_file.read_text())["folds"]
    adapters = [Adapter.load(cv_dir / f"fold-{k}.npz") for k in range(folds)]
    names = present_benchmarks(bench_root)
    benchmarks = load_benchmarks(bench_root, names)
    scores = {n: bench_scores(b, encoder, folds, log=log) for n, b in benchmarks.items()}
    table, weights, detail = cross_validated_table(scores, adapters, log=log)
    about = {"folds": folds, "fold_weights": detail["fold_weights"], "benchmarks": names}
    save_weights(weights, out, **about)
    training = None
    if training_json is not None and training_json.is_file():
        training = json.loads(training_json.read_text())
    report = {
        "table": table,
        "weights": weights,
        **about,
        "training_seconds": None if training is None else training["seconds_total"],
        "top5": detail["top5"],
    }
    figures_out.parent.mkdir(parents=True, exist_ok=True)
    # Compact: the top-5 lists of every dev query make up most of it, and it is committed.
    figures_out.write_text(json.dumps(report, separators=(",", ":")) + "\n", encoding="utf-8")
    return report
