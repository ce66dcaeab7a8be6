"""Dense candidates from PostgreSQL with pgvector, so that several processes serve one database.

In memory, each process keeps its own index of the stored vectors and sees only the writes it
made itself (and those it found at start-up). Here the database answers the nearest-neighbour
query, with the hard filters in the same SQL statement, so every process sees every committed
row at once. Small kinds are scanned exactly; above a size threshold the HNSW index (migration
0004, or `ensure_indexes` for another dimension) answers, with an exact scan as the fallback
when a selective filter leaves the index scan short of candidates.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine import Engine
from sqlmodel import select

from service.tables import (
    Challenge,
    ChallengeStatus,
    Membership,
    ResearchGroup,
    StudentProfile,
)

Backend = Literal["memory", "pgvector"]
TABLES = {"challenge": Challenge, "student": StudentProfile, "research_group": ResearchGroup}
#: Attributes a query may filter on, per kind (the same names the in-memory index uses).
FILTERABLE = {
    "challenge": {"community", "level", "language"},
    "student": {"community", "level", "language"},
    "research_group": {"community"},
}
#: pgvector 0.6 refuses a larger hnsw.ef_search.
MAX_EF_SEARCH = 1000


def choose_backend(setting: str, database_url: str) -> Backend:
    """The vector backend for a `LCMATCH_VECTOR_BACKEND` setting and a database.

    "auto" is pgvector on PostgreSQL (only the database sees the writes of every process that
    serves it) and memory on SQLite (one process, and no pgvector)."""
    on_postgres = database_url.startswith("postgresql")
    if setting == "auto":
        return "pgvector" if on_postgres else "memory"
    if setting == "memory":
        return "memory"
    if setting == "pgvector":
        if not on_postgres:
            raise ValueError(
                "LCMATCH_VECTOR_BACKEND=pgvector needs DATABASE_URL on PostgreSQL with pgvector"
            )
        return "pgvector"
    raise ValueError(f"LCMATCH_VECTOR_BACKEND must be auto, memory or pgvector, not {setting!r}")


def index_name(table: str, dimension: int) -> str:
    """The name of the HNSW index over one table's vectors of one dimension."""
    return f"ix_{table}_embedding_hnsw_{dimension}"


def _plain(table) -> sa.ColumnElement:
    """The embedding column as pgvector sees it, not cast: no index is on it, so ordering by
    its distance is an exact scan."""
    return sa.type_coerce(table.embedding, Vector())


@dataclass(frozen=True)
class Candidate:
    """A row near the query: its cosine similarity, whether it passes the hard filters, and the
    hash of the text its vector was made from (to tell whether a process's copy is current)."""

    id: str
    dense: float
    text_hash: str | None
    passes: bool = True


#: The columns the text view of each kind is made from (`service.matching.text_view`).
TEXT_COLUMNS = {
    "challenge": ("title", "description", "wanted_skills", "themes"),
    "student": ("programme", "about", "skills", "interests"),
    "research_group": ("name", "expertise", "themes"),
}


class PgVectorStore:
    """Nearest rows of a kind to a query vector, filtered in SQL.

    `candidates`: how many rows a query asks for at most; `ef_search`: the HNSW search width
    (raised to `candidates`: the index returns no more rows than it visits; recall grows with
    it). `exact_below`: kinds with fewer indexed rows are scanned exactly, and every
    indexable row comes back (flagged by whether it passes the filters), so that the caller
    can standardise scores over the same rows as the in-memory ranker does.

    The store has its own small connection pool, whose connections start with the search
    width set: a query is then one round trip.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        candidates: int = 200,
        ef_search: int = 100,
        exact_below: int = 10_000,
    ) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the pgvector store needs a PostgreSQL database")
        self.size = candidates
        self.ef_search = min(max(ef_search, candidates), MAX_EF_SEARCH)
        self.exact_below = exact_below
        self.scans = {"exact": 0, "hnsw": 0, "fallback": 0}  # how queries were answered
        # Autocommit: a read needs no BEGIN and ROLLBACK around it (two round trips saved).
        # No server-side prepared statements: a generic plan may not use the HNSW index.
        self.engine = sa.create_engine(
            engine.url,
            pool_size=8,
            max_overflow=16,
            isolation_level="AUTOCOMMIT",
            connect_args={"prepare_threshold": None},
        )
        sa.event.listen(self.engine, "connect", self._configure)

    def _configure(self, connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute(f"SET hnsw.ef_search = {int(self.ef_search)}")
        cursor.close()

    def close(self) -> None:
        """Close the store's connections."""
        self.engine.dispose()

    def ensure_indexes(self, dimension: int) -> None:
        """Create the HNSW indexes for vectors of this dimension where migration 0004 did not
        (it covers 384, the default model's). Concurrent starts are harmless: IF NOT EXISTS."""
        dimension = int(dimension)
        with self.engine.connect() as connection:
            for table in ("challenge", "student_profile", "research_group"):
                name = index_name(table, dimension)
                try:
                    connection.exec_driver_sql(
                        f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                        f"USING hnsw ((embedding::vector({dimension})) vector_cosine_ops) "
                        f"WHERE vector_dims(embedding) = {dimension}"
                    )
                except sa.exc.DBAPIError:
                    # Two processes starting at once: the second may lose the race for the
                    # name. Only an index that is still missing afterwards is an error.
                    found = connection.execute(
                        sa.text("SELECT 1 FROM pg_indexes WHERE indexname = :name"),
                        {"name": name},
                    ).first()
                    if found is None:
                        raise

    # -- SQL pieces ------------------------------------------------------------------------

    @staticmethod
    def _indexable(kind: str, dimension: int) -> list[sa.ColumnElement[bool]]:
        table = TABLES[kind]
        where = [
            table.embedding.is_not(None),
            # Also the predicate of the partial HNSW index, written as a literal: a planner
            # that sees a parameter there cannot prove the index applies (generic plans).
            sa.func.vector_dims(table.embedding) == sa.literal_column(str(int(dimension))),
        ]
        if kind == "challenge":
            where.append(Challenge.status == ChallengeStatus.published)
        elif kind == "student":
            where.append(StudentProfile.consent_matching.is_(True))
        return where

    @staticmethod
    def _filters(
        kind: str, filters: Mapping[str, Collection[str]], allowed: Collection[str] | None
    ) -> list[sa.ColumnElement[bool]]:
        table = TABLES[kind]
        where: list[sa.ColumnElement[bool]] = []
        for name, values in filters.items():
            if name not in FILTERABLE[kind]:
                raise ValueError(f"filter {name!r} does not apply to {kind} rows")
            values = [str(value) for value in values]
            if name == "community" and kind == "challenge":
                where.append(Challenge.community_id.in_(values))
            elif name == "community":
                members = select(Membership.member_id).where(
                    Membership.kind == kind, Membership.community_id.in_(values)
                )
                where.append(table.id.in_(members))
            elif name == "level":
                where.append(table.level.in_(values))
            elif kind == "challenge":  # language: one per challenge
                where.append(Challenge.language.in_(values))
            else:  # language: a student speaks several (a JSON list)
                languages = sa.cast(StudentProfile.languages, JSONB)
                where.append(languages.has_any(sa.cast(values, ARRAY(sa.String))))
        if allowed is not None:
            # One array parameter, not one parameter per id: `allowed` may hold 100k ids.
            ids = sa.cast(sa.bindparam("allowed_ids", list(allowed)), ARRAY(sa.String))
            where.append(table.id == sa.any_(ids))
        return where

    @staticmethod
    def _columns(kind: str) -> list[sa.ColumnElement]:
        table = TABLES[kind]
        return [table.id, table.text_hash]

    def text_rows(self, kind: str, ids: Collection[str]) -> list[sa.Row]:
        """The id and the columns of the text view of these rows (rows written by another
        process, or changed since this one read them)."""
        if not ids:
            return []
        table = TABLES[kind]
        columns = [getattr(table, name) for name in TEXT_COLUMNS[kind]]
        query = sa.select(table.id, *columns).where(
            table.id == sa.any_(sa.cast(sa.bindparam("ids", list(ids)), ARRAY(sa.String)))
        )
        with self.engine.connect() as connection:
            return list(connection.execute(query))

    # -- the query -------------------------------------------------------------------------

    def candidates(
        self,
        kind: str,
        query_vector: np.ndarray,
        n: int | None = None,
        *,
        filters: Mapping[str, Collection[str]] | None = None,
        allowed: Collection[str] | None = None,
        indexed: int,
    ) -> list[Candidate]:
        """Rows of `kind` near the query vector, best first.

        `indexed` (how many rows the kind has, as far as the caller knows) chooses the scan:
        below `exact_below`, every indexable row with a `passes` flag; above it, the `n`
        (default: `candidates`) nearest rows that pass the filters (HNSW; exact when the index
        finds too few)."""
        n = self.size if n is None else n
        vector = np.asarray(query_vector, dtype=np.float32).ravel()
        filtering = self._filters(kind, filters or {}, allowed)
        with self.engine.connect() as connection:
            if indexed < self.exact_below:
                self.scans["exact"] += 1
                return self._scan_all(connection, kind, vector, filtering)
            found = self._nearest(connection, kind, vector, n, filtering, approximate=True)
            if len(found) < n:
                # The index scan visits ef_search rows and the filters drop some of them: when
                # it comes back short, only an exact scan knows whether more rows pass.
                self.scans["fallback"] += 1
                found = self._nearest(connection, kind, vector, n, filtering, approximate=False)
            else:
                self.scans["hnsw"] += 1
        return found

    def _scan_all(
        self,
        connection: sa.Connection,
        kind: str,
        vector: np.ndarray,
        filtering: list[sa.ColumnElement[bool]],
    ) -> list[Candidate]:
        table = TABLES[kind]
        distance = _plain(table).cosine_distance(vector)
        passes = sa.and_(sa.true(), *filtering)
        query = (
            sa.select(*self._columns(kind), distance.label("distance"), passes.label("passes"))
            .where(*self._indexable(kind, len(vector)))
            .order_by(distance, table.id)
        )
        return [
            Candidate(row.id, 1.0 - float(row.distance), row.text_hash, bool(row.passes))
            for row in connection.execute(query)
        ]

    def _nearest(
        self,
        connection: sa.Connection,
        kind: str,
        vector: np.ndarray,
        n: int,
        filtering: list[sa.ColumnElement[bool]],
        *,
        approximate: bool,
    ) -> list[Candidate]:
        table = TABLES[kind]
        # Ordered by the expression the HNSW index is built on, the index answers; ordered by
        # the plain column (never indexed), PostgreSQL scans exactly.
        column = sa.cast(table.embedding, Vector(len(vector))) if approximate else _plain(table)
        distance = column.cosine_distance(vector)
        query = (
            sa.select(*self._columns(kind), distance.label("distance"))
            .where(*self._indexable(kind, len(vector)), *filtering)
            .order_by(distance)
            .limit(n)
        )
        return [
            Candidate(row.id, 1.0 - float(row.distance), row.text_hash)
            for row in connection.execute(query)
        ]
