"""The hybrid ranker: dense, lexical and skill scores, fused, filtered and explained."""

from __future__ import annotations

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
from matcher.lexical import CharTfidfEncoder, common_words, matching_terms
from matcher.skills import SkillTag, SkillTagger, default_tagger

METHODS = ("dense", "lexical", "hybrid")
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
    ) -> None:
        self.encoder = encoder
        self.weights = weights
        self.lexical = lexical
        self.tagger = tagger
        self.batch_size = batch_size
        self.ann = ann

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
        self.tagger_ = self.tagger if self.tagger is not None else default_tagger()
        self.texts_: dict[str, str] = {}
        self.index_: VectorIndex | None = None
        self.lexical_: CharTfidfEncoder | None = None
        self.skill_weighting_: TfidfTransformer | None = None
        self._sparse_matrices: dict[str, sp.csr_matrix] = {}
        self._stale = True
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
        self._stale = True

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
        if texts is not None:
            self.texts_.update(zip(ids, texts, strict=True))
            self._stale = True

    def remove(self, ids: Sequence[str]) -> None:
        """Take rows out of the index."""
        ids = list(ids)
        self._index(ids).remove(ids)
        for id_ in ids:
            self.texts_.pop(id_, None)
        self._stale = True
        # Nothing learned from a removed text outlives it (it may be personal data, erased on
        # request): the weights are learned again before the next query.
        self._sparse_matrices.clear()
        self.lexical_ = None
        self.skill_weighting_ = None

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

    def _relearn(self) -> None:
        """Learn the n-gram and skill weights from the texts indexed now.

        Done lazily, before the first query after a change, so the ranker always answers as a
        fresh fit on its current rows would (and so as it does after a restart).
        """
        if not self._stale:
            return
        texts = [self.texts_[id_] for id_ in self._index().ids]
        if self._uses("lexical"):
            self.lexical_ = (self.lexical or CharTfidfEncoder()).fit(texts)
            self._sparse_matrices["lexical"] = self.lexical_.transform(texts)
        if self._uses("skill"):
            tagged = self.tagger_.transform(texts)
            self.skill_weighting_ = TfidfTransformer(sublinear_tf=True).fit(tagged)
            weighted = self.skill_weighting_.transform(tagged)
            self._sparse_matrices["skill"] = sp.csr_matrix(weighted, dtype=np.float32)
        self.common_words_: frozenset[str] | None = None  # learned when first explaining
        self._stale = False

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
        self._relearn()
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
        return (self._sparse_matrices[component] @ sparse_queries.T).T

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
        ids = index.ids
        results: list[list[Match]] = []
        batches = range(0, len(queries), self.batch_size)
        if progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="ranking", unit="batch")
        for start in batches:
            batch = queries[start : start + self.batch_size]
            vectors = None if query_vectors is None else query_vectors[start : start + len(batch)]
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
            for row, query in enumerate(batch):
                columns = top_k(fused[row], limit)
                found = [ids[column] for column in columns]
                reasons = self.explain(query, found) if explain else [Explanation()] * len(found)
                results.append(
                    [
                        Match(
                            id=id_,
                            score=float(fused[row, column]),
                            components=Components(
                                dense=float(components["dense"][row, column]),
                                lexical=float(components["lexical"][row, column]),
                                skill=float(components["skill"][row, column]),
                            ),
                            explanation=reason,
                        )
                        for id_, column, reason in zip(found, columns, reasons, strict=True)
                    ]
                )
        return results

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
        Learned lazily, and again after a change, so scoring never pays for it."""
        self._relearn()
        if self.common_words_ is None:
            self.common_words_ = common_words([self.texts_[id_] for id_ in self._index().ids])
        return self.common_words_

    def explain(self, query: str, ids: Sequence[str]) -> list[Explanation]:
        """For each indexed row: the skills it shares with the query, and the query words it has."""
        tagger = self.tagger_
        common = self.corpus_common_words()
        query_skills = tagger.tag(query)
        explanations = []
        for id_ in ids:
            text = self.texts_[id_]
            row_skills = {tag.uri for tag in tagger.tag(text)}
            explanations.append(
                Explanation(
                    shared_skills=tuple(tag for tag in query_skills if tag.uri in row_skills),
                    matching_terms=tuple(matching_terms(query, text, common=common)),
                )
            )
        return explanations
