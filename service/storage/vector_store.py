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
from pgvector.psycopg import register_vector
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.types import UserDefinedType
from sqlmodel import select

from service.domain.tables import (
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


class _BinaryVector(UserDefinedType):
    """A vector parameter handed to psycopg as the numpy array itself, which psycopg sends in
    pgvector's binary form (the dumper `register_vector` installs on the store's connections).
    pgvector's own type writes 384 floats as text for the server to parse back: about a third
    of a millisecond per query."""

    cache_ok = True

    def get_col_spec(self, **_: object) -> str:
        return "VECTOR"


def _query_vector() -> sa.BindParameter:
    return sa.bindparam("query_vector", type_=_BinaryVector())


def _strings(name: str) -> sa.ColumnElement:
    """A named parameter holding a list of strings, as one PostgreSQL array: one statement
    serves any number of values (`IN` would expand to one parameter per value)."""
    return sa.cast(sa.bindparam(name), ARRAY(sa.String))


@dataclass(frozen=True)
class _Compiled:
    """A query compiled once to the driver's SQL, with its constant parameters (those not
    named by the caller) already turned into what the driver takes. Building and compiling
    the SQLAlchemy statement took 0.5-1.3 ms of a ~2 ms query; a compiled statement is
    executed with its SQL as it is."""

    sql: str
    constants: dict

    @classmethod
    def of(cls, query: sa.Select, dialect: sa.Dialect, named: set[str]) -> _Compiled:
        compiled = query.compile(dialect=dialect)
        if "POSTCOMPILE" in compiled.string:
            raise AssertionError("a cached statement may not expand parameters per call")
        processors = compiled._bind_processors
        constants = {}
        for name, value in compiled.params.items():
            if name not in named:
                process = processors.get(name)
                constants[name] = process(value) if process else value
        return cls(compiled.string, constants)


@dataclass(frozen=True)
class Candidate:
    """A row near the query: its cosine similarity, whether it passes the hard filters, and the
    hash of the text its vector was made from (to tell whether a process's copy is current)."""

    id: str
    dense: float
    text_hash: str | None
    passes: bool = True


#: The columns the text view of each kind is made from (`service.usecases.matching.text_view`).
TEXT_COLUMNS = {
    "challenge": ("title", "description", "wanted_skills", "themes", "handover_open"),
    "student": ("programme", "about", "skills", "interests"),
    "research_group": ("name", "expertise", "themes"),
}


class PgVectorStore:
    """Nearest rows of a kind to a query vector, filtered in SQL.

    `candidates`: how many rows a query asks for at most; `ef_search`: the HNSW search width
    (raised to `candidates`: the index returns no more rows than it visits; recall grows with
    it). `exact_below`: kinds with fewer indexed rows are scanned exactly, and every
    indexable row comes back (flagged by whether it passes the filters). The scores' scale
    never depends on which rows come back: the caller fuses on the corpus's (`matcher.scoring`).

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
        self._compiled: dict[tuple, _Compiled] = {}  # by shape: see `_run`
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
        register_vector(connection)
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
    def _filter_values(
        kind: str, filters: Mapping[str, Collection[str]], allowed: Collection[str] | None
    ) -> dict[str, list[str]]:
        """The parameters of the filters (named as `_filters` names them), checked."""
        values: dict[str, list[str]] = {}
        for name, wanted in filters.items():
            if name not in FILTERABLE[kind]:
                raise ValueError(f"filter {name!r} does not apply to {kind} rows")
            values[f"filter_{name}"] = [str(value) for value in wanted]
        if allowed is not None:
            # One array parameter, not one parameter per id: `allowed` may hold 100k ids.
            values["allowed_ids"] = [str(value) for value in allowed]
        return values

    @staticmethod
    def _filters(kind: str, names: Collection[str]) -> list[sa.ColumnElement[bool]]:
        """The SQL of the filters whose parameters are `names` (`_filter_values`' keys)."""
        table = TABLES[kind]
        where: list[sa.ColumnElement[bool]] = []
        for parameter in sorted(names):
            values = _strings(parameter)
            if parameter == "allowed_ids":
                where.append(table.id == sa.any_(values))
            elif parameter == "filter_community" and kind == "challenge":
                where.append(Challenge.community_id == sa.any_(values))
            elif parameter == "filter_community":
                members = select(Membership.member_id).where(
                    Membership.kind == kind, Membership.community_id == sa.any_(values)
                )
                where.append(table.id.in_(members))
            elif parameter == "filter_level":
                where.append(table.level == sa.any_(values))
            elif kind == "challenge":  # language: one per challenge
                where.append(Challenge.language == sa.any_(values))
            else:  # language: a student speaks several (a JSON list)
                languages = sa.cast(StudentProfile.languages, JSONB)
                where.append(languages.has_any(values))
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
        values = self._filter_values(kind, filters or {}, allowed)
        values["query_vector"] = vector
        with self.engine.connect() as connection:
            if indexed < self.exact_below:
                self.scans["exact"] += 1
                rows = self._run(connection, ("all", kind, len(vector), *values), values)
                return [
                    Candidate(id_, 1.0 - float(distance), text_hash, bool(passes))
                    for id_, text_hash, distance, passes in rows
                ]
            values["row_limit"] = n
            rows = self._run(connection, ("hnsw", kind, len(vector), *values), values)
            if len(rows) < n:
                # The index scan visits ef_search rows and the filters drop some of them: when
                # it comes back short, only an exact scan knows whether more rows pass.
                self.scans["fallback"] += 1
                rows = self._run(connection, ("exact", kind, len(vector), *values), values)
            else:
                self.scans["hnsw"] += 1
        return [
            Candidate(id_, 1.0 - float(distance), text_hash) for id_, text_hash, distance in rows
        ]

    def _run(self, connection: sa.Connection, shape: tuple, values: dict) -> list[tuple]:
        """Rows of the statement of this shape (scan, kind, dimension, parameter names),
        compiled on its first use."""
        compiled = self._compiled.get(shape)
        if compiled is None:
            scan, kind, dimension, *names = shape
            named = set(names)
            filtering = self._filters(kind, named - {"query_vector", "row_limit"})
            if scan == "all":
                query = self._scan_all(kind, dimension, filtering)
            else:
                query = self._nearest(kind, dimension, filtering, approximate=scan == "hnsw")
            compiled = self._compiled[shape] = _Compiled.of(query, self.engine.dialect, named)
        return connection.exec_driver_sql(compiled.sql, {**compiled.constants, **values}).all()

    def _scan_all(
        self, kind: str, dimension: int, filtering: list[sa.ColumnElement[bool]]
    ) -> sa.Select:
        table = TABLES[kind]
        distance = _plain(table).cosine_distance(_query_vector())
        passes = sa.and_(sa.true(), *filtering)
        return (
            sa.select(*self._columns(kind), distance.label("distance"), passes.label("passes"))
            .where(*self._indexable(kind, dimension))
            .order_by(distance, table.id)
        )

    def _nearest(
        self,
        kind: str,
        dimension: int,
        filtering: list[sa.ColumnElement[bool]],
        *,
        approximate: bool,
    ) -> sa.Select:
        table = TABLES[kind]
        # Ordered by the expression the HNSW index is built on, the index answers; ordered by
        # the plain column (never indexed), PostgreSQL scans exactly.
        column = sa.cast(table.embedding, Vector(dimension)) if approximate else _plain(table)
        distance = column.cosine_distance(_query_vector())
        return (
            sa.select(*self._columns(kind), distance.label("distance"))
            .where(*self._indexable(kind, dimension), *filtering)
            .order_by(distance)
            .limit(sa.bindparam("row_limit", type_=sa.Integer()))
        )
