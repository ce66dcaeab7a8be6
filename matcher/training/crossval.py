"""Honest figures: every dev query is scored by a model (and fusion) fitted without it.

Fold k's model is trained on pairs that exclude fold k's queries and their judgements
(folds by query text, see `data.fold_of`); right after training it encodes every benchmark
document and fold k's queries (`FoldVectors`), and those dense scores are used for fold k's
queries only. The fusion weights for fold k are fitted on the other folds' queries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matcher.encoders import TextEncoder
from matcher.errors import MatcherError
from matcher.evaluation import Benchmark, score_run
from matcher.fusion import HAND_SET, Pool, build_pool, fit_weights, standardise
from matcher.ranker import HybridRanker
from matcher.results import Components, Match
from matcher.training.data import BENCHMARKS, fold_of
from matcher.weights import Weights

DEPTH = 100


@dataclass
class FoldVectors:
    """One fold model's vectors, per benchmark: every document (in corpus order) and the
    queries of its fold (in query order), as `lcmatch eval` would encode them."""

    documents: dict[str, np.ndarray]
    queries: dict[str, np.ndarray]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {f"documents/{n}": v for n, v in self.documents.items()}
        arrays |= {f"queries/{n}": v for n, v in self.queries.items()}
        np.savez(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> FoldVectors:
        if not path.is_file():
            raise MatcherError(f"{path} not found: run `lcmatch train encoder --folds K` first")
        documents, queries = {}, {}
        with np.load(path) as stored:
            for key in stored.files:
                kind, name = key.split("/", 1)
                (documents if kind == "documents" else queries)[name] = stored[key]
        return cls(documents, queries)


def fold_query_ids(benchmark: Benchmark, fold: int, folds: int) -> list[str]:
    """The ids of the benchmark's queries in one fold, in query order."""
    return [q for q, text in benchmark.queries.items() if fold_of(text, folds) == fold]


def encode_fold(
    benchmarks: Mapping[str, Benchmark],
    fold: int,
    folds: int,
    encode: Callable[[list[str]], np.ndarray],
    encode_queries: Callable[[list[str]], np.ndarray] | None = None,
) -> FoldVectors:
    """A fold model's vectors of every document and of its fold's queries.

    Documents shared by benchmarks (the MELO sets share one corpus) are encoded once, and so is
    a query that is also a document, unless queries have an encoder of their own
    (`encode_queries`, for a model that puts "query: " before them)."""
    corpus = {text for b in benchmarks.values() for text in b.corpus.values()}
    asked = {b.queries[q] for b in benchmarks.values() for q in fold_query_ids(b, fold, folds)}
    if encode_queries is None:
        ordered = sorted(corpus | asked)
        vectors = encode(ordered)
        doc_row = query_row = {text: n for n, text in enumerate(ordered)}
        doc_vectors = query_vectors = vectors
    else:
        doc_texts, query_texts = sorted(corpus), sorted(asked)
        doc_vectors, query_vectors = encode(doc_texts), encode_queries(query_texts)
        doc_row = {text: n for n, text in enumerate(doc_texts)}
        query_row = {text: n for n, text in enumerate(query_texts)}
    documents, queries = {}, {}
    for name, b in benchmarks.items():
        documents[name] = doc_vectors[[doc_row[b.corpus[d]] for d in b.corpus]]
        ids = fold_query_ids(b, fold, folds)
        rows = [query_row[b.queries[q]] for q in ids]
        queries[name] = query_vectors[rows].reshape(len(ids), -1)
    return FoldVectors(documents, queries)


@dataclass
class BenchScores:
    """One benchmark's raw component scores (queries x documents) and each query's fold."""

    benchmark: Benchmark
    query_ids: list[str]
    doc_ids: list[str]
    folds: np.ndarray
    query_vectors: np.ndarray
    doc_vectors: np.ndarray
    lexical: np.ndarray | None
    skill: np.ndarray | None

    def dense_base(self) -> np.ndarray:
        return self.query_vectors @ self.doc_vectors.T

    def dense_adapted(self, fold_vectors: Sequence[FoldVectors]) -> np.ndarray:
        """Each query scored by the model of its own fold."""
        name = self.benchmark.name
        scores = np.zeros((len(self.query_ids), len(self.doc_ids)), dtype=np.float32)
        for fold, vectors in enumerate(fold_vectors):
            rows = np.flatnonzero(self.folds == fold)
            if len(rows) != len(vectors.queries[name]):
                raise MatcherError(f"fold {fold} vectors do not match the {name} queries")
            if len(rows):
                scores[rows] = vectors.queries[name] @ vectors.documents[name].T
        return scores


def bench_scores(
    benchmark: Benchmark,
    encoder: TextEncoder,
    folds: int,
    *,
    sparse: bool = True,
    log: Callable[[str], None] = lambda message: None,
) -> BenchScores:
    """Base vectors (through the encoder's cache) and, if `sparse`, the lexical and skill
    scores (the costly part on 24k MELO names)."""
    query_ids = list(benchmark.queries)
    doc_ids = list(benchmark.corpus)
    queries = [benchmark.queries[q] for q in query_ids]
    documents = [benchmark.corpus[d] for d in doc_ids]
    log(f"{benchmark.name}: base vectors of {len(documents)} documents, {len(queries)} queries")
    doc_vectors = encoder.encode(documents)
    query_vectors = encoder.encode(queries, kind="query")
    components: dict[str, np.ndarray | None] = {"lexical": None, "skill": None}
    if sparse:
        log(f"{benchmark.name}: lexical and skill scores")
        ranker = HybridRanker(encoder=None, weights=Weights(dense=0.0, lexical=1.0, skill=1.0))
        ranker.fit(doc_ids, documents)
        components = ranker.component_scores(queries)
    return BenchScores(
        benchmark=benchmark,
        query_ids=query_ids,
        doc_ids=doc_ids,
        folds=np.array([fold_of(text, folds) for text in queries]),
        query_vectors=query_vectors,
        doc_vectors=doc_vectors,
        lexical=components["lexical"],
        skill=components["skill"],
    )


def fused(scores: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """The ranker's fusion: weighted sum of per-query z-scores."""
    return sum(weights[name] * standardise(scores[name]) for name in scores if weights[name] > 0)


def run_of(matrix: np.ndarray, scores: BenchScores) -> dict[str, list[Match]]:
    """The top 100 per query as matches (for trec_eval's metrics)."""

    depth = min(DEPTH, matrix.shape[1])
    top = np.argpartition(-matrix, depth - 1, axis=1)[:, :depth]
    run = {}
    empty = Components(0.0, 0.0, 0.0)
    for row, query_id in enumerate(scores.query_ids):
        columns = top[row][np.argsort(-matrix[row, top[row]], kind="stable")]
        run[query_id] = [
            Match(id=scores.doc_ids[c], score=float(matrix[row, c]), components=empty)
            for c in columns
        ]
    return run


def figures(run: Mapping[str, Sequence[Match]], benchmark: Benchmark) -> dict:
    return score_run(run, benchmark.qrels).as_json()


def dense_table(all_scores: Mapping[str, BenchScores], fold_vectors: Sequence[FoldVectors]) -> dict:
    """Base against adapted dense scores (each query by its own fold's model)."""
    table = {}
    for name, s in all_scores.items():
        table[name] = {
            "base dense": figures(run_of(s.dense_base(), s), s.benchmark),
            "adapted dense (CV)": figures(run_of(s.dense_adapted(fold_vectors), s), s.benchmark),
        }
    return table


def cross_validated_table(
    all_scores: Mapping[str, BenchScores],
    fold_vectors: Sequence[FoldVectors],
    *,
    log: Callable[[str], None] = lambda message: None,
) -> tuple[dict, dict[str, float], dict]:
    """The README table, the fusion fitted on every dev query, and per-query detail.

    Columns: base dense, adapted dense (CV), lexical, hybrid before (hand-set weights, base
    dense), hybrid after (weights fitted on the other folds, CV dense)."""
    folds = len(fold_vectors)
    adapted = {name: s.dense_adapted(fold_vectors) for name, s in all_scores.items()}
    pools: dict[str, Pool] = {}
    for name, s in all_scores.items():
        log(f"{name}: candidate pools for the fusion fit")
        components = {"dense": adapted[name], "lexical": s.lexical, "skill": s.skill}
        pools[name] = build_pool(
            components, s.doc_ids, s.query_ids, s.benchmark.qrels, BENCHMARKS[name]
        )
    fold_weights = []
    for fold in range(folds):
        train_rows = {n: np.flatnonzero(s.folds != fold) for n, s in all_scores.items()}
        weights, _ = fit_weights(pools, train_rows)
        log(f"fold {fold}: fusion weights {weights}")
        fold_weights.append(weights)
    final, objective = fit_weights(pools)
    log(f"all dev queries: fusion weights {final} (mean target metric {objective:.4f})")
    table, detail = {}, {}
    for name, s in all_scores.items():
        raw = {"dense": s.dense_base(), "lexical": s.lexical, "skill": s.skill}
        after = np.zeros_like(adapted[name])
        for fold, weights in enumerate(fold_weights):
            rows = np.flatnonzero(s.folds == fold)
            part = {
                "dense": adapted[name][rows],
                "lexical": s.lexical[rows],
                "skill": s.skill[rows],
            }
            after[rows] = fused(part, weights)
        matrices = {
            "base dense": raw["dense"],
            "adapted dense (CV)": adapted[name],
            "lexical": s.lexical,
            "hybrid before": fused(raw, HAND_SET),
            "hybrid after (CV)": after,
        }
        runs = {method: run_of(matrix, s) for method, matrix in matrices.items()}
        table[name] = {method: figures(run, s.benchmark) for method, run in runs.items()}
        log(f"{name}: {table[name]}")
        detail[name] = {
            method: {q: [m.id for m in matches[:5]] for q, matches in runs[method].items()}
            for method in ("adapted dense (CV)", "hybrid after (CV)")
        }
    return table, final, {"fold_weights": fold_weights, "top5": detail}
