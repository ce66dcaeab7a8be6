"""Ranking over the candidates PostgreSQL returns: the hybrid's fusion, on fewer rows.

The database answers the dense half (pgvector, filters in SQL) for every process that serves
it. The lexical and skill halves are scored here with the n-gram and skill weights this
process's `HybridRanker` learned from the corpus, reusing the rows it has already weighted; a
candidate it does not know (written by another process) or knows with an older text is
weighted from the database's copy of its text. The fusion is the ranker's own scorer
(`matcher.scoring`): each component on the corpus's scale, never the candidates', so a row
scores the same here as in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import TypeVar

import numpy as np
import scipy.sparse as sp

from matcher.index import top_k
from matcher.lexical import QueryTerms
from matcher.ranker import HybridRanker
from matcher.results import Components, Explanation, Match
from matcher.skills import SkillTagger, shared_tags
from service.storage.vector_store import Candidate

#: Reads the current text of rows this process has no current copy of: ids -> id -> text.
TextsOf = Callable[[Sequence[str]], Mapping[str, str]]
T = TypeVar("T")
#: Query texts whose side of the ranking `Fresh` keeps (4 entries each).
QUERIES_KEPT = 4 * 1024


class Fresh:
    """Rows weighted from the database's copy of their text (written by another process, or
    changed since the ranker learned its weights), kept by (id, text hash) so that each is
    read and weighted once, not on every query. Valid while the ranker's weights are."""

    def __init__(self) -> None:
        self.scorer: object | None = None
        self.texts: dict[tuple[str, str | None], str] = {}
        self.rows: dict[tuple[str, str, str | None], sp.csr_matrix] = {}
        self.queries: dict[tuple[str, str], object] = {}  # (what, query text) -> its side

    def check(self, ranker: HybridRanker) -> None:
        """Forget everything when the ranker has learned new weights since."""
        # The scorer itself, compared by identity: every refit makes a new one.
        if self.scorer is not ranker.scorer_:
            self.scorer = ranker.scorer_
            self.texts.clear()
            self.rows.clear()
            self.queries.clear()

    def query_side(self, what: str, query: str, compute: Callable[[], T]) -> T:
        """`compute()`, the query's side of the ranking (its weighted n-gram or skill row, its
        skills, its words), kept per query text while the weights hold: it depends on nothing
        else, and computing it took half of a request's CPU (the same challenge is asked
        for again and again while its students are reviewed)."""
        key = (what, query)
        found = self.queries.get(key)
        if found is None:
            # Searches run side by side: another may clear the dict between these lines, so
            # the value returned is the one computed here, not read back.
            found = compute()
            if len(self.queries) >= QUERIES_KEPT:
                self.queries.clear()
            self.queries[key] = found
        return found

    def forget_queries(self) -> None:
        """Drop every kept query side: an erased profile may have been a query (challenges
        for a student), and what was derived from its text must not outlive it."""
        self.queries.clear()

    def forget(self, id_: str) -> None:
        """Drop a row's text and weights (deleted or erased)."""
        self.texts = {key: text for key, text in self.texts.items() if key[0] != id_}
        self.rows = {key: row for key, row in self.rows.items() if key[1] != id_}


def _texts(
    ranker: HybridRanker,
    candidates: Sequence[Candidate],
    hashes: Mapping[str, str],
    texts_of,
    fresh: Fresh,
) -> tuple[list[str], list[bool]]:
    """Each candidate's text, and whether the ranker's weighted row of it is current."""
    current = [
        c.id in ranker and c.text_hash is not None and hashes.get(c.id) == c.text_hash
        for c in candidates
    ]
    missing = [
        c.id
        for c, ok in zip(candidates, current, strict=True)
        if not ok and (c.id, c.text_hash) not in fresh.texts
    ]
    if missing:
        by_id = {c.id: c.text_hash for c in candidates}
        for id_, text in texts_of(missing).items():
            fresh.texts[(id_, by_id[id_])] = text
    texts = [
        ranker.texts_[c.id] if ok else fresh.texts.get((c.id, c.text_hash), "")
        for c, ok in zip(candidates, current, strict=True)
    ]
    return texts, current


def _sparse_rows(
    ranker: HybridRanker,
    component: str,
    candidates: Sequence[Candidate],
    texts: Sequence[str],
    current: Sequence[bool],
    fresh: Fresh,
) -> sp.csr_matrix:
    """The candidates' weighted rows of a sparse component (lexical or skill)."""
    index = ranker.index_
    positions = [
        index.position(c.id) if ok else 0 for c, ok in zip(candidates, current, strict=True)
    ]
    rows = ranker.sparse_rows(component, positions)
    stale = [i for i, ok in enumerate(current) if not ok]
    if stale:
        keys = [(component, candidates[i].id, candidates[i].text_hash) for i in stale]
        new = [i for i, key in zip(stale, keys, strict=True) if key not in fresh.rows]
        if new:
            weighted = ranker.scorer_.transform(component, [texts[i] or " " for i in new])
            for row, i in enumerate(new):
                fresh.rows[(component, candidates[i].id, candidates[i].text_hash)] = weighted[row]
        rows = sp.lil_matrix(rows)
        for i, key in zip(stale, keys, strict=True):
            rows[i] = fresh.rows[key]
        rows = sp.csr_matrix(rows)
    return rows


@lru_cache(maxsize=4)
def _skill_columns(tagger: SkillTagger) -> dict[str, int]:
    return tagger.uri_index()


def _shared_skills(tagger: SkillTagger, query_tags, skill_row: sp.csr_matrix | None, text: str):
    """The query's skills the candidate has too: read from its weighted skill row when there
    is one (tagging a text again costs milliseconds), else by tagging its text."""
    if skill_row is None:
        has = {tag.uri for tag in tagger.tag(text)}
        return shared_tags(query_tags, lambda tag: tag.uri in has)
    columns = _skill_columns(tagger)
    present = set(skill_row.indices.tolist())
    return shared_tags(query_tags, lambda tag: columns[tag.uri] in present)


def rank_candidates(
    ranker: HybridRanker,
    query: str,
    candidates: Sequence[Candidate],
    k: int,
    *,
    hashes: Mapping[str, str],
    texts_of: TextsOf,
    fresh: Fresh,
    query_vector: np.ndarray,
) -> list[Match]:
    """The k best candidates that pass the filters, fused and explained as the ranker does.

    `hashes`: id -> hash of the text the ranker holds for it; `texts_of` reads the texts of
    the rest, `fresh` keeps them; `query_vector`: the vector the candidates were found by.
    Call with the lock that guards the ranker held, for reading at least: searches may share
    `fresh`, which only a writer clears (`Fresh.check` after a write, `Fresh.forget`)."""
    if not candidates or k <= 0:
        return []
    # The weights and corpus statistics are learned from the rows this process indexes; with
    # none (it started on an empty kind that other processes filled since), nothing is on a
    # scale yet: every score is 0 and the database's order stands.
    learned = len(ranker) > 0
    fresh.check(ranker)
    side = fresh.query_side(
        "side", query, lambda: ranker.scorer_.query_side([query], np.atleast_2d(query_vector))
    )
    texts, current = _texts(ranker, candidates, hashes, texts_of, fresh)
    scores = {
        "dense": np.array([c.dense for c in candidates], dtype=np.float32),
        "lexical": np.zeros(len(candidates), dtype=np.float32),
        "skill": np.zeros(len(candidates), dtype=np.float32),
    }
    rows = {}
    for component, weighted in side.sparse.items():
        rows[component] = _sparse_rows(ranker, component, candidates, texts, current, fresh)
        product = rows[component] @ weighted.T
        scores[component] = np.asarray(product.todense(), dtype=np.float32).ravel()
    fused = ranker.scorer_.fuse(side, {name: values[None, :] for name, values in scores.items()})[0]
    passes = np.array([c.passes for c in candidates])
    fused = np.where(passes, fused, -np.inf)
    chosen = top_k(fused, min(k, int(passes.sum())))
    tagger = ranker.tagger_
    query_skills = fresh.query_side("skills", query, lambda: tagger.tag(query))
    # Words most of the corpus has are no reason (as in the ranker's own explanations).
    common = ranker.corpus_common_words() if learned else frozenset()
    # The query's side once, not per candidate (and kept: see `Fresh.query_side`).
    terms = fresh.query_side("terms", query, lambda: QueryTerms(query, common=common))
    matches = []
    for column in chosen:
        text = texts[column]
        skill_row = rows["skill"][column] if "skill" in rows else None
        matches.append(
            Match(
                id=candidates[column].id,
                score=float(fused[column]),
                components=Components(
                    dense=float(scores["dense"][column]),
                    lexical=float(scores["lexical"][column]),
                    skill=float(scores["skill"][column]),
                ),
                explanation=Explanation(
                    shared_skills=_shared_skills(tagger, query_skills, skill_row, text),
                    matching_terms=tuple(terms.found_in(text)),
                ),
            )
        )
    return matches
