"""Ranking benchmarks in the BEIR layout: loading, running a ranker, trec_eval's metrics."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pytrec_eval

from matcher.errors import BenchmarkFormatError
from matcher.ranker import HybridRanker
from matcher.results import Match

#: Run depth: trec_eval's MRR and recall are computed on the top 100 per query.
RUN_DEPTH = 100


@dataclass(frozen=True)
class Benchmark:
    """A corpus, the queries that have judgements in the split, and those judgements."""

    name: str
    corpus: dict[str, str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


@dataclass(frozen=True)
class Scores:
    """Mean metrics over the judged queries."""

    mrr: float
    ndcg_at_10: float
    recall_at_100: float
    queries: int

    def as_json(self) -> dict[str, float | int]:
        """The keys of the `lcmatch eval` contract."""
        return {
            "mrr": round(self.mrr, 4),
            "ndcg@10": round(self.ndcg_at_10, 4),
            "recall@100": round(self.recall_at_100, 4),
            "queries": self.queries,
        }


def _read_jsonl(path: Path) -> dict[str, str]:
    if not path.is_file():
        raise BenchmarkFormatError(f"missing file: {path}")
    records: dict[str, str] = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise BenchmarkFormatError(
                    f"{path}, line {number}: not JSON ({error.msg})"
                ) from None
            if not isinstance(record, dict):
                raise BenchmarkFormatError(f"{path}, line {number}: not a JSON object")
            for key in ("_id", "text"):
                if not isinstance(record.get(key), str):
                    raise BenchmarkFormatError(
                        f"{path}, line {number}: field {key!r} missing or not a string"
                    )
            if not record["text"].strip():
                raise BenchmarkFormatError(f"{path}, line {number}: field 'text' is empty")
            if record["_id"] in records:
                raise BenchmarkFormatError(f"{path}, line {number}: _id {record['_id']!r} repeats")
            records[record["_id"]] = record["text"]
    return records


def _read_qrels(path: Path) -> dict[str, dict[str, int]]:
    if not path.is_file():
        raise BenchmarkFormatError(f"missing file: {path}")
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            fields = line.rstrip("\r\n").split("\t")
            if number == 1 and fields[0] == "query-id":
                continue
            if not line.strip():
                continue
            if len(fields) != 3:
                raise BenchmarkFormatError(
                    f"{path}, line {number}: expected 3 tab-separated fields "
                    f"(query-id, corpus-id, score), found {len(fields)}"
                )
            query_id, corpus_id, grade = fields
            try:
                qrels.setdefault(query_id, {})[corpus_id] = int(grade)
            except ValueError:
                raise BenchmarkFormatError(
                    f"{path}, line {number}: field 'score' must be a whole number, not {grade!r}"
                ) from None
    return qrels


def load_benchmark(folder: str | Path, split: str = "dev") -> Benchmark:
    """Read `corpus.jsonl`, `queries.jsonl` and `qrels/SPLIT.tsv`, checking every line."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BenchmarkFormatError(f"benchmark folder not found: {folder}")
    corpus = _read_jsonl(folder / "corpus.jsonl")
    queries = _read_jsonl(folder / "queries.jsonl")
    qrels = _read_qrels(folder / "qrels" / f"{split}.tsv")
    unknown_queries = sorted(set(qrels) - set(queries))
    if unknown_queries:
        raise BenchmarkFormatError(
            f"qrels/{split}.tsv judges {len(unknown_queries)} queries not in queries.jsonl,"
            f" e.g. {unknown_queries[0]!r}"
        )
    unknown_docs = sorted({doc for judged in qrels.values() for doc in judged} - set(corpus))
    if unknown_docs:
        raise BenchmarkFormatError(
            f"qrels/{split}.tsv judges {len(unknown_docs)} documents not in corpus.jsonl,"
            f" e.g. {unknown_docs[0]!r}"
        )
    judged = {query_id: queries[query_id] for query_id in queries if query_id in qrels}
    if not judged:
        raise BenchmarkFormatError(f"qrels/{split}.tsv judges no query")
    return Benchmark(name=folder.name, corpus=corpus, queries=judged, qrels=qrels)


def run_benchmark(
    ranker: HybridRanker, benchmark: Benchmark, *, depth: int = RUN_DEPTH, progress: bool = False
) -> dict[str, list[Match]]:
    """Index the corpus, rank it for every judged query; query id -> top `depth` matches."""
    ranker.fit(list(benchmark.corpus), list(benchmark.corpus.values()), progress=progress)
    query_ids = list(benchmark.queries)
    ranked = ranker.rank(
        [benchmark.queries[q] for q in query_ids], depth, explain=False, progress=progress
    )
    return dict(zip(query_ids, ranked, strict=True))


def score_run(run: Mapping[str, Sequence[Match]], qrels: Mapping[str, Mapping[str, int]]) -> Scores:
    """trec_eval's recip_rank, ndcg_cut.10 (gains 2^grade - 1) and recall.100 (grade >= 1)."""
    # trec_eval takes the grade itself as the gain; the contract's gains are 2^grade - 1,
    # so the grades are mapped before they go in. Grades >= 1 stay >= 1 for recall and MRR.
    gains = {q: {d: 2**g - 1 if g > 0 else 0 for d, g in docs.items()} for q, docs in qrels.items()}
    trec_run = {q: {m.id: m.score for m in matches} for q, matches in run.items() if q in qrels}
    evaluator = pytrec_eval.RelevanceEvaluator(gains, {"recip_rank", "ndcg_cut.10", "recall.100"})
    per_query = evaluator.evaluate(trec_run)
    # A judged query the run has no line for scores 0, as in trec_eval -c.
    count = len(qrels)

    def mean(measure: str) -> float:
        return sum(values[measure] for values in per_query.values()) / count

    return Scores(mean("recip_rank"), mean("ndcg_cut_10"), mean("recall_100"), count)


def write_run(run: Mapping[str, Sequence[Match]], out: TextIO, *, tag: str = "lcmatch") -> None:
    """Write a TREC run file: `query Q0 doc rank score tag`, best first."""
    for query_id, matches in run.items():
        for rank, match in enumerate(matches, start=1):
            out.write(f"{query_id} Q0 {match.id} {rank} {match.score:.6f} {tag}\n")
