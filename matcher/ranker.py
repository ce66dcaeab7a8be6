"""The hybrid ranker: dense, lexical and skill scores, fused, filtered and explained."""

from __future__ import annotations

import copy
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

from matcher.ann import AnnSettings
from matcher.encoders import TextEncoder, check_texts
from matcher.errors import MatcherError
from matcher.fusion import learned_weights
from matcher.index import Attributes, Filters, VectorIndex, top_k
from matcher.lexical import CharTfidfEncoder, QueryTerms, common_words
from matcher.skills import SkillTag, SkillTagger, default_tagger
from matcher.sparse_rows import SparseRows

METHODS = ("dense", "lexical", "hybrid")
COMPONENTS = ("dense", "lexical", "skill")
#: Rows added, changed or removed since the last fit, as a share of the rows fitted on, from
#: which the n-gram and skill weights are learned again (see `HybridRanker.refit`).
REFIT_DRIFT = 0.1
#: Up to this many rows every write learns the statistics again (it costs milliseconds there),
#: so a corpus the size of one community always answers as a fresh fit on its rows would.
REFIT_ALWAYS_UP_TO = 1000
#: Above this many indexed rows a filtered query scores only the rows that pass its filters,
#: and standardises each sparse component with its mean over every row (exact) and its spread
#: over this many rows spread evenly over the index (an estimate); below, every row is scored.
MOMENT_SAMPLE = 2048
#: the fusion fitted by `lcmatch train fusion` (models/fusion.json); hand-set ones if none ships
LEARNED = learned_weights()


@dataclass(frozen=True)
class Weights:
    """How much each component counts in the final score.

    Each component is standardised per query (z-score over all indexed rows) before the
    weighted sum, so the weights compare like with like. The defaults are fitted by
    cross-validation on the dev split of the four shared benchmarks (`lcmatch train fusion`,
    models/fusion.json; see README, "Matching quality").
    """

    dense: float = LEARNED["dense"]
    lexical: float = LEARNED["lexical"]
    skill: float = LEARNED["skill"]

    @classmethod
    def for_method(cls, method: str) -> Weights:
        """The weights of a named method: one component alone, or the default hybrid."""
        if method == "dense":
            return cls(dense=1.0, lexical=0.0, skill=0.0)
        if method == "lexical":
            return cls(dense=0.0, lexical=1.0, skill=0.0)
        if method == "hybrid":
            return cls()
        raise MatcherError(f"method must be one of {', '.join(METHODS)}, not {method!r}")

    def __post_init__(self) -> None:
        for name in ("dense", "lexical", "skill"):
            value = getattr(self, name)
            if not math.isfinite(value):
                raise MatcherError(f"weight {name} must be a finite number, not {value}")
            if value < 0:
                raise MatcherError(f"weight {name} must not be negative")
        if self.dense + self.lexical + self.skill <= 0:
            raise MatcherError("at least one weight must be positive")


@dataclass(frozen=True)
class Components:
    """The raw similarity of each component (cosine, 0 to 1 for lexical and skill)."""

    dense: float
    lexical: float
    skill: float


@dataclass(frozen=True)
class Explanation:
    """Why a result matched: the skills both sides have and the words they share."""

    shared_skills: tuple[SkillTag, ...] = ()
    matching_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """One ranked result."""

    id: str
    score: float
    components: Components
    explanation: Explanation = field(default_factory=Explanation)


def _standardised(scores: np.ndarray, mean: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Per row, z-scores with a given mean and spread (0 where the spread is 0, as below)."""
    mean, spread = mean[:, None], spread[:, None]
    safe = np.where(spread > 1e-9, spread, 1.0)
    return np.where(spread > 1e-9, (scores - mean) / safe, 0.0).astype(np.float32)


def standardise(scores: np.ndarray) -> np.ndarray:
    """Per row: subtract the mean, divide by the standard deviation (a constant row gives 0)."""
    mean = scores.mean(axis=1, keepdims=True)
    spread = scores.std(axis=1, keepdims=True)
    return np.divide(scores - mean, spread, out=np.zeros_like(scores), where=spread > 1e-9)


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
    ) -> None:
        self.encoder = encoder
        self.weights = weights
        self.lexical = lexical
        self.tagger = tagger
        self.batch_size = batch_size
        self.ann = ann
        self.refit_drift = refit_drift

    # -- indexing -----------------------------------------------------------------------

    @property
    def weights_(self) -> Weights:
        return self.weights if self.weights is not None else Weights()

    @property
    def ann_(self) -> AnnSettings:
        """When the index turns approximate and fusion runs over candidates (matcher.ann)."""
        return self.ann if self.ann is not None else AnnSettings()

    def _uses(self, component: str) -> bool:
        return getattr(self.weights_, component) > 0

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
        self.texts_: dict[str, str] = {}
        self.index_: VectorIndex | None = None
        self.lexical_: CharTfidfEncoder | None = None
        self.skill_weighting_: TfidfTransformer | None = None
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
        """Learn the n-gram and skill weights, and the words most texts have, from every
        indexed row, and weight every row with them.

        Called by `fit` and by the write that takes the corpus past `refit_drift`, never by a
        query; about half a minute for 90k profiles, most of it tagging skills.
        """
        texts = [self.texts_[id_] for id_ in self._index().ids]
        self._rows = {}
        self.lexical_ = None
        self.skill_weighting_ = None
        if texts and self._uses("lexical"):
            # A copy: whoever holds the previous statistics can tell they changed.
            self.lexical_ = copy.copy(self.lexical) if self.lexical else CharTfidfEncoder()
            self._rows["lexical"] = SparseRows.of(self.lexical_.fit_transform(texts))
        if texts and self._uses("skill"):
            tagged = self.tagger_.transform(texts)
            self.skill_weighting_ = TfidfTransformer(sublinear_tf=True).fit(tagged)
            self._rows["skill"] = SparseRows.of(self.skill_weighting_.transform(tagged))
        self.common_words_ = common_words(texts)
        self._fitted_rows = len(texts)
        self._changes = 0
        self.version_ += 1

    def _weighted(self, texts: list[str]) -> dict[str, sp.csr_matrix]:
        """The rows of new texts, weighted with the statistics learned last."""
        return {component: self._sparse(component, texts) for component in self._rows}

    def sparse_rows(self, component: str, positions: Sequence[int] | np.ndarray) -> sp.csr_matrix:
        """The weighted rows (lexical or skill) of the indexed rows at these positions."""
        return self._rows[component].take(positions)

    def _sparse(self, component: str, texts: list[str]) -> sp.csr_matrix:
        """Query rows of a sparse component, weighted as the indexed rows are."""
        if component == "lexical":
            assert self.lexical_ is not None
            return self.lexical_.transform(texts)
        assert self.skill_weighting_ is not None
        weighted = self.skill_weighting_.transform(self.tagger_.transform(texts))
        return sp.csr_matrix(weighted, dtype=np.float32)

    # -- querying -----------------------------------------------------------------------

    def component_scores(
        self, queries: Sequence[str], *, query_vectors: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """Raw similarity of each query to every indexed row, per component used."""
        queries = check_texts(queries)
        index = self._index()
        shape = (len(queries), len(index))
        scores = {name: np.zeros(shape, dtype=np.float32) for name in ("dense", "lexical", "skill")}
        if not len(index):
            return scores
        if self._uses("dense"):
            if query_vectors is None:
                query_vectors = self._dense(queries, "query")
            scores["dense"] = index.scores(query_vectors)
        for component in ("lexical", "skill"):
            if self._uses(component):
                product = self._sparse_products(component, self._sparse(component, queries))
                scores[component] = np.asarray(product.todense(), dtype=np.float32)
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

        `query_vectors` (say, a stored embedding of the query's text) skip the encoder.
        """
        if k < 0:
            raise MatcherError(f"k must not be negative, got {k}")
        queries = check_texts(queries)
        self._fitted()
        if not len(self):
            return [[] for _ in queries]
        index = self._index()
        mask = index.mask(filters=filters, allowed=allowed)
        results: list[list[Match]] = []
        batches = range(0, len(queries), self.batch_size)
        if progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="ranking", unit="batch")
        for start in batches:
            batch = queries[start : start + self.batch_size]
            vectors = None if query_vectors is None else query_vectors[start : start + len(batch)]
            if mask is not None and len(index) > MOMENT_SAMPLE:
                passing = np.flatnonzero(mask)
                if passing.shape[0] <= self.ann_.threshold:
                    results += self._rank_pool(batch, k, passing, vectors, explain)
                    continue
            if index.approximate:
                # Past the ANN threshold: fuse over candidates (matcher.candidates builds on
                # this module, hence the late import).
                from matcher.candidates import rank_at_scale

                results += rank_at_scale(
                    self, batch, k, mask=mask, query_vectors=vectors, explain=explain
                )
                continue
            components = self.component_scores(batch, query_vectors=vectors)
            fused = sum(
                getattr(self.weights_, name) * standardise(scores)
                for name, scores in components.items()
                if self._uses(name)
            )
            if mask is not None:
                fused = np.where(mask, fused, -np.inf)
            limit = k if mask is None else min(k, int(mask.sum()))
            ids = index.ids
            for row, query in enumerate(batch):
                columns = top_k(fused[row], limit)
                found = [ids[column] for column in columns]
                results.append(
                    self._matches(query, found, columns, fused[row], components, row, explain)
                )
        return results

    def _matches(
        self,
        query: str,
        found: list[str],
        columns: np.ndarray,
        fused: np.ndarray,
        components: dict[str, np.ndarray],
        row: int,
        explain: bool,
    ) -> list[Match]:
        """The matches of one query: the rows `found` at `columns` of its scores."""
        reasons = self.explain(query, found) if explain else [Explanation()] * len(found)
        return [
            Match(
                id=id_,
                score=float(fused[column]),
                components=Components(
                    **{name: float(components[name][row, column]) for name in COMPONENTS}
                ),
                explanation=reason,
            )
            for id_, column, reason in zip(found, columns, reasons, strict=True)
        ]

    def _rank_pool(
        self,
        queries: list[str],
        k: int,
        positions: np.ndarray,
        query_vectors: np.ndarray | None,
        explain: bool,
    ) -> list[list[Match]]:
        """Each query against the rows that pass its filters, and only those, so that what a
        query costs grows with the rows it may return (a community's students), not with the
        corpus. Each component is standardised as over every row: the dense mean and spread
        and the sparse means are exact, the sparse spreads are estimated (`MOMENT_SAMPLE`)."""
        index = self._index()
        shape = (len(queries), positions.shape[0])
        scores = {name: np.zeros(shape, dtype=np.float32) for name in COMPONENTS}
        moments: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if self._uses("dense"):
            if query_vectors is None:
                query_vectors = self._dense(queries, "query")
            scores["dense"] = index.scores_at(query_vectors, positions)
            moments["dense"] = index.score_moments(query_vectors)
        for component in ("lexical", "skill"):
            if self._uses(component) and component in self._rows:
                rows = self._rows[component]
                sparse_queries = self._sparse(component, queries)
                product = rows.take(positions) @ sparse_queries.T
                scores[component] = np.asarray(product.T.todense(), dtype=np.float32)
                moments[component] = self._sparse_moments(rows, sparse_queries)
        fused = sum(
            getattr(self.weights_, name) * _standardised(scores[name], *moments[name])
            for name in moments
        )
        if not moments:  # nothing to score on (say, lexical only over an empty vocabulary)
            fused = np.zeros(shape, dtype=np.float32)
        results = []
        for row, query in enumerate(queries):
            chosen = top_k(fused[row], k)
            found = [index.id_at(int(positions[at])) for at in chosen]
            results.append(self._matches(query, found, chosen, fused[row], scores, row, explain))
        return results

    @staticmethod
    def _sparse_moments(rows: SparseRows, queries: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """Per query: the mean of its products with every row (exact) and their spread
        (estimated on `MOMENT_SAMPLE` rows at even steps through the index)."""
        mean = rows.mean_products(queries)
        sample = np.linspace(0, len(rows) - 1, min(MOMENT_SAMPLE, len(rows))).astype(np.int64)
        products = (rows.take(sample) @ queries.T).T.toarray().astype(np.float64)
        second = (products**2).mean(axis=1)
        return mean, np.sqrt(np.maximum(second - mean**2, 0.0))

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
        tagger = self.tagger_
        common = self.corpus_common_words()
        query_skills = tagger.tag(query)
        skills = self._row_skills(ids) if query_skills else [set()] * len(ids)
        terms = QueryTerms(query, common=common)
        return [
            Explanation(
                shared_skills=tuple(tag for tag in query_skills if tag.uri in row_skills),
                matching_terms=tuple(terms.found_in(self.texts_[id_])),
            )
            for id_, row_skills in zip(ids, skills, strict=True)
        ]

    def _row_skills(self, ids: Sequence[str]) -> list[set[str]]:
        """The skill URIs of indexed rows: read from their weighted skill rows where the
        ranker keeps them (tagging a text again costs milliseconds), else by tagging."""
        if "skill" not in self._rows:
            return [{tag.uri for tag in self.tagger_.tag(self.texts_[id_])} for id_ in ids]
        index = self._index()
        rows = self._rows["skill"].take([index.position(id_) for id_ in ids])
        uris = self.__dict__.get("_skill_uris")
        if uris is None:
            uris = self._skill_uris = [skill.uri for skill in self.tagger_.skills_]
        return [
            {uris[column] for column in rows.indices[rows.indptr[i] : rows.indptr[i + 1]]}
            for i in range(len(ids))
        ]
