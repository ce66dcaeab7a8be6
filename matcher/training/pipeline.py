"""The two training jobs behind `lcmatch train`: the encoder, then the fusion.

`train_encoder` fine-tunes one model per fold (for honest figures; each encodes the benchmarks
and is then dropped, only its vectors are kept) and one on all dev data (the shipped model), and
writes the sentence-transformers folder with its model card.
`train_fusion` scores every benchmark with the fold vectors, fits the hybrid's weights by
cross-validation and writes `models/fusion.json` and the README table (`models/figures.json`).
"""

from __future__ import annotations

import functools
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
from matcher.training.crossval import (
    FoldVectors,
    bench_scores,
    cross_validated_table,
    dense_table,
    encode_fold,
)
from matcher.training.data import (
    BENCHMARKS,
    Pair,
    load_benchmarks,
    read_esco_skills,
    training_pairs,
    weighted_sample,
    without_folds,
)
from matcher.training.linear import Adapter, adapted_model, base_vectors, train_adapter
from matcher.training.negatives import with_hard_negatives
from matcher.training.trainer import TrainConfig, encode_with, fine_tune, prompt_of, save_fp16

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
    limit: int | None,
) -> list[Pair]:
    """The training pairs of a model that must not see the queries of the `excluded` folds,
    sampled down to `limit` (every source in proportion)."""
    kept = (
        {n: without_folds(b, folds, excluded) for n, b in benchmarks.items()}
        if excluded
        else benchmarks
    )
    pairs = training_pairs(kept, skills, seed=seed, judged_per_query=dict(config.judged_per_query))
    if limit is not None and len(pairs) > limit:
        pairs = random.Random(seed).sample(pairs, limit)
    if config.hard_negative_depth:
        # mined on the same training side the pairs come from
        pairs = with_hard_negatives(pairs, kept, depth=config.hard_negative_depth, seed=seed)
    return pairs


#: The tokenizer's files are the base model's: training must not change how text is cut up.
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "sentence_bert_config.json",
)


def keep_base_tokenizer(base: Path, out: Path) -> None:
    """Put the base folder's tokenizer files back over what saving a trained model wrote.

    Saving writes the tokenizer as training left it: truncating at the training length and,
    for the e5 model, without `token_type_ids` (which the OpenVINO route needs)."""
    for name in TOKENIZER_FILES:
        if (base / name).is_file():
            (out / name).write_bytes((base / name).read_bytes())


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
    bf16_vectors: bool = False,
    folds_only: bool = False,
    only_fold: int | None = None,
    log: Log = print,
) -> dict:
    """Fine-tune the fold models (if folds >= 2) and the shipped one; write the model folder.

    `encoder` gives the base model's vectors (the "base dense" column); `bf16_vectors` encodes
    the fold models' vectors in bf16, as the service does where the CPU runs bf16.
    `folds_only` trains the fold models alone (to judge a recipe by its cross-validated
    figures before paying for the shipped model) and writes no model folder: the summary goes
    to `cv_dir/training.json`. `only_fold` (with `folds_only`) trains that one fold model, a
    paired pilot against the same fold of an earlier run; no cross-validated table then."""
    if folds_only and folds < 2:
        raise MatcherError(f"folds_only needs at least 2 folds, not {folds}")
    if only_fold is not None and not (folds_only and 0 <= only_fold < folds):
        raise MatcherError(f"fold {only_fold} needs folds_only and a fold in 0..{folds - 1}")
    started = time.perf_counter()
    names = present_benchmarks(bench_root)
    benchmarks = load_benchmarks(bench_root, names)
    skills = read_esco_skills()
    base_path = resolve_model_path(base_model)
    fold_vectors, fold_stats = [], []
    trained_folds = range(folds if folds >= 2 else 0) if only_fold is None else [only_fold]
    for fold in trained_folds:
        pairs = _fold_pairs(benchmarks, skills, config, seed, {fold}, folds, config.max_pairs)
        model, stats = _train_one(
            pairs, config.fold_fine_tune_pairs, encoder, base_path, config, seed, log
        )
        encoding = time.perf_counter()
        encode = functools.partial(encode_with, model, bf16=bf16_vectors)
        query, passage = prompt_of(model, "query"), prompt_of(model, "passage")
        vectors = encode_fold(
            benchmarks,
            fold,
            folds,
            functools.partial(encode, prefix=passage),
            # e5 puts "query: " before queries: they are encoded apart from the documents
            functools.partial(encode, prefix=query) if query != passage else None,
        )
        stats["seconds_encoding_benchmarks"] = round(time.perf_counter() - encoding, 1)
        vectors.save(cv_dir / f"fold-{fold}.npz")
        log(f"fold {fold}/{folds}: {stats}")
        fold_vectors.append(vectors)
        fold_stats.append(stats)
        del model
    pairs = _fold_pairs(benchmarks, skills, config, seed, set(), folds, config.max_pairs)
    stats = None
    if not folds_only:
        model, stats = _train_one(
            pairs, config.fine_tune_pairs, encoder, base_path, config, seed, log
        )
        save_fp16(model, out)
        keep_base_tokenizer(Path(base_path), out)
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
        "fold_training": fold_stats,
    }
    if only_fold is not None:
        summary["only_fold"] = only_fold
    elif fold_vectors:
        scores = {
            n: bench_scores(b, encoder, folds, sparse=False, log=log) for n, b in benchmarks.items()
        }
        summary["cross_validated"] = dense_table(scores, fold_vectors)
    summary["seconds_total"] = round(time.perf_counter() - started, 1)
    if fold_vectors and only_fold is None:
        # Only beside the fold vectors it describes: a run without folds leaves the record of
        # an earlier cross-validation (and its vectors) as they are.
        (cv_dir / "folds.json").write_text(json.dumps({"folds": folds, "seed": seed}) + "\n")
    if folds_only:
        (cv_dir / "training.json").write_text(json.dumps(summary, indent=2) + "\n")
        return summary
    (out / "training.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(model_card(out.name, summary), encoding="utf-8")
    return summary


def _train_one(
    pairs: list[Pair],
    fine_tune_pairs: int | None,
    encoder: TextEncoder,
    base_path: str,
    config: TrainConfig,
    seed: int,
    log: Log,
):
    """One model: the linear map on all `pairs` (if configured), then fine-tuning every layer
    on a sample of them. Returns the model and what each part took."""
    start: Adapter | None = None
    linear_stats = None
    if config.linear is not None:
        began = time.perf_counter()
        vectors = base_vectors(encoder, pairs)
        start, linear_stats = train_adapter(pairs, vectors, config.linear, seed=seed)
        linear_stats["seconds_with_base_vectors"] = round(time.perf_counter() - began, 1)
        log(f"linear map: {linear_stats}")
    sample = pairs
    if fine_tune_pairs is not None and len(pairs) > fine_tune_pairs:
        sample = weighted_sample(pairs, fine_tune_pairs, config.fine_tune_shares, seed)
    if not sample and start is not None:
        # The linear map alone (the model lcmatch shipped before fine-tuning): nothing to tune.
        model = adapted_model(base_path, start)
        stats = {"pairs": 0, "steps": 0, "seconds": 0.0, "loss_per_epoch": []}
    else:
        model, stats = fine_tune(sample, base_path, config, seed=seed, start=start, log=log)
    stats["pairs_by_source"] = _count_sources(sample)
    stats["linear"] = linear_stats
    return model, stats


def _count_sources(pairs) -> dict[str, int]:
    counts: dict[str, int] = {}
    for pair in pairs:
        counts[pair.source] = counts.get(pair.source, 0) + 1
    return dict(sorted(counts.items()))


def _linear_seconds(stats: dict) -> str:
    linear = stats.get("linear")
    return "(none)" if not linear else str(linear["seconds_with_base_vectors"])


def _hard_negative_note(config: dict) -> list[str]:
    depth = config.get("hard_negative_depth", 0)
    if not depth:
        return []
    return [
        f"Each challenge pair also carries a hard negative: one of the {depth} documents the",
        "lexical ranker puts highest for its query that are not judged relevant to it.",
        "",
    ]


def _recipe_intro(summary: dict) -> list[str]:
    """What was trained: a linear map then every layer, or (recipes without the map, such as
    `e5`) the transformer alone."""
    config = summary["config"]
    if config.get("linear") is not None:
        return [
            f"`{summary['base_model']}` adapted to Dutch and to lcmatch's domain in two stages: a",
            "linear map (384 x 384, a `Dense` layer after the normalised mean pooling) learned on",
            "all pairs from the frozen base model's cached vectors, then every layer (transformer",
            "and map) fine-tuned together on a sample of the pairs. Same architecture as the base",
            "model plus one 384 x 384 layer, so it encodes as fast. Weights are stored in fp16",
            "and loaded as float32.",
        ]
    frozen = " except the word embeddings" if config.get("freeze_embeddings") else ""
    return [
        f"`{summary['base_model']}` fine-tuned on Dutch and domain pairs (recipe"
        f" `{config['name']}`): every layer{frozen}, pairs cut to {config['max_length']} tokens,",
        f"batches of {config['batch_size']}, learning rate {config['learning_rate']}. Same"
        " architecture and tokenizer as the base model (the tokenizer files are the base's).",
        "Weights are stored in fp16 and loaded as float32.",
    ]


def model_card(name: str, summary: dict) -> str:
    """The model folder's README: what it is, what it learned from, how, and how well."""
    lines = [f"# {name}", "", *_recipe_intro(summary), ""]
    lines += [
        "## Data",
        "",
        "Pairs (anchor, positive), learned with MultipleNegativesRankingLoss (in-batch negatives,",
        "both directions, no two pairs of one group in a batch). All pairs:",
        "",
        "| source | pairs |",
        "|---|---|",
        *[f"| {source} | {count} |" for source, count in summary["pairs_by_source"].items()],
        "",
        "The fine-tuning sample, by source:",
        "",
        "| source | pairs |",
        "|---|---|",
        *[
            f"| {source} | {count} |"
            for source, count in summary["training"]["pairs_by_source"].items()
        ],
        "",
        *_hard_negative_note(summary["config"]),
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
        f"{summary['machine']}, 2 shared CPU cores. This model: the linear map"
        f" {_linear_seconds(summary['training'])} s, fine-tuning {summary['training']['steps']}",
        f"steps in {summary['training']['seconds']} s. Cross-validation fold models:",
        *[
            f"- fold {k}: linear map {_linear_seconds(s)} s; fine-tuning {s['pairs']} pairs,"
            f" {s['steps']} steps in {s['seconds']} s; then"
            f" {s['seconds_encoding_benchmarks']} s encoding the benchmarks"
            for k, s in enumerate(summary["fold_training"])
        ],
        "",
        f"{summary['seconds_total']} s in all. Configuration:",
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
            "Each query scored by the model trained without its fold (folds by query text).",
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


def zero_shot_folds(
    *, bench_root: Path, cv_dir: Path, encoder: TextEncoder, folds: int, log: Log = print
) -> None:
    """Write the base model's own vectors as every fold's (`fold-K.npz`, `folds.json`): then
    `train_fusion` refits the hybrid by cross-validation for a model used as it is."""
    if folds < 2:
        raise MatcherError(f"zero-shot folds need at least 2 folds, not {folds}")
    benchmarks = load_benchmarks(bench_root, present_benchmarks(bench_root))
    for fold in range(folds):
        vectors = encode_fold(
            benchmarks,
            fold,
            folds,
            functools.partial(encoder.encode, kind="passage"),
            functools.partial(encoder.encode, kind="query"),
        )
        vectors.save(cv_dir / f"fold-{fold}.npz")
        log(f"fold {fold}/{folds}: the base model's vectors")
    (cv_dir / "folds.json").write_text(json.dumps({"folds": folds, "zero_shot": True}) + "\n")


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
    """Fit the fusion by cross-validation with the fold vectors; write weights and table."""
    folds_file = cv_dir / "folds.json"
    if not folds_file.is_file():
        raise MatcherError(f"{folds_file} not found: run `lcmatch train encoder --folds K` first")
    folds = json.loads(folds_file.read_text())["folds"]
    if folds < 2:
        raise MatcherError(f"{folds_file} holds no folds: run `lcmatch train encoder --folds K`")
    fold_vectors = [FoldVectors.load(cv_dir / f"fold-{k}.npz") for k in range(folds)]
    names = present_benchmarks(bench_root)
    benchmarks = load_benchmarks(bench_root, names)
    scores = {n: bench_scores(b, encoder, folds, log=log) for n, b in benchmarks.items()}
    table, weights, detail = cross_validated_table(scores, fold_vectors, log=log)
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
