"""Hard negatives for the challenge judgements, mined with the lexical ranker.

In-batch negatives are random documents, mostly easy: a challenge description shares few words
with a random profile. The documents that char n-gram TF-IDF ranks high for a query but that are
not judged relevant to it are the confusions the hybrid ranking actually makes; one of them per
pair, as a third text, teaches the encoder to push exactly those away.

Mining sees only the benchmarks it is given: pass the fold's training side (`without_folds`),
so a held-back query and its judgements never decide a negative.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from matcher.errors import MatcherError
from matcher.evaluation import Benchmark
from matcher.training.data import CHALLENGE, Pair


def lexical_scores(benchmark: Benchmark, queries: Sequence[str]) -> np.ndarray:
    """Char TF-IDF similarity of each query text to every document (in corpus order)."""
    from matcher.ranker import HybridRanker, Weights

    ranker = HybridRanker(encoder=None, weights=Weights(dense=0.0, lexical=1.0, skill=0.0))
    ranker.fit(list(benchmark.corpus), list(benchmark.corpus.values()))
    return ranker.component_scores(list(queries))["lexical"]


def relevant_by_text(benchmark: Benchmark) -> dict[str, set[str]]:
    """The documents judged relevant (any grade above 0) to each query text."""
    relevant: dict[str, set[str]] = defaultdict(set)
    for query_id, text in benchmark.queries.items():
        judged = benchmark.qrels.get(query_id, {})
        relevant[text] |= {doc for doc, grade in judged.items() if grade > 0}
    return relevant


def with_hard_negatives(
    pairs: Sequence[Pair],
    benchmarks: Mapping[str, Benchmark],
    *,
    depth: int,
    seed: int,
    sources: Sequence[str] = CHALLENGE,
) -> list[Pair]:
    """The pairs, each one from a `sources` benchmark given a negative: a document drawn
    (seeded) from the `depth` best lexical matches of its anchor that are judged irrelevant
    to it and differ from its positive. Other pairs are returned unchanged, in order."""
    if depth < 1:
        raise MatcherError(f"hard_negative_depth must be at least 1, not {depth}")
    rng = random.Random(seed)
    negatives: dict[tuple[str, str], list[str]] = {}
    for name in sources:
        if name not in benchmarks:
            continue
        benchmark = benchmarks[name]
        anchors = sorted({p.anchor for p in pairs if p.source == name})
        if not anchors:
            continue
        relevant = relevant_by_text(benchmark)
        unknown = next((a for a in anchors if a not in relevant), None)
        if unknown is not None:
            raise MatcherError(f"{name}: the anchor {unknown[:60]!r} is not one of its queries")
        doc_ids = list(benchmark.corpus)
        scores = lexical_scores(benchmark, anchors)
        for row, anchor in enumerate(anchors):
            ranked = np.argsort(-scores[row], kind="stable")
            candidates = []
            for column in ranked:
                doc = doc_ids[column]
                if doc not in relevant[anchor]:
                    candidates.append(benchmark.corpus[doc])
                if len(candidates) == depth:
                    break
            negatives[(name, anchor)] = candidates
    mined = []
    for pair in pairs:
        candidates = [
            text for text in negatives.get((pair.source, pair.anchor), []) if text != pair.positive
        ]
        mined.append(replace(pair, negative=rng.choice(candidates)) if candidates else pair)
    return mined
