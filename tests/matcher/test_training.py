"""The encoder's training: folds, pairs, batches, fine-tuning, and `lcmatch train` end to end."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from matcher import MatcherError
from matcher.evaluation import Benchmark
from matcher.model_files import BASE_MODEL, resolve_model_path
from matcher.training.crossval import FoldVectors, encode_fold, fold_query_ids
from matcher.training.data import (
    Pair,
    batches,
    esco_pairs,
    fold_of,
    melo_synonym_pairs,
    training_pairs,
    weighted_sample,
    without_folds,
)
from matcher.training.linear import Adapter, LinearConfig, train_adapter
from matcher.training.trainer import TrainConfig, config_named, encode_with, fine_tune

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_a_query_text_lands_in_one_fold_whatever_benchmark_or_spelling_it_comes_from() -> None:
    # The challenge benchmarks share their descriptions and MELO titles repeat between the
    # Dutch and Belgian sets: the fold depends on the (normalised) text only.
    assert fold_of("Slager", 5) == fold_of("  slager ", 5) == fold_of("SLAGER", 5)
    texts = [f"functie nummer {n}" for n in range(600)]
    folds = [fold_of(text, 3) for text in texts]
    assert set(folds) == {0, 1, 2}
    assert min(folds.count(k) for k in range(3)) > 150  # roughly balanced


def test_folds_are_at_least_two() -> None:
    with pytest.raises(MatcherError, match="at least 2"):
        fold_of("kapper", 1)


def test_without_folds_drops_the_held_back_queries_and_their_judgements() -> None:
    queries = {f"Q{n}": f"beroep {n}" for n in range(40)}
    qrels = {q: {"C1_nl_000": 1} for q in queries}
    bench = Benchmark("melo-nld", {"C1_nl_000": "kapper"}, queries, qrels)
    kept = without_folds(bench, 3, {1})
    assert kept.queries and set(kept.qrels) == set(kept.queries)
    assert all(fold_of(text, 3) != 1 for text in kept.queries.values())
    assert len(kept.queries) < len(queries)


def test_pairs_from_a_query_held_back_never_reach_training() -> None:
    queries = {f"Q{n}": f"beroep {n}" for n in range(30)}
    corpus = {"C1_nl_000": "kapper", "C1_nl_001": "haarstylist", "C2_nl_000": "bakker"}
    qrels = {q: {"C1_nl_000": 1} for q in queries}
    bench = Benchmark("melo-nld", corpus, queries, qrels)
    held = {text for text in queries.values() if fold_of(text, 3) == 0}
    pairs = training_pairs(
        {"melo-nld": without_folds(bench, 3, {0})}, [], seed=1, judged_per_query={"melo-nld": 2}
    )
    anchors = {pair.anchor for pair in pairs}
    assert held and not anchors & held
    assert {"kapper", "haarstylist"} <= anchors  # corpus synonyms are not held back


def test_esco_pairs_put_each_dutch_label_against_english_text() -> None:
    skills = [
        {
            "uri": "u1",
            "label_nl": "lassen",
            "label_en": "welding",
            "alt_labels_en": ["weld", "welding"],
            "description_en": "Join metal parts.",
        },
        {"uri": "u2", "label_nl": "", "label_en": "skip me", "alt_labels_en": []},
    ]
    pairs = esco_pairs(skills)
    assert {(p.positive, p.source) for p in pairs} == {
        ("welding", "esco-nl-en"),
        ("weld", "esco-nl-alt"),
        ("Join metal parts.", "esco-nl-description"),
    }
    assert all(p.anchor == "lassen" and p.group == "u1" for p in pairs)


def test_melo_synonyms_pair_names_of_one_occupation_only() -> None:
    corpus = {"C1_nl_000": "kapper", "C1_nl_001": "kapster", "C2_nl_000": "bakker"}
    pairs = melo_synonym_pairs(corpus, random.Random(0))
    assert {(p.anchor, p.positive) for p in pairs} == {("kapper", "kapster"), ("kapster", "kapper")}


def test_a_batch_never_holds_two_pairs_of_one_group() -> None:
    pairs = [Pair(f"a{n}", f"p{n}", f"g{n % 7}", "test") for n in range(70)]
    seen = []
    for batch in batches(pairs, 16, random.Random(3)):
        groups = [pair.group for pair in batch]
        assert len(groups) == len(set(groups))
        seen += batch
    assert sorted(seen, key=lambda p: p.anchor) == sorted(pairs, key=lambda p: p.anchor)


def test_config_names_are_checked() -> None:
    assert config_named("tiny").name == "tiny"
    assert config_named("linear").fine_tune_pairs == 0
    assert config_named("challenge").max_length == 256
    with pytest.raises(MatcherError, match="full, challenge, linear, tiny"):
        config_named("huge")


_SOURCES = {"melo-synonyms": 300, "esco-nl-en": 100, "esco-challenge-profile": 20}
_SOURCES["esco-challenge-skill"] = 80


def _sourced_pairs() -> list[Pair]:
    return [
        Pair(f"{source} {n}", f"positive {n}", f"{source} {n}", source)
        for source, count in _SOURCES.items()
        for n in range(count)
    ]


def test_the_weighted_sample_fills_its_shares_capped_at_what_a_source_holds() -> None:
    pairs = _sourced_pairs()
    shares = (("esco-challenge-profile", 0.3), ("esco-challenge-skill", 0.25))
    sample = weighted_sample(pairs, 200, shares, seed=4)
    counts = {source: sum(p.source == source for p in sample) for source in _SOURCES}
    assert len(sample) == 200 and len(set(sample)) == 200
    assert counts["esco-challenge-profile"] == 20  # wanted 60, holds 20
    assert counts["esco-challenge-skill"] == 50
    assert counts["melo-synonyms"] + counts["esco-nl-en"] == 130
    assert weighted_sample(pairs, 200, shares, seed=4) == sample
    assert weighted_sample(pairs, 200, shares, seed=5) != sample


def test_without_shares_the_sample_is_the_plain_seeded_one_the_full_recipe_always_drew() -> None:
    pairs = _sourced_pairs()
    assert weighted_sample(pairs, 64, (), seed=2) == random.Random(2).sample(pairs, 64)
    with pytest.raises(MatcherError, match="more than 1"):
        weighted_sample(pairs, 64, (("melo-synonyms", 0.7), ("esco-nl-en", 0.4)), seed=2)


def _toy_problem(seed: int = 0) -> tuple[list[Pair], dict[str, np.ndarray]]:
    """Anchor and positive share 4 signal dimensions and differ in 12 louder noisy ones: a map
    that learns to ignore the noise finds the positive, the identity mostly does not."""
    rng = np.random.default_rng(seed)
    vectors, pairs = {}, []
    for n in range(120):
        signal = rng.normal(size=4)
        for text in (f"a{n}", f"p{n}"):
            row = np.concatenate([signal + 0.1 * rng.normal(size=4), 1.5 * rng.normal(size=12)])
            vectors[text] = (row / np.linalg.norm(row)).astype(np.float32)
        pairs.append(Pair(f"a{n}", f"p{n}", f"g{n}", "toy"))
    return pairs, vectors


def _linear_top1(adapter: Adapter, pairs: list[Pair], vectors: dict[str, np.ndarray]) -> float:
    anchors = adapter.apply(np.stack([vectors[p.anchor] for p in pairs]))
    positives = adapter.apply(np.stack([vectors[p.positive] for p in pairs]))
    return float(np.mean((anchors @ positives.T).argmax(axis=1) == np.arange(len(pairs))))


def test_the_linear_warm_start_learns_to_find_the_positive_and_is_seeded() -> None:
    pairs, vectors = _toy_problem()
    config = LinearConfig(epochs=30, batch_size=32, identity_penalty=0.0, learning_rate=1e-2)
    adapter, stats = train_adapter(pairs, vectors, config, seed=7)
    before = _linear_top1(Adapter.identity(16), pairs, vectors)
    assert _linear_top1(adapter, pairs, vectors) > before + 0.3
    assert stats["loss_per_epoch"][-1] < stats["loss_per_epoch"][0]
    again, _ = train_adapter(pairs, vectors, config, seed=7)
    np.testing.assert_array_equal(adapter.weight, again.weight)


def test_the_linear_map_refuses_a_text_without_a_vector() -> None:
    pairs, vectors = _toy_problem()
    del vectors["p3"]
    with pytest.raises(MatcherError, match="no base vector"):
        train_adapter(pairs, vectors, LinearConfig(epochs=1), seed=0)


#: Dutch words the English base model cannot tell apart by meaning, each paired with an
#: arbitrary code name: only training can teach which code belongs to which word.
TOY_WORDS = (
    "lassen boren zagen schuren verven metselen tegelen stukadoren timmeren loodgieten "
    "bakken koken brouwen slachten oogsten melken snoeien zaaien ploegen maaien"
).split()


def _toy_pairs() -> list[Pair]:
    return [
        Pair(word, f"code {n * 7 % 23} {n * 11 % 17}", word, "toy")
        for n, word in enumerate(TOY_WORDS)
    ]


def _top1(model, pairs: list[Pair]) -> float:
    anchors = encode_with(model, [p.anchor for p in pairs], bf16=False)
    positives = encode_with(model, [p.positive for p in pairs], bf16=False)
    return float(np.mean((anchors @ positives.T).argmax(axis=1) == np.arange(len(pairs))))


@pytest.mark.slow
def test_fine_tuning_learns_to_find_the_positive_and_is_seeded() -> None:
    from sentence_transformers import SentenceTransformer

    pairs, base = _toy_pairs(), resolve_model_path(BASE_MODEL)
    config = TrainConfig(epochs=12, batch_size=10, learning_rate=2e-4, max_length=16, bf16=False)
    model, stats = fine_tune(pairs, base, config, seed=7)
    before = _top1(SentenceTransformer(base, device="cpu"), pairs)
    assert _top1(model, pairs) > before + 0.3, (before, stats)
    assert stats["loss_per_epoch"][-1] < stats["loss_per_epoch"][0]
    assert stats["steps"] == 24 and stats["pairs"] == len(pairs)
    again, _ = fine_tune(pairs, base, config, seed=7)
    for (name, weight), other in zip(model.named_parameters(), again.parameters(), strict=True):
        assert torch_equal(weight, other), name
    assert model.max_seq_length == SentenceTransformer(base, device="cpu").max_seq_length


def torch_equal(a, b) -> bool:
    import torch

    return bool(torch.equal(a, b))


def test_training_refuses_fewer_than_two_pairs() -> None:
    with pytest.raises(MatcherError, match="at least 2 pairs"):
        fine_tune(_toy_pairs()[:1], "unused", TrainConfig(), seed=0)


def test_each_fold_encodes_every_document_and_only_its_own_queries(tmp_path: Path) -> None:
    queries = {f"Q{n}": f"beroep {n}" for n in range(30)}
    corpus = {"C1_nl_000": "kapper", "C2_nl_000": "bakker"}
    bench = Benchmark("melo-nld", corpus, queries, {})
    encoded: list[str] = []

    def encode(texts: list[str]) -> np.ndarray:
        encoded.extend(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    vectors = encode_fold({"melo-nld": bench, "melo-bel": bench}, 1, 3, encode)
    own = fold_query_ids(bench, 1, 3)
    assert own and len(own) < len(queries)
    assert sorted(encoded) == sorted({"kapper", "bakker", *(queries[q] for q in own)})
    assert vectors.documents["melo-bel"][:, 0].tolist() == [6.0, 6.0]
    assert vectors.queries["melo-nld"][:, 0].tolist() == [len(queries[q]) for q in own]
    vectors.save(tmp_path / "fold-1.npz")
    back = FoldVectors.load(tmp_path / "fold-1.npz")
    np.testing.assert_array_equal(back.queries["melo-nld"], vectors.queries["melo-nld"])
    with pytest.raises(MatcherError, match="lcmatch train encoder"):
        FoldVectors.load(tmp_path / "fold-2.npz")


@pytest.mark.slow
def test_train_encoder_and_fusion_run_end_to_end_on_the_tiny_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sentence_transformers import SentenceTransformer

    from service.cli.main import app

    monkeypatch.setenv("LCMATCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    bench = FIXTURES / "train-bench"
    model, cv = tmp_path / "model", tmp_path / "cv"
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            *"train encoder --config tiny --seed 3 --folds 2".split(),
            "--bench-dir",
            str(bench),
            "--out",
            str(model),
            "--cv-dir",
            str(cv),
        ],
    )
    assert result.exit_code == 0, result.output
    training = json.loads((model / "training.json").read_text())
    assert sum(training["pairs_by_source"].values()) == 48 and training["seed"] == 3
    assert training["training"]["pairs"] == 32  # the tiny config's fine-tuning sample
    assert [fold["pairs"] for fold in training["fold_training"]] == [16, 16]
    assert training["training"]["linear"]["pairs"] == 48  # the map learns on all of them
    assert set(training["cross_validated"]) == {"melo-nld"}
    assert "## Figures (2-fold" in (model / "README.md").read_text()
    loaded = SentenceTransformer(str(model), device="cpu")
    assert str(next(loaded.parameters()).dtype) == "torch.float32"
    vectors = loaded.encode(["kapper", "bakker"], normalize_embeddings=False)
    assert vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    with open(model / "model.safetensors", "rb") as weights:
        header = weights.read(4000)
    assert b"F16" in header and b"F32" not in header
    base = Path(resolve_model_path(BASE_MODEL))
    for name in ("tokenizer.json", "tokenizer_config.json", "sentence_bert_config.json"):
        if (base / name).is_file():  # training (at 32 tokens) must not change how text is cut
            assert (model / name).read_bytes() == (base / name).read_bytes(), name

    fusion, figures = tmp_path / "fusion.json", tmp_path / "figures.json"
    result = runner.invoke(
        app,
        [
            "train",
            "fusion",
            "--bench-dir",
            str(bench),
            "--cv-dir",
            str(cv),
            "--out",
            str(fusion),
            "--figures",
            str(figures),
            "--model",
            str(model),
        ],
    )
    assert result.exit_code == 0, result.output
    weights = json.loads(fusion.read_text())["weights"]
    assert set(weights) == {"dense", "lexical", "skill"} and sum(weights.values()) > 0
    table = json.loads(figures.read_text())["table"]["melo-nld"]
    assert set(table) == {
        "base dense",
        "adapted dense (CV)",
        "lexical",
        "hybrid before",
        "hybrid after (CV)",
    }
    assert all(0 <= row["mrr"] <= 1 for row in table.values())


def test_train_fusion_without_fold_models_says_what_to_run(tmp_path: Path) -> None:
    from service.cli.main import app

    result = CliRunner().invoke(
        app,
        [
            "train",
            "fusion",
            "--bench-dir",
            str(FIXTURES / "train-bench"),
            "--cv-dir",
            str(tmp_path),
            "--out",
            str(tmp_path / "f.json"),
        ],
    )
    assert result.exit_code == 2
    assert "lcmatch train encoder" in result.output


@pytest.mark.slow
def test_folds_only_writes_the_fold_vectors_and_no_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.cli.main import app

    monkeypatch.setenv("LCMATCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model, cv = tmp_path / "model", tmp_path / "cv"
    result = CliRunner().invoke(
        app,
        [
            *"train encoder --config tiny --seed 3 --folds 2 --folds-only".split(),
            *("--bench-dir", str(FIXTURES / "train-bench"), "--out", str(model)),
            *("--cv-dir", str(cv)),
        ],
    )
    assert result.exit_code == 0, result.output
    assert not model.exists()
    training = json.loads((cv / "training.json").read_text())
    assert training["training"] is None and len(training["fold_training"]) == 2
    assert set(training["cross_validated"]) == {"melo-nld"}
    assert FoldVectors.load(cv / "fold-1.npz").documents["melo-nld"].shape[1] == 384

    # Then the shipped model alone (the other half of the recipe): it writes the model and
    # leaves the fold run's record as it was, in a folder that exists or not.
    for cv_dir in (cv, tmp_path / "no-cv"):
        result = CliRunner().invoke(
            app,
            [
                *"train encoder --config tiny --seed 3 --folds 0".split(),
                *("--bench-dir", str(FIXTURES / "train-bench"), "--out", str(model)),
                *("--cv-dir", str(cv_dir)),
            ],
        )
        assert result.exit_code == 0, result.output
        assert json.loads((model / "training.json").read_text())["fold_training"] == []
    assert json.loads((cv / "folds.json").read_text()) == {"folds": 2, "seed": 3}
    assert not (tmp_path / "no-cv").exists()


def test_folds_only_needs_folds(tmp_path: Path) -> None:
    from service.cli.main import app

    result = CliRunner().invoke(
        app, ["train", "encoder", "--folds", "0", "--folds-only", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "--folds-only needs --folds 2 or more" in result.output


def test_train_encoder_refuses_one_fold(tmp_path: Path) -> None:
    from service.cli.main import app

    result = CliRunner().invoke(app, ["train", "encoder", "--folds", "1", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--folds" in result.output


def test_the_learning_rate_warms_up_then_falls_to_zero() -> None:
    from matcher.training.trainer import _warmup_then_linear

    factor = _warmup_then_linear(warmup=4, total=20)
    assert [factor(step) for step in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert factor(12) == 0.5 and factor(20) == 0.0
    assert all(factor(s) >= factor(s + 1) for s in range(4, 20))


@pytest.mark.slow
def test_the_linear_config_ships_the_base_model_plus_the_map_untuned() -> None:
    from matcher.encoders import HashingEncoder
    from matcher.training.pipeline import _train_one

    pairs = _toy_pairs()
    config = config_named("linear")
    encoder = HashingEncoder(dimension=384)
    model, stats = _train_one(
        pairs, 0, encoder, resolve_model_path(BASE_MODEL), config, 5, lambda message: None
    )
    assert stats["steps"] == 0 and stats["linear"]["pairs"] == len(pairs)
    vectors = {t: v for t, v in zip(*_texts_and_vectors(encoder, pairs), strict=True)}
    adapter, _ = train_adapter(pairs, vectors, config.linear, seed=5)
    dense = list(model)[-2]  # base modules, then the map, then normalisation
    np.testing.assert_allclose(dense.linear.weight.detach().numpy(), adapter.weight, atol=1e-6)


def _texts_and_vectors(encoder, pairs: list[Pair]) -> tuple[list[str], np.ndarray]:
    texts = sorted({text for pair in pairs for text in (pair.anchor, pair.positive)})
    return texts, encoder.encode(texts)


def test_zero_shot_folds_give_every_fold_the_models_own_vectors(tmp_path: Path) -> None:
    from matcher.encoders import HashingEncoder
    from matcher.training.data import load_benchmarks
    from matcher.training.pipeline import zero_shot_folds

    encoder = HashingEncoder()
    zero_shot_folds(
        bench_root=FIXTURES / "train-bench", cv_dir=tmp_path, encoder=encoder, folds=2, log=print
    )
    assert json.loads((tmp_path / "folds.json").read_text())["folds"] == 2
    bench = load_benchmarks(FIXTURES / "train-bench", ["melo-nld"])["melo-nld"]
    for fold in range(2):
        vectors = FoldVectors.load(tmp_path / f"fold-{fold}.npz")
        own = [bench.queries[q] for q in fold_query_ids(bench, fold, 2)]
        np.testing.assert_array_equal(vectors.queries["melo-nld"], encoder.encode(own))
        np.testing.assert_array_equal(
            vectors.documents["melo-nld"], encoder.encode(list(bench.corpus.values()))
        )
    with pytest.raises(MatcherError, match="at least 2 folds"):
        zero_shot_folds(
            bench_root=FIXTURES / "train-bench", cv_dir=tmp_path, encoder=encoder, folds=1
        )


def test_a_model_with_a_query_prompt_encodes_each_folds_queries_apart() -> None:
    queries = {f"Q{n}": f"beroep {n}" for n in range(30)} | {"Qk": "kapper"}
    corpus = {"C1_nl_000": "kapper", "C2_nl_000": "bakker"}
    bench = Benchmark("melo-nld", corpus, queries, {})
    documents: list[str] = []
    asked: list[str] = []

    def as_documents(texts: list[str]) -> np.ndarray:
        documents.extend(texts)
        return np.array([[len(t), 0.0] for t in texts], dtype=np.float32)

    def as_queries(texts: list[str]) -> np.ndarray:
        asked.extend(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    fold = fold_query_ids(bench, 0, 3)
    vectors = encode_fold({"melo-nld": bench}, 0, 3, as_documents, as_queries)
    assert sorted(documents) == ["bakker", "kapper"]
    assert sorted(asked) == sorted(queries[q] for q in fold)
    assert vectors.queries["melo-nld"][:, 1].tolist() == [1.0] * len(fold)
    assert vectors.documents["melo-nld"][:, 1].tolist() == [0.0, 0.0]
