"""The service's side of matching: text views, stored embeddings, live indexes, suggestions."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np
from sqlmodel import Session, select

from matcher.ann import AnnSettings
from matcher.cache import text_hash
from matcher.encoders import TextEncoder, prefix_of
from matcher.ranker import REFIT_DRIFT, HybridRanker, Match, Weights
from matcher.ranker_state import StateError, load_state, save_state
from service.domain.tables import (
    Challenge,
    ChallengeStatus,
    Membership,
    ResearchGroup,
    StudentProfile,
)
from service.storage.database_ranking import Fresh, rank_candidates
from service.storage.vector_store import Candidate, PgVectorStore
from service.usecases.constraint_notes import Note
from service.usecases.readers_writer import ReadersWriterLock

# Under "lcmatch", the logger `lcmatch serve` shows: start-up reports what it embeds and fits.
log = logging.getLogger("lcmatch.matching")

Kind = Literal["challenge", "student", "research_group"]
T = TypeVar("T")
#: Answers of `Matching.rank` kept for repeated questions (a review page asked again and again).
ANSWERS_KEPT = 1024
Row = Challenge | StudentProfile | ResearchGroup
TABLES: dict[str, type[Row]] = {
    "challenge": Challenge,
    "student": StudentProfile,
    "research_group": ResearchGroup,
}


# -- text views: the one place where an entity becomes text --------------------------------


def _labels(skills: Iterable[dict]) -> str:
    return ", ".join(skill["label"] for skill in skills)


def text_view(kind: Kind, row: Row) -> str:
    """The text a row is matched on. Names and contact details stay out: they match nothing
    and are personal data."""
    if kind == "challenge":
        parts = [f"{row.title}.", row.description]
        if row.wanted_skills:
            parts.append(f"Gevraagde vaardigheden: {_labels(row.wanted_skills)}.")
        # A follow-up is matched on what the team before it left open, too.
        if getattr(row, "handover_open", ""):
            parts.append(f"Open uit de vorige periode: {row.handover_open.strip()}")
    elif kind == "student":
        parts = [f"{row.programme}.", row.about]
        if row.skills:
            parts.append(f"Vaardigheden: {_labels(row.skills)}.")
        if row.interests:
            parts.append(f"Interesses: {', '.join(row.interests)}.")
    else:
        parts = [f"{row.name}.", row.expertise]
    if kind != "student" and row.themes:
        parts.append(f"Thema's: {', '.join(row.themes)}.")
    return " ".join(part.strip() for part in parts if part and part.strip())


def indexable(kind: Kind, row: Row) -> bool:
    """Whether a row may be suggested at all: published challenges, consenting students."""
    if kind == "challenge":
        return row.status == ChallengeStatus.published
    if kind == "student":
        return bool(row.consent_matching)
    return True


def memberships(session: Session, ids: Sequence[str], kind: str) -> dict[str, set[str]]:
    """Member id -> its communities, for many members of one kind in one query."""
    found: dict[str, set[str]] = {id_: set() for id_ in ids}
    if not ids:
        return found
    # Two columns, not whole objects: at start-up these are 100k rows (10 s as objects).
    query = select(Membership.member_id, Membership.community_id).where(Membership.kind == kind)
    if len(found) <= 1000:
        query = query.where(Membership.member_id.in_(list(found)))
    # else all of the kind, kept below: one bound parameter per id would pass PostgreSQL's
    # limit of 65,535 at start-up with 100k students.
    for member_id, community_id in session.exec(query):
        if member_id in found:
            found[member_id].add(community_id)
    return found


def attributes(kind: Kind, row: Row, communities: set[str]) -> dict[str, str | list[str]]:
    """The values hard filters look at."""
    if kind == "challenge":
        return {"community": [row.community_id], "level": row.level, "language": row.language}
    if kind == "student":
        return {"community": sorted(communities), "level": row.level, "language": row.languages}
    return {"community": sorted(communities)}


# -- the live indexes ----------------------------------------------------------------------


@dataclass
class Ranked:
    """A candidate row with its match and constraint notes."""

    row: Row
    match: Match
    notes: list[Note]


class Matching:
    """Keeps one hybrid ranker per kind in step with the database.

    Vectors live in the rows (`embedding`, with the model and the hash of the text they were
    made from; with a model that encodes queries apart, `query_embedding` too): a row whose
    text and model are unchanged is never encoded again, at start-up, on edit or when it is
    the query of a search. FastAPI runs requests on several threads: the rankers share one
    readers-writer lock (searches read side by side, a write waits for them and goes alone),
    and the kept answers a lock of their own.
    """

    def __init__(
        self,
        *,
        encoder: TextEncoder,
        weights: Weights | None = None,
        store: PgVectorStore | None = None,
        ann: AnnSettings | None = None,
        refit_drift: float = REFIT_DRIFT,
        state_dir: Path | None = None,
    ) -> None:
        self.encoder = encoder
        # Where each kind's fitted ranker is kept between runs (None: fitted at every start).
        self.state_dir = state_dir
        self.restored: set[str] = set()  # kinds the last rebuild read from the saved state
        self.weights = weights or Weights.learned()
        self.refit_drift = refit_drift
        self.ann = ann  # when a kind's index turns approximate (None: matcher's default)
        # With a store, dense candidates come from PostgreSQL (see service.storage.vector_store) and
        # the rankers serve the lexical and skill halves: an HNSW graph in memory would go
        # unused, so their indexes stay exact (and are never searched).
        self.store = store
        if store is not None:
            self.ann = replace(ann or AnnSettings(), threshold=2**62)
        self.rankers: dict[str, HybridRanker] = {}
        self.hashes: dict[str, dict[str, str]] = {}  # kind -> id -> text hash the ranker has
        self.fresh: dict[str, Fresh] = {}  # kind -> rows weighted from the database's text
        self.encoded = 0  # texts this process has sent to the encoder
        # Guards `rankers`, `hashes` and `fresh`: read by searches, written by edits.
        self._lock = ReadersWriterLock()
        # A stored (passage) vector can stand in for the query's only when both kinds of text
        # get the same prefix; e5-style models with "query: " need the query encoded, which
        # `embed` does once per text and keeps in the row (`query_embedding`).
        self._symmetric = prefix_of(encoder, "query") == prefix_of(encoder, "passage")
        self._model_version: str | None = None
        self._model_id: str | None = None  # read by every search: see `_stored_query_vector`
        # Answers of `rank` kept while nothing they rest on changed: see `_remember`.
        self._answers: OrderedDict[tuple, list[Match]] = OrderedDict()
        self._answers_lock = threading.Lock()

    @property
    def model_version(self) -> str:
        """Names the model and weights, so a suggestion says what produced its score."""
        if self._model_version is None:  # the model id hashes the weights' files: once
            w = self.weights
            self._model_version = (
                f"{self.encoder.model_id}; "
                f"weights dense={w.dense} lexical={w.lexical} skill={w.skill}"
            )
        return self._model_version

    def embed(self, kind: Kind, rows: Sequence[Row], *, progress: bool = False) -> int:
        """Give every row whose text or model changed a fresh embedding, and, with a model
        that encodes queries apart (e5), a fresh query-side one beside it, so that a search
        for the row encodes nothing at request time (a write encodes twice instead). Returns
        how many rows got a new vector."""
        model_id = self.encoder.model_id
        passages: list[tuple[Row, str, str]] = []  # (row, text hash, text)
        queries: list[tuple[Row, str]] = []
        for row in rows:
            text = text_view(kind, row)
            digest = text_hash(text)
            current = (
                row.embedding is not None
                and row.text_hash == digest
                and row.embedding_model == model_id
            )
            if not current:
                passages.append((row, digest, text))
            if not self._symmetric and (not current or row.query_embedding is None):
                queries.append((row, text))
        if passages:
            texts = [text for _, _, text in passages]
            vectors = self.encoder.encode(texts, kind="passage", progress=progress)
            for (row, digest, _), vector in zip(passages, vectors, strict=True):
                row.embedding = np.asarray(vector, dtype=np.float32)
                row.query_embedding = None  # made from the old text (or unused): never kept
                row.text_hash = digest
                row.embedding_model = model_id
        if queries:
            texts = [text for _, text in queries]
            vectors = self.encoder.encode(texts, kind="query", progress=progress)
            for (row, _), vector in zip(queries, vectors, strict=True):
                row.query_embedding = np.asarray(vector, dtype=np.float32)
        self.encoded += len(passages) + len(queries)
        if kind == "student" and (passages or queries):
            # Personal data: its vectors live in its row only.
            self._uncache([text for _, _, text in passages] + [text for _, text in queries])
        return len({id(row) for row, *_ in passages} | {id(row) for row, _ in queries})

    def _uncache(self, texts: Iterable[str]) -> None:
        """Drop these texts' vectors (as passage and as query) from the embedding cache."""
        store = getattr(self.encoder, "store", None)
        if store is None:
            return
        prefixes = {prefix_of(self.encoder, "passage"), prefix_of(self.encoder, "query")}
        keys = {text_hash(prefix + text) for text in texts for prefix in prefixes}
        store.delete_many(self.encoder.model_id, keys)

    def load_encoder(self) -> None:
        """Load the model's weights if searches will need them: a server calls this in the
        background at start-up, so that no request waits for the load."""
        load = getattr(self.encoder, "load", None)
        if load is not None and self.weights.uses("dense"):
            load()

    def rebuild(self, session: Session, *, progress: bool = False) -> int:
        """Build every index from the stored vectors, encoding only rows without a current one.

        Returns the number of texts encoded (0 when nothing changed since the last run).
        """
        encoded = 0
        rankers: dict[str, HybridRanker] = {}
        hashes: dict[str, dict[str, str]] = {}
        self.restored = set()
        for kind, table in TABLES.items():
            rows, fresh = self._current_rows(session, kind, table, progress)
            encoded += fresh
            live = [row for row in rows if indexable(kind, row)]
            communities = memberships(session, [row.id for row in live], kind)
            ids = [row.id for row in live]
            texts = [text_view(kind, row) for row in live]
            values = [attributes(kind, row, communities[row.id]) for row in live]
            ranker = self._fitted(kind, live, ids, texts, values, progress)
            rankers[kind] = ranker
            hashes[kind] = {row.id: row.text_hash for row in live}
            if self.store is not None and live:
                self.store.ensure_indexes(len(live[0].embedding))
        with self._lock.writing():
            self.rankers = rankers
            self.hashes = hashes
            self.fresh = {kind: Fresh() for kind in TABLES}
            for kind, fresh in self.fresh.items():
                fresh.check(rankers[kind])  # here, not by searches side by side: see `sync`
            self._forget_answers()
        return encoded

    def _current_rows(
        self, session: Session, kind: Kind, table: type[Row], progress: bool
    ) -> tuple[list, int]:
        """Every row of a table, in id order (a fit depends on the order of its rows, and a
        saved one must match), each with a current embedding; and how many were encoded.

        Read as plain column tuples, which read as rows do: at 100k rows building ORM objects
        took most of the time. Only rows whose embedding is missing or stale are read again as
        objects, encoded and written back. The query-side vectors are not read (searches read
        them from the query's row): only whether a row has one."""
        columns = [column for column in table.__table__.columns if column.name != "query_embedding"]
        has_query = table.__table__.c.query_embedding.is_not(None).label("has_query_embedding")
        rows = list(session.exec(select(*columns, has_query).order_by(table.id)))
        model_id = self.encoder.model_id
        stale = {
            row.id: at
            for at, row in enumerate(rows)
            if row.embedding is None
            or row.embedding_model != model_id
            or row.text_hash != text_hash(text_view(kind, row))
            or (not self._symmetric and not row.has_query_embedding)
        }
        if not stale:
            return rows, 0
        log.info(
            "embedding %d %s texts (once: later starts read the stored vectors)", len(stale), kind
        )
        wanted = list(stale)
        objects = [  # in chunks: PostgreSQL takes at most 65,535 bound parameters
            row
            for start in range(0, len(wanted), 1000)
            for row in session.exec(select(table).where(table.id.in_(wanted[start : start + 1000])))
        ]
        fresh = self.embed(kind, objects, progress=progress)
        session.add_all(objects)
        session.commit()
        for row in objects:
            rows[stale[row.id]] = row
        return rows, fresh

    def _new_ranker(self) -> HybridRanker:
        return HybridRanker(
            encoder=self.encoder, weights=self.weights, ann=self.ann, refit_drift=self.refit_drift
        )

    def _fitted(
        self,
        kind: Kind,
        live: Sequence[Row],
        ids: list[str],
        texts: list[str],
        values: list[dict],
        progress: bool,
    ) -> HybridRanker:
        """A ranker fitted on these rows: read from the state saved by an earlier run when
        that was fitted on the same rows and settings, else fitted here (and saved)."""
        ranker = self._new_ranker()
        vectors = self._stack(live)
        path = None if self.state_dir is None or not live else self.state_dir / f"{kind}.npz"
        if path is None:
            return ranker.fit(ids, texts, vectors=vectors, attributes=values, progress=progress)
        fingerprint = self._fingerprint(kind, live, values)
        try:
            load_state(ranker, path, fingerprint, ids, texts, vectors=vectors, attributes=values)
            self.restored.add(kind)
            return ranker
        except StateError as error:
            if path.exists():
                log.warning("%s: fitting the %s index afresh", error, kind)
        log.info("fitting the %s index (%d rows; saved for the next start)", kind, len(ids))
        ranker = self._new_ranker()
        ranker.fit(ids, texts, vectors=vectors, attributes=values, progress=progress)
        try:
            save_state(ranker, path, fingerprint)
        except OSError as error:  # a read-only or full disk costs the next start time only
            log.warning("the %s index could not be saved to %s: %s", kind, path, error)
        return ranker

    def _fingerprint(self, kind: Kind, live: Sequence[Row], values: Sequence[dict]) -> str:
        """A digest of everything a fit of these rows depends on: the model and weights, the
        index settings, and each row's id, text (by its hash), vector's model and attributes."""
        ranker = self._new_ranker()
        digest = hashlib.sha256(
            json.dumps(
                [
                    kind,
                    self.model_version,
                    repr(ranker.weights_),
                    repr(ranker.ann_),
                    ranker.refit_drift,
                    ranker.moment_sample,
                ],
                default=str,
            ).encode()
        )
        for row, value in zip(live, values, strict=True):
            line = [row.id, row.text_hash, row.embedding_model, value]
            digest.update(json.dumps(line, default=str, sort_keys=True).encode())
            digest.update(b"\n")
        return digest.hexdigest()

    @staticmethod
    def _stack(rows: Sequence[Row]) -> np.ndarray | None:
        if not rows:
            return None  # nothing to index: the ranker needs no vectors (nor the encoder)
        return np.stack([row.embedding for row in rows]).astype(np.float32, copy=False)

    def sync(self, kind: Kind, row: Row, communities: set[str]) -> None:
        """Bring one row's index entry in line with the row (after its commit)."""
        with self._lock.writing():
            self._forget_answers()
            ranker = self.rankers[kind]
            present = row.id in ranker
            if not indexable(kind, row):
                if present:
                    ranker.remove([row.id])
                    self.hashes[kind].pop(row.id, None)
                self.fresh[kind].forget(row.id)
            else:
                self.hashes[kind][row.id] = row.text_hash
                vectors = np.atleast_2d(row.embedding)
                values = [attributes(kind, row, communities)]
                text = [text_view(kind, row)]
                if present:
                    ranker.update([row.id], text, vectors=vectors, attributes=values)
                else:
                    ranker.add([row.id], text, vectors=vectors, attributes=values)
            # A write may refit (new weights): what `fresh` weighted with the old ones goes
            # now, under the write lock, not when searches reading side by side notice it.
            self.fresh[kind].check(ranker)

    def forget(self, kind: Kind, id_: str) -> None:
        """Take a deleted row out of its index."""
        with self._lock.writing():
            self._forget_answers()
            ranker = self.rankers[kind]
            if id_ in ranker:
                ranker.remove([id_])
            self.hashes[kind].pop(id_, None)
            self.fresh[kind].forget(id_)
            self.fresh[kind].check(ranker)

    def erase(self, kind: Kind, row: Row) -> None:
        """Forget an erased row everywhere this process keeps it: its index entry, any cached
        vector of its text, and what searches kept of its text as a query."""
        self.forget(kind, row.id)
        with self._lock.writing():
            for fresh in self.fresh.values():
                fresh.forget_queries()
            for ranker in self.rankers.values():
                ranker.forget_texts()  # the skills of its text (as a query or a row)
        self._uncache([text_view(kind, row)])

    def rank(
        self,
        kind: Kind,
        query_kind: Kind,
        query: Row,
        *,
        k: int,
        filters: dict[str, list[str]],
        allowed: set[str] | None = None,
    ) -> list[Match]:
        """The k best rows of `kind` for a query row, within the filters."""
        text = text_view(query_kind, query)
        if self.store is not None:
            return self._rank_in_database(kind, query_kind, query, text, k, filters, allowed)
        question = (
            kind,
            query_kind,
            query.id,
            text_hash(text),
            k,
            tuple(sorted((name, tuple(sorted(values))) for name, values in filters.items())),
            None if allowed is None else frozenset(allowed),
        )
        with self._lock.reading():
            version = self.rankers[kind].version_
        with self._answers_lock:
            key = (*question, version)
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
                return list(found)
        # Read from the row (no encoding) when it has a current one; else encoded outside the
        # lock, where it makes no other request wait.
        vector = self._query_vector(query_kind, query)
        with self._lock.reading():  # other searches run beside this one; writes wait
            ranker = self.rankers[kind]
            found = ranker.search(text, k, filters=filters, allowed=allowed, query_vector=vector)
            version = ranker.version_
        self._remember((*question, version), found)
        return found

    def rank_all(
        self,
        kind: Kind,
        query_kind: Kind,
        queries: Sequence[Row],
        *,
        filters: dict[str, list[str]],
        allowed: set[str] | frozenset[str] | None = None,
    ) -> list[list[Match]]:
        """For each query row, every row of `kind` within the filters (the same for all of
        them), best first, scored as `rank` scores them but unexplained: the ranker's
        vectorised path, all queries in one call, for figures over a whole population (the
        dashboard's fairness). Not kept among `rank`'s answers (they would push out the pages'
        ones). With pgvector this ranks the rows this process has indexed."""
        if not queries:
            return []
        texts = [text_view(query_kind, query) for query in queries]
        found = self.query_vectors(query_kind, queries)
        vectors = None if any(v is None for v in found) else np.stack(found)
        with self._lock.reading():
            ranker = self.rankers[kind]
            return ranker.rank(
                texts,
                len(ranker),
                filters=filters,
                allowed=allowed,
                explain=False,
                query_vectors=vectors,
            )

    def rank_texts(
        self, kind: Kind, query_kind: Kind, query: Row, texts: dict[str, str], *, k: int
    ) -> list[Match]:
        """The k best of rows no index holds (professionals, teachers: id -> their text as a
        row of `kind` reads), scored against a query as `rank` scores `kind`'s rows and
        explained alike: the ranker's own scorer on its corpus's scale, through the path that
        scores rows the database returns and this process has no copy of. Their texts are
        people's: no vector or weighted row of them is kept."""
        with self._lock.reading():
            ranker = self.rankers.get(kind)
        if ranker is None or not len(ranker) or not texts or k <= 0:
            return []  # nothing learned: no scale to score on
        ids = sorted(texts)
        text = text_view(query_kind, query)
        vector = None
        dense = np.zeros(len(ids), dtype=np.float32)
        if self.weights.uses("dense"):
            vector = self._query_vector(query_kind, query)
            rows = self.encoder.encode([texts[id_] for id_ in ids], kind="passage")
            dense = np.asarray(rows, dtype=np.float32) @ np.asarray(vector, dtype=np.float32)
            self._uncache(texts.values())
        candidates = [
            Candidate(id=id_, dense=float(score), text_hash=text_hash(texts[id_]))
            for id_, score in zip(ids, dense, strict=True)
        ]
        with self._lock.reading():
            return rank_candidates(
                ranker,
                text,
                candidates,
                k,
                hashes={},  # none is the ranker's row: each is weighted from its text
                texts_of=lambda wanted: {id_: texts[id_] for id_ in wanted},
                fresh=Fresh(),  # kept by nobody: gone with the answer
                query_vector=np.zeros(1, dtype=np.float32) if vector is None else vector,
            )

    def query_vectors(self, query_kind: Kind, queries: Sequence[Row]) -> list[np.ndarray | None]:
        """`_query_vector` of many rows, with one call to the encoder for those that need one
        (a hundred challenges: one batch instead of a hundred single encodings)."""
        texts = [text_view(query_kind, query) for query in queries]
        found: list[np.ndarray | None] = [None] * len(queries)
        if not self.weights.uses("dense"):
            return found
        wanted = []
        for at, (query, text) in enumerate(zip(queries, texts, strict=True)):
            found[at] = self._stored_query_vector(query, text)
            if found[at] is None:
                wanted.append(at)
        if wanted:
            encoded = self.encoder.encode([texts[at] for at in wanted], kind="query")
            for at, vector in zip(wanted, encoded, strict=True):
                found[at] = vector
            if query_kind == "student" and not self._symmetric:
                self._uncache([texts[at] for at in wanted])
        return found

    def _query_vector(self, query_kind: Kind, query: Row) -> np.ndarray | None:
        """A query row's dense vector: the one stored with it when current, else its text
        encoded as a query (None when the dense component is unused)."""
        return self.query_vectors(query_kind, [query])[0]

    def _stored_query_vector(self, query: Row, text: str) -> np.ndarray | None:
        """The query-side vector kept in a row (`embed`), if it was made by this model from
        this text: `embedding` where queries and passages are encoded alike, else
        `query_embedding`. None for a row not stored yet, edited since, or of another model."""
        if self._model_id is None:  # the encoder's id looks at the model's files: once
            self._model_id = self.encoder.model_id
        if (
            getattr(query, "embedding", None) is None
            or query.embedding_model != self._model_id
            or query.text_hash != text_hash(text)
        ):
            return None
        return query.embedding if self._symmetric else query.query_embedding

    def _remember(self, key: tuple, found: list[Match]) -> None:
        """Keep an answer of `rank` for the same question while the index is unchanged.

        The key holds everything the answer rests on: the query row and its text, k, the
        filters, the allowed ids (consent, membership, availability: read from the database,
        or kept by `kept` until a write) and the index's version, which every write to it
        changes; a write also drops every kept answer (`_forget_answers`), so none outlives,
        say, an erased profile. Only in memory mode: with pgvector, other processes write too."""
        with self._answers_lock:
            self._answers[key] = list(found)
            while len(self._answers) > ANSWERS_KEPT:
                self._answers.popitem(last=False)

    def _forget_answers(self) -> None:
        with self._answers_lock:
            self._answers.clear()

    def kept(self, kind: Kind, key: tuple, compute: Callable[[], T]) -> T:
        """`compute()`, a value read from the rows of `kind` (say, which students are free in
        a period), kept until the next write through this process, as `rank`'s answers are.

        With pgvector other processes write too: then always computed."""
        if self.store is not None:
            return compute()
        with self._lock.reading():
            # The version is read before computing: a write meanwhile changes it, and the
            # value kept under the old one is never found again.
            key = ("kept", kind, *key, self.rankers[kind].version_)
        with self._answers_lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        value = compute()
        with self._answers_lock:
            self._answers[key] = value
            while len(self._answers) > ANSWERS_KEPT:
                self._answers.popitem(last=False)
        return value

    def _rank_in_database(
        self,
        kind: Kind,
        query_kind: Kind,
        query: Row,
        text: str,
        k: int,
        filters: dict[str, list[str]],
        allowed: set[str] | None,
    ) -> list[Match]:
        """`rank` with the dense candidates from PostgreSQL: rows written by any process."""
        assert self.store is not None
        vector = self._query_vector(query_kind, query)
        if vector is None:  # no dense component: the database has nothing to look up by
            vector = self.encoder.encode([text], kind="query")[0]
            if query_kind == "student":
                self._uncache([text])
        with self._lock.reading():
            indexed = len(self.rankers[kind])
        candidates = self.store.candidates(
            kind, vector, filters=filters, allowed=allowed, indexed=indexed
        )

        def texts_of(ids: Sequence[str]) -> dict[str, str]:
            return {row.id: text_view(kind, row) for row in self.store.text_rows(kind, ids)}

        with self._lock.reading():  # other searches run beside this one; writes wait
            return rank_candidates(
                self.rankers[kind],
                text,
                candidates,
                k,
                hashes=self.hashes[kind],
                texts_of=texts_of,
                fresh=self.fresh[kind],
                query_vector=vector,
            )
