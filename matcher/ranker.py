"""The hybrid ranker: dense, lexical and skill scores, fused, filtered and explained."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import numpy as np
import scipy.sparse as sp

from matcher.ann.settings import AnnSettings
from matcher.candidates import candidate_positions
from matcher.encoders import TextEncoder, check_texts
from matcher.errors import MatcherError
from matcher.index import Attributes, Filters, VectorIndex, top_k
from matcher.lexical import CharTfidfEncoder, QueryTerms, common_words
from matcher.results import COMPONENTS, Components, Explanation, Match
from matcher.scoring import HybridScorer, QuerySide
from matcher.skills import SkillTag, SkillTagger, default_tagger, shared_tags
from matcher.sparse_rows import SparseRows
from matcher.statistics import MOMENT_SAMPLE
from matcher.weights import METHODS, Weights

__all__ = ["METHODS", "Components", "Explanation", "HybridRanker", "Match", "Weights"]

#: Rows added, changed or removed since the last fit, as a share of the rows fitted on, from
#: which the n-gram and skill weights are learned again (see `HybridRanker.refit`).
REFIT_DRIFT = 0.1
#: Up to this many rows every write learns the statistics again (it costs milliseconds there),
#: so a corpus the size of one community always answers as a fresh fit on its rows would.
REFIT_ALWAYS_UP_TO = 1000
#: Above this many indexed rows a filtered query scores only the rows that pass its filters
#: (joining their sparse rows costs more than scoring every row below it).
POOL_FROM = 2048
#: Texts whose skills `explain` keeps (see `HybridRanker.skills_of`).
SKILLS_KEPT = 16384


class HybridRanker:
    """Ranks indexed texts for a query text.

    `fit` indexes a corpus (texts with ids, optionally their stored vectors and filter
    attributes); `add`, `update` and `remove` keep it current one row at a time; `rank` and
    `search` answer queries. Components with weight 0 are not computed.

    The corpus statistics (the n-gram vocabulary and weights, the skill weights, the words
    most texts have) are learned by `fit` and kept while the corpus changes little: a row
    written later is weighted with them, so a write costs one row and a query never learns
    anything. Once the rows added, changed or removed since reach `refit_drift` of the rows
    fitted on, the write that crosses it learns them again from every row (`refit`); up to
    `REFIT_ALWAYS_UP_TO` rows every write does, so a small corpus answers as a fresh fit would.
    `version_` counts the changes, so a caller can tell whether an answer it kept still holds.
    `moment_sample`: rows whose products estimate each sparse component's spread over the
    corpus (`matcher.statistics`); None learns it from every row, exactly.
    """

    def __init__(
        self,
        *,
        encoder: TextEncoder | None,
        weights: Weights | None = None,
        lexical: CharTfidfEncoder | None = None,
        tagger: SkillTagger | None = None,
        batch_size: int = 256,
        ann: AnnSettings | None = None,
        refit_drift: float = REFIT_DRIFT,
        moment_sample: int | None = MOMENT_SAMPLE,
    ) -> None:
        self.encoder = encoder
        self.weights = weights
        self.lexical = lexical
        self.tagger = tagger
        self.batch_size = batch_size
        self.ann = ann
        self.refit_drift = refit_drift
        self.moment_sample = moment_sample

    # -- indexing -----------------------------------------------------------------------

    @property
    def weights_(self) -> Weights:
        """The weights in use: as given, else the shipped fit (`Weights.learned`)."""
        if self.weights is not None:
            return self.weights
        if getattr(self, "_learned_weights", None) is None:
            self._learned_weights = Weights.learned()
        return self._learned_weights

    @property
    def ann_(self) -> AnnSettings:
        """When the index turns approximate and fusion runs over candidates (matcher.ann)."""
        return self.ann if self.ann is not None else AnnSettings()

    def _uses(self, component: str) -> bool:
        return self.weights_.uses(component)

    def fit(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        *,
        vectors: np.ndarray | None = None,
        attributes: Sequence[Attributes] | None = None,
        progress: bool = False,
    ) -> HybridRanker:
        """Index a corpus; `vectors` (stored embeddings) skip the encoder."""
        if self._uses("dense") and self.encoder is None and vectors is None:
            raise MatcherError("the dense component needs an encoder or stored vectors")
        if not (math.isfinite(self.refit_drift) and self.refit_drift >= 0):
            raise MatcherError(f"refit_drift must be a number >= 0, not {self.refit_drift}")
        self.tagger_ = self.tagger if self.tagger is not None else default_tagger()
        self._skills_kept: dict[str, tuple[SkillTag, ...]] = {}
        self.texts_: dict[str, str] = {}
        self.index_: VectorIndex | None = None
        self.scorer_ = HybridScorer(weights=self.weights_, tagger=self.tagger_)
        self.scorer_.fit_transform([], None)
        self.common_words_: frozenset[str] = frozenset()
        self._rows: dict[str, SparseRows] = {}  # component -> weighted rows, in index order
        self._fitted_rows = 0  # rows the statistics were learned from
        self._changes = 0  # rows written since
        self.version_ = 0
        self.add(ids, texts, vectors=vectors, attributes=attributes, progress=progress)
        return self

    def _dense(self, texts: list[str], kind: str, progress: bool = False) -> np.ndarray:
        assert self.encoder is not None
        return self.encoder.encode(texts, kind=kind, progress=progress)

    def _checked_vectors(
        self, texts: list[str], vectors: np.ndarray | None, progress: bool = False
    ) -> np.ndarray:
        if vectors is not None:
            return vectors
        if self._uses("dense"):
            return self._dense(texts, "passage", progress)
        return np.zeros((len(texts), 1), dtype=np.float32)

    def add(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        *,
        vectors: np.ndarray | None = None,
        attributes: Sequence[Attributes] | None = None,
        progress: bool = False,
    ) -> None:
        """Index new rows."""
        texts = check_texts(texts)
        ids = list(ids)
        if len(ids) != len(texts):
            raise MatcherError(f"{len(ids)} ids for {len(texts)} texts")
        if not ids:
            return  # nothing to index; the index is made with the first rows
        vectors = self._checked_vectors(texts, vectors, progress)
        if self.index_ is None:
            self.index_ = VectorIndex(dimension=np.asarray(vectors).shape[1], ann=self.ann_)
        self.index_.add(ids, vectors, attributes)
        self.texts_.update(zip(ids, texts, strict=True))
        if not self._changed(len(ids)):
            for component, rows in self._weighted(texts).items():
                self._rows[component].append(rows)

    def update(
        self,
        ids: Sequence[str],
        texts: Sequence[str] | None = None,
        *,
        vectors: np.ndarray | None = None,
        attributes: Sequence[Attributes] | None = None,
    ) -> None:
        """Replace the text (re-embedded unless `vectors` are given) and/or attributes of rows."""
        ids = list(ids)
        index = self._index(ids)
        if texts is not None:
            texts = check_texts(texts)
            if len(texts) != len(ids):
                raise MatcherError(f"{len(ids)} ids for {len(texts)} texts")
            if vectors is None and self._uses("dense"):
                vectors = self._dense(texts, "passage")
        index.update(ids, vectors, attributes)
        self.version_ += 1  # attributes decide what filters keep
        if texts is not None:
            self.texts_.update(zip(ids, texts, strict=True))
            if not self._changed(len(ids)):
                positions = [index.position(id_) for id_ in ids]
                for component, rows in self._weighted(texts).items():
                    self._rows[component].replace(positions, rows)

    def remove(self, ids: Sequence[str]) -> None:
        """Take rows out of the index (their texts and weighted rows at once)."""
        ids = list(ids)
        index = self._index(ids)
        if len(set(ids)) != len(ids):
            raise MatcherError("ids repeat within one call")
        for id_ in ids:
            # One at a time, as the index moves its last row into the freed place.
            position = index.position(id_)
            index.remove([id_])
            for rows in self._rows.values():
                rows.remove(position)
            self.texts_.pop(id_, None)
        # The corpus statistics may still count a removed text (as document frequencies of
        # n-grams, not as text) until the next refit; a small corpus refits at once.
        self._changed(len(ids))

    def __contains__(self, id_: object) -> bool:
        return getattr(self, "index_", None) is not None and id_ in self.index_

    def __len__(self) -> int:
        index = getattr(self, "index_", None)
        return 0 if index is None else len(index)

    def _fitted(self) -> None:
        if not hasattr(self, "texts_"):
            raise MatcherError("the ranker is not fitted: call fit first")

    def _index(self, ids: Sequence[str] = ()) -> VectorIndex:
        """The index, checking that it holds these ids."""
        self._fitted()
        for id_ in ids:
            if id_ not in self:
                raise MatcherError(f"id {id_!r} is not in the index")
        if self.index_ is None:
            # Nothing indexed yet: an empty index of any width answers every query with nothing.
            return VectorIndex(dimension=1)
        return self.index_

    def _changed(self, rows: int) -> bool:
        """Count rows written; learn the statistics again once they drifted. Returns whether
        it did (then every row is weighted already)."""
        self.version_ += 1
        self._changes += rows
        small = len(self._index()) <= REFIT_ALWAYS_UP_TO
        if small or self._changes > self.refit_drift * self._fitted_rows:
            self.refit()
            return True
        return False

    def refit(self) -> None:
        """Learn the n-gram and skill weights, the corpus statistics that put each component
        on one scale (`matcher.scoring`) and the words most texts have, from every indexed
        row, and weight every row with them.

        Called by `fit` and by the write that takes the corpus past `refit_drift`, never by a
        query; about half a minute for 90k profiles, most of it tagging skills.
        """
        index = self._index()
        texts = [self.texts_[id_] for id_ in index.ids]
        # A new scorer: whoever holds the previous one can tell the statistics changed.
        scorer = HybridScorer(
            weights=self.weights_,
            tagger=self.tagger_,
            lexical=self.lexical,
            sample_size=self.moment_sample,
        )
        weighted = scorer.fit_transform(texts, index.dense_statistics() if texts else None)
        self._rows = {name: SparseRows.of(rows) for name, rows in weighted.items()}
        self.scorer_ = scorer
        self.common_words_ = common_words(texts)
        self._fitted_rows = len(texts)
        self._changes = 0
        self.version_ += 1

    @property
    def lexical_(self) -> CharTfidfEncoder | None:
        """The n-gram weights learned last (None before any row, or when lexical is unused)."""
        return self.scorer_.lexical_

    @property
    def skill_weighting_(self):
        """The skill weights learned last (None before any row, or when skill is unused)."""
        return self.scorer_.skill_weighting_

    def _weighted(self, texts: list[str]) -> dict[str, sp.csr_matrix]:
        """The rows of new texts, weighted with the statistics learned last."""
        return {component: self.scorer_.transform(component, texts) for component in self._rows}

    def sparse_rows(self, component: str, positions: Sequence[int] | np.ndarray) -> sp.csr_matrix:
        """The weighted rows (lexical or skill) of the indexed rows at these positions."""
        return self._rows[component].take(positions)

    # -- querying -----------------------------------------------------------------------

    def _vectors(self, queries: list[str], vectors: np.ndarray | None) -> np.ndarray | None:
        """The queries' dense vectors: as given, else encoded (None when dense is unused)."""
        if not self._uses("dense"):
            return None
        return self._dense(queries, "query") if vectors is None else vectors

    def query_side(
        self, queries: Sequence[str], *, query_vectors: np.ndarray | None = None
    ) -> QuerySide:
        """What scoring needs of these queries (`HybridScorer.query_side`), encoded if need be."""
        queries = check_texts(queries)
        self._fitted()
        return self.scorer_.query_side(queries, self._vectors(queries, query_vectors))

    def component_scores(
        self, queries: Sequence[str], *, query_vectors: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """Raw similarity of each query to every indexed row, per component used."""
        queries = check_texts(queries)
        self._fitted()
        if not len(self):
            empty = np.zeros((len(queries), 0), dtype=np.float32)
            return dict.fromkeys(COMPONENTS, empty)
        return self._all_scores(self.query_side(queries, query_vectors=query_vectors))

    def _all_scores(self, side: QuerySide) -> dict[str, np.ndarray]:
        """Each query's raw scores with every indexed row."""
        index = self._index()
        shape = (len(side), len(index))
        scores = {name: np.zeros(shape, dtype=np.float32) for name in COMPONENTS}
        if side.vectors is not None:
            scores["dense"] = index.scores(side.vectors)
        for name, queries in side.sparse.items():
            product = self._sparse_products(name, queries)
            scores[name] = np.asarray(product.todense(), dtype=np.float32)
        return scores

    def _scores_at(self, side: QuerySide, positions: np.ndarray) -> dict[str, np.ndarray]:
        """Each query's raw scores with the rows at these positions only."""
        index = self._index()
        shape = (len(side), positions.shape[0])
        scores = {name: np.zeros(shape, dtype=np.float32) for name in COMPONENTS}
        if side.vectors is not None:
            scores["dense"] = index.scores_at(side.vectors, positions)
        for name, queries in side.sparse.items():
            product = self._rows[name].take(positions) @ queries.T
            scores[name] = np.asarray(product.T.todense(), dtype=np.float32)
        return scores

    def _sparse_products(self, component: str, sparse_queries: sp.spmatrix) -> sp.spmatrix:
        """Each query's product with every indexed row of a sparse component (queries × rows).

        Computed as rows @ queries.T, not queries @ rows.T: the latter converts the whole
        indexed matrix to another sparse format on every query (most of a query's time at 100k).
        """
        return (self._rows[component].matrix() @ sparse_queries.T).T

    def rank(
        self,
        queries: Sequence[str],
        k: int = 10,
        *,
        filters: Filters | None = None,
        allowed: Collection[str] | None = None,
        explain: bool = True,
        progress: bool = False,
        query_vectors: np.ndarray | None = None,
    ) -> list[list[Match]]:
        """For each query, the k best rows that pass the filters, best first.

        `query_vectors` (say, a stored embedding of the query's text) skip the encoder. Every
        path fuses with the one scorer (`matcher.scoring`), so a row's score does not depend
        on the path, the filters or the other rows considered.
        """
        if k < 0:
            raise MatcherError(f"k must not be negative, got {k}")
        queries = check_texts(queries)
        self._fitted()
        if not len(self):
            return [[] for _ in queries]
        index = self._index()
        mask = index.mask(filters=filters, allowed=allowed)
        passing = None if mask is None else np.flatnonzero(mask)
        results: list[list[Match]] = []
        batches = range(0, len(queries), self.batch_size)
        if progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="ranking", unit="batch")
        for start in batches:
            batch = queries[start : start + self.batch_size]
            vectors = None if query_vectors is None else query_vectors[start : start + len(batch)]
            side = self.scorer_.query_side(batch, self._vectors(batch, vectors))
            pool = passing is not None and len(index) > POOL_FROM
            if pool and passing.shape[0] <= self.ann_.threshold:
                # Only the rows that pass: what a query costs grows with the rows it may
                # return (a community's students), not with the corpus.
                scores = self._scores_at(side, passing)
                fused = self.scorer_.fuse(side, scores)
                for row, query in enumerate(batch):
                    chosen = top_k(fused[row], k)
                    results.append(
                        self._matches(
                            query, passing[chosen], fused[row, chosen], scores, row, chosen, explain
                        )
                    )
            elif index.approximate:
                results += self._rank_candidates(batch, side, k, mask, explain)
            else:
                scores = self._all_scores(side)
                fused = self.scorer_.fuse(side, scores)
                if mask is not None:
                    fused = np.where(mask, fused, -np.inf)
                limit = k if mask is None else min(k, int(mask.sum()))
                for row, query in enumerate(batch):
                    chosen = top_k(fused[row], limit)
                    results.append(
                        self._matches(
                            query, chosen, fused[row, chosen], scores, row, chosen, explain
                        )
                    )
        return results

    def _rank_candidates(
        self, queries: list[str], side: QuerySide, k: int, mask: np.ndarray | None, explain: bool
    ) -> list[list[Match]]:
        """Past the ANN threshold: each query fused over its candidates (`matcher.candidates`)."""
        index = self._index()
        # Each sparse component's score with every row: the products are sparse (rows sharing
        # no n-gram or skill with the query are absent); the best lexical entries are the
        # lexical half of the candidates, and every candidate's scores are read from them.
        full = {
            name: sp.csr_matrix(self._sparse_products(name, queries))
            for name, queries in side.sparse.items()
        }
        results = []
        for row, query in enumerate(queries):
            one = side.row(row)
            positions = candidate_positions(
                index,
                k,
                self.ann_.candidates,
                vector=None if one.vectors is None else one.vectors[0],
                lexical=full["lexical"][row] if "lexical" in full else None,
                mask=mask,
            )
            shape = (1, positions.shape[0])
            scores = {name: np.zeros(shape, dtype=np.float32) for name in COMPONENTS}
            if one.vectors is not None:
                scores["dense"] = index.scores_at(one.vectors, positions)
            for name, products in full.items():
                scores[name] = products[row][:, positions].toarray().astype(np.float32)
            fused = self.scorer_.fuse(one, scores)[0]
            chosen = top_k(fused, min(k, positions.shape[0]))
            results.append(
                self._matches(query, positions[chosen], fused[chosen], scores, 0, chosen, explain)
            )
        return results

    def _matches(
        self,
        query: str,
        positions: np.ndarray,
        fused: np.ndarray,
        scores: dict[str, np.ndarray],
        row: int,
        columns: np.ndarray,
        explain: bool,
    ) -> list[Match]:
        """The matches of one query: the rows at `positions`, with their fused scores and their
        component scores at `columns` of row `row` of `scores`."""
        index = self._index()
        found = [index.id_at(int(position)) for position in positions]
        reasons = self.explain(query, found) if explain else [Explanation()] * len(found)
        return [
            Match(
                id=id_,
                score=float(score),
                components=Components(
                    **{name: float(scores[name][row, column]) for name in COMPONENTS}
                ),
                explanation=reason,
            )
            for id_, score, column, reason in zip(found, fused, columns, reasons, strict=True)
        ]

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        filters: Filters | None = None,
        allowed: Collection[str] | None = None,
        query_vector: np.ndarray | None = None,
    ) -> list[Match]:
        """The k best rows for one query, explained."""
        vectors = None if query_vector is None else np.atleast_2d(query_vector)
        return self.rank([query], k, filters=filters, allowed=allowed, query_vectors=vectors)[0]

    def corpus_common_words(self) -> frozenset[str]:
        """The words most indexed texts have (`matcher.lexical.common_words`): never a reason.
        Learned with the other statistics (`refit`)."""
        self._fitted()
        return self.common_words_

    def explain(self, query: str, ids: Sequence[str]) -> list[Explanation]:
        """For each indexed row: the skills it shares with the query, and the query words it has."""
        common = self.corpus_common_words()
        query_skills = self.skills_of(query)
        skills = self._row_skills(ids) if query_skills else [set()] * len(ids)
        terms = QueryTerms(query, common=common)
        return [
            Explanation(
                shared_skills=shared_tags(query_skills, lambda tag, has=row_skills: tag.uri in has),
                matching_terms=tuple(terms.found_in(self.texts_[id_])),
            )
            for id_, row_skills in zip(ids, skills, strict=True)
        ]

    def skills_of(self, text: str) -> list[SkillTag]:
        """The skills of a text (`SkillTagger.tag`), tagged once and kept (up to
        `SKILLS_KEPT` texts) until `forget_texts`. `explain` tags the query and, when the
        skill component has weight 0 (no weighted skill rows are kept), every row it returns:
        the same challenges and profiles come again and again, and tagging them took a third
        of the service's CPU under a realistic mix. Safe for searches side by side."""
        kept = self.__dict__.setdefault("_skills_kept", {})  # a restored ranker starts here
        found = kept.get(text)
        if found is None:
            found = tuple(self.tagger_.tag(text))
            if len(kept) >= SKILLS_KEPT:
                kept.clear()
            kept[text] = found
        return list(found)

    def forget_texts(self) -> None:
        """Drop every kept text's skills: a text may be personal data (a student's profile)
        that has been erased."""
        self.__dict__.get("_skills_kept", {}).clear()

    def _row_skills(self, ids: Sequence[str]) -> list[set[str]]:
        """The skill URIs of indexed rows: read from their weighted skill rows where the
        ranker keeps them (tagging a text again costs milliseconds), else by tagging (once
        per text: `skills_of`)."""
        if "skill" not in self._rows:
            return [{tag.uri for tag in self.skills_of(self.texts_[id_])} for id_ in ids]
        index = self._index()
        rows = self._rows["skill"].take([index.position(id_) for id_ in ids])
        uris = self.__dict__.get("_skill_uris")
        if uris is None:
            uris = self._skill_uris = [skill.uri for skill in self.tagger_.skills_]
        return [
            {uris[column] for column in rows.indices[rows.indptr[i] : rows.indptr[i + 1]]}
            for i in range(len(ids))
        ]
