"""One contract over every backend: the same query on the same corpus scores the same rows alike.

Each backend finds its candidates its own way: the in-memory index scans every row, the HNSW
graph returns its nearest rows, PostgreSQL with pgvector scans exactly or walks its HNSW index and
hands over a few hundred rows (here fewer rows than the kind has, as at 10,000+ rows). Whatever
rows come back, each is fused by the one scorer (`matcher.scoring`) on the corpus's scale, so
its score is the exact backend's to 1e-5. Runs on PostgreSQL 16 with pgvector (pgserver).

The in-memory HNSW graph keeps its vectors as int8 codes plus 4-bit residuals, so its dense
scores differ from the float32 ones by up to ~1e-3 on these 64-dimensional rows: there the
contract is that the fused score differs by exactly what that dense difference weighs on the
corpus's scale (weight / the dense spread over the corpus), to 1e-5, and by nothing else.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from test_pgvector_route import _student_queries, seed

from matcher import HashingEncoder
from matcher.ann import AnnSettings
from matcher.results import Match
from service.domain.tables import StudentProfile
from service.storage.db import make_engine, migrate
from service.storage.vector_store import PgVectorStore
from service.usecases.matching import Matching, text_view

#: name -> (in-memory ANN settings, pgvector store settings); None: not that kind of backend.
BACKENDS = {
    "memory-exact": (None, None),
    # Past the threshold from the first row: every kind is an HNSW graph (int8 codes plus
    # 4-bit residuals), wide enough that its candidates cover these small kinds.
    "memory-hnsw": (AnnSettings(threshold=1, candidates=64, ef_search=256), None),
    "pgvector-exact": (None, {"exact_below": 10_000}),
    # pgvector's HNSW index, handing over 12 rows of each kind: the scale must not be theirs.
    "pgvector-hnsw": (None, {"exact_below": 0, "candidates": 12}),
}
#: Scores agree to this, components to a tenth of it (float32 sums in another order).
TOLERANCE = 1e-5
#: How far the int8 graph's dense scores may be from the float32 ones here.
QUANTISED = 3e-3


@pytest.fixture
def backend() -> str:
    """Every test here runs on PostgreSQL (the API suite's fixtures run on both databases)."""
    return "postgresql"


@pytest.fixture(scope="module")
def engine(postgres) -> Iterator[Engine]:
    name = f"contract_{uuid.uuid4().hex[:12]}"
    engine = make_engine(postgres.create(name))
    migrate(engine)
    seed(engine)
    yield engine
    engine.dispose()
    postgres.drop(name)


def _matching(engine: Engine, name: str) -> Matching:
    ann, store = BACKENDS[name]
    pg = None if store is None else PgVectorStore(engine, **store)
    matching = Matching(encoder=HashingEncoder(), ann=ann, store=pg)
    with Session(engine) as session:
        matching.rebuild(session)
    return matching


@pytest.fixture(scope="module")
def reference(engine: Engine) -> Matching:
    return _matching(engine, "memory-exact")


@pytest.fixture(params=list(BACKENDS))
def route(request: pytest.FixtureRequest, engine: Engine) -> Iterator[tuple[str, Matching]]:
    matching = _matching(engine, request.param)
    yield request.param, matching
    if matching.store is not None:
        matching.store.close()


def _dense_weight(reference: Matching, kind: str, query_kind: str, query) -> float:
    """What a unit of dense score weighs in the fused score of this query: the dense weight
    over the spread of the query's dense scores across the corpus."""
    ranker = reference.rankers[kind]
    side = ranker.query_side([text_view(query_kind, query)], query_vectors=query.embedding[None])
    return ranker.weights_.dense / float(side.moments["dense"][1][0])


def _agree(name: str, got: list[Match], want: list[Match], dense_weight: float) -> int:
    """Scores of the rows both return agree; returns how many rows were compared."""
    expected = {match.id: match for match in want}
    shared = [match for match in got if match.id in expected]
    for match in shared:
        other = expected[match.id]
        shift = 0.0
        if name == "memory-hnsw":
            moved = match.components.dense - other.components.dense
            assert abs(moved) < QUANTISED, (name, match.id)
            shift = dense_weight * moved
        assert match.score == pytest.approx(other.score + shift, abs=TOLERANCE), (name, match.id)
        for component in ("dense", "lexical", "skill"):
            if component == "dense" and name == "memory-hnsw":
                continue
            assert getattr(match.components, component) == pytest.approx(
                getattr(other.components, component), abs=TOLERANCE / 10
            ), (name, match.id, component)
        assert match.explanation == other.explanation, (name, match.id)
    return len(shared)


def test_every_backend_scores_a_row_as_the_exact_one_does(
    route: tuple[str, Matching], reference: Matching, engine: Engine
) -> None:
    name, matching = route
    if name == "memory-hnsw":
        assert all(ranker.index_.approximate for ranker in matching.rankers.values())
    compared = 0
    for challenge, filters, allowed in _student_queries(engine):
        ask = {"k": 10, "filters": filters, "allowed": allowed}
        got = matching.rank("student", "challenge", challenge, **ask)
        want = reference.rank("student", "challenge", challenge, **{**ask, "k": 100})
        assert [m.score for m in got] == sorted((m.score for m in got), reverse=True)
        weight = _dense_weight(reference, "student", "challenge", challenge)
        compared += _agree(name, got, want, weight)
        if name.endswith("exact"):  # these see every row: the same top 10, in order
            assert [m.id for m in got] == [m.id for m in want[:10]], name
    with Session(engine) as session:
        students = session.exec(select(StudentProfile)).all()
    for student in students:
        filters = {"community": ["c1", "c2"], "level": [student.level, "any"]}
        got = matching.rank("challenge", "student", student, k=5, filters=filters)
        want = reference.rank("challenge", "student", student, k=100, filters=filters)
        weight = _dense_weight(reference, "challenge", "student", student)
        compared += _agree(name, got, want, weight)
    assert compared > 200  # the contract was tried on many rows, not vacuously
    if name.startswith("pgvector"):
        scans = matching.store.scans
        assert scans["hnsw" if name == "pgvector-hnsw" else "exact"] > 0
