"""The pgvector route: dense candidates from PostgreSQL, with the filters in SQL.

It must answer as the in-memory route does (exactly, on a kind small enough to be scanned
exactly), never show a row the filters exclude, and see every committed write at once,
whichever process made it. Runs on PostgreSQL 16 with pgvector (pgserver), like the API suite.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from apiworld import World, running_app
from dutch_corpus import ATTRIBUTES, CORPUS
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from matcher import HashingEncoder
from service.domain.tables import (
    Challenge,
    ChallengeStatus,
    Community,
    Membership,
    Organisation,
    ResearchGroup,
    StudentProfile,
)
from service.storage.db import make_engine, migrate
from service.storage.vector_store import PgVectorStore, choose_backend, index_name
from service.usecases.matching import Matching, memberships

LEVELS = ("mbo", "hbo", "wo")


def _students() -> list[StudentProfile]:
    """36 students: every corpus text three times over, in two communities, with a mix of
    levels, languages and consent."""
    students = []
    for n, (name, text) in enumerate(list(CORPUS.items()) * 3 + list(CORPUS.items())[:6]):
        students.append(
            StudentProfile(
                id=f"s{n:02d}",
                full_name=f"Student {n}",
                programme=f"Opleiding {name}",
                level=LEVELS[n % 3],
                about=f"{text} Variant {n}.",
                languages=list(ATTRIBUTES[name]["language"]) if n % 4 else ["en"],
                consent_matching=n % 7 != 3,
                available_from=date(2027, 1, 1),
                available_until=date(2027, 12, 31),
            )
        )
    return students


def _challenges() -> list[Challenge]:
    return [
        Challenge(
            id=f"ch-{name}",
            title=f"Opdracht {name}",
            description=text,
            level="any" if n % 3 == 0 else ATTRIBUTES[name]["level"],
            language=ATTRIBUTES[name]["language"][0],
            community_id="c1" if n % 2 == 0 else "c2",
            organisation_id="org",
            status=ChallengeStatus.draft if name == "horeca" else ChallengeStatus.published,
        )
        for n, (name, text) in enumerate(CORPUS.items())
    ]


def _research_groups() -> list[ResearchGroup]:
    return [
        ResearchGroup(
            id=f"rg-{name}",
            name=f"Lectoraat {name}",
            institution="Hogeschool",
            expertise=text,
            contact_name="Contact",
            capacity_projects=0 if name == "zorg" else 2,
        )
        for name, text in list(CORPUS.items())[:6]
    ]


def seed(engine: Engine) -> None:
    """Two communities; students 0-23 in c1, the rest in c2; research groups in both."""
    encoder = Matching(encoder=HashingEncoder())
    students, challenges, groups = _students(), _challenges(), _research_groups()
    encoder.embed("student", students)
    encoder.embed("challenge", challenges)
    encoder.embed("research_group", groups)
    with Session(engine) as session:
        session.add_all([Community(id="c1", name="Eerste"), Community(id="c2", name="Tweede")])
        session.add(Organisation(id="org", name="Mkb", kind="sme"))
        session.flush()
        session.add_all(students + groups)
        session.flush()
        session.add_all(challenges)
        session.add_all(
            Membership(community_id="c1" if i < 24 else "c2", member_id=s.id, kind="student")
            for i, s in enumerate(students)
        )
        session.add_all(
            Membership(community_id=c, member_id=g.id, kind="research_group")
            for g in groups
            for c in ("c1", "c2")
        )
        session.commit()


@dataclass
class Routes:
    engine: Engine
    memory: Matching
    database: Matching


@pytest.fixture
def backend() -> str:
    """Every test here runs on PostgreSQL (the API suite's fixtures run on both databases)."""
    return "postgresql"


@pytest.fixture
def engine(postgres) -> Iterator[Engine]:
    name = f"pgv_{uuid.uuid4().hex[:12]}"
    engine = make_engine(postgres.create(name))
    migrate(engine)
    seed(engine)
    yield engine
    engine.dispose()
    postgres.drop(name)


def _routes(engine: Engine, *, exact_below: int, candidates: int = 200) -> Routes:
    memory = Matching(encoder=HashingEncoder())
    store = PgVectorStore(engine, candidates=candidates, exact_below=exact_below)
    database = Matching(encoder=HashingEncoder(), store=store)
    with Session(engine) as session:
        memory.rebuild(session)
        database.rebuild(session)
    return Routes(engine, memory, database)


@pytest.fixture
def exact(engine: Engine) -> Iterator[Routes]:
    """The in-memory route and the pgvector route scanning exactly (a small kind)."""
    routes = _routes(engine, exact_below=10_000)
    yield routes
    routes.database.store.close()


@pytest.fixture
def hnsw(engine: Engine) -> Iterator[Routes]:
    """The in-memory route and the pgvector route through the HNSW index."""
    routes = _routes(engine, exact_below=0)
    yield routes
    routes.database.store.close()


def _student_queries(engine: Engine) -> list[tuple[Challenge, dict, set[str] | None]]:
    """(challenge, filters, allowed) as the suggestions for a challenge ask them."""
    with Session(engine) as session:
        challenges = session.exec(
            select(Challenge).where(Challenge.status == ChallengeStatus.published)
        ).all()
        available = set(session.exec(select(StudentProfile.id).where(StudentProfile.year == 1)))
    queries = []
    for challenge in challenges:
        base = {"community": [challenge.community_id], "language": [challenge.language]}
        queries.append((challenge, base, None))
        queries.append((challenge, {"community": ["c1", "c2"]}, None))
        levels = {**base, "level": ["hbo", "wo"]}
        queries.append((challenge, levels, set(sorted(available)[::2])))
    return queries


def _same(first, second) -> None:
    assert [m.id for m in first] == [m.id for m in second]
    for a, b in zip(first, second, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-4)
        assert a.components.dense == pytest.approx(b.components.dense, abs=1e-5)
        assert a.components.lexical == pytest.approx(b.components.lexical, abs=1e-6)
        assert a.components.skill == pytest.approx(b.components.skill, abs=1e-6)
        assert a.explanation == b.explanation


def test_auto_is_pgvector_on_postgresql_and_memory_on_sqlite() -> None:
    assert choose_backend("auto", "postgresql+psycopg://u@h/db") == "pgvector"
    assert choose_backend("auto", "sqlite:///var/lcmatch.sqlite") == "memory"
    assert choose_backend("memory", "postgresql+psycopg://u@h/db") == "memory"
    with pytest.raises(ValueError, match="LCMATCH_VECTOR_BACKEND=pgvector needs"):
        choose_backend("pgvector", "sqlite:///x.sqlite")
    with pytest.raises(ValueError, match="not 'faiss'"):
        choose_backend("faiss", "sqlite:///x.sqlite")


def test_a_filter_the_kind_does_not_have_is_refused(exact: Routes) -> None:
    store = exact.database.store
    with pytest.raises(ValueError, match="filter 'level' does not apply to research_group"):
        store.candidates("research_group", [0.0] * 64, filters={"level": ["hbo"]}, indexed=6)


def test_exact_scan_gives_the_in_memory_answer(exact: Routes) -> None:
    queries = _student_queries(exact.engine)
    for challenge, filters, allowed in queries:
        _same(
            exact.memory.rank(
                "student", "challenge", challenge, k=10, filters=filters, allowed=allowed
            ),
            exact.database.rank(
                "student", "challenge", challenge, k=10, filters=filters, allowed=allowed
            ),
        )
    with Session(exact.engine) as session:
        students = session.exec(select(StudentProfile)).all()
    for student in students:
        filters = {"community": ["c1", "c2"], "level": [student.level, "any"]}
        _same(
            exact.memory.rank("challenge", "student", student, k=5, filters=filters),
            exact.database.rank("challenge", "student", student, k=5, filters=filters),
        )
    assert exact.database.store.scans["exact"] == len(queries) + len(students)
    assert exact.database.store.scans["hnsw"] == 0


def test_migration_and_start_up_make_hnsw_indexes_that_the_queries_use(hnsw: Routes) -> None:
    store = hnsw.database.store
    with hnsw.engine.connect() as connection:
        names = set(connection.exec_driver_sql("SELECT indexname FROM pg_indexes").scalars())
    tables = ("challenge", "student_profile", "research_group")
    assert {index_name(table, 384) for table in tables} <= names  # migration 0004
    assert {index_name(table, 64) for table in tables} <= names  # start-up, for this encoder
    statements = []

    def remember(_connection, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", remember)
    with Session(hnsw.engine) as session:
        challenge = session.get(Challenge, "ch-warmtepomp")
    store.candidates("student", challenge.embedding, 5, indexed=1000)
    statement, parameters = statements[0]
    with store.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")  # a tiny table is cheap to scan
        plan = connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars().all()
    assert f"Index Scan using {index_name('student_profile', 64)}" in "\n".join(plan)


def _passes(session: Session, student_id: str, filters: dict, allowed) -> bool:
    student = session.get(StudentProfile, student_id)
    communities = set(
        session.exec(select(Membership.community_id).where(Membership.member_id == student_id))
    )
    return (
        student.consent_matching
        and communities & set(filters["community"])
        and ("level" not in filters or student.level in filters["level"])
        and ("language" not in filters or set(student.languages) & set(filters["language"]))
        and (allowed is None or student_id in allowed)
    )


def test_the_index_route_keeps_to_the_filters_and_finds_the_same_rows(hnsw: Routes) -> None:
    with Session(hnsw.engine) as session:
        for challenge, filters, allowed in _student_queries(hnsw.engine):
            args = {"k": 40, "filters": filters, "allowed": allowed}
            found = hnsw.database.rank("student", "challenge", challenge, **args)
            expected = hnsw.memory.rank("student", "challenge", challenge, **args)
            # Every row that passes comes back (k is larger than the kind); none that does not.
            assert {m.id for m in found} == {m.id for m in expected}
            assert all(_passes(session, m.id, filters, allowed) for m in found)
            assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    # The index scan found too few rows past the selective filters and fell back to exact.
    assert hnsw.database.store.scans["hnsw"] + hnsw.database.store.scans["fallback"] > 0


def test_students_without_consent_and_other_communities_never_come_back(exact: Routes) -> None:
    with Session(exact.engine) as session:
        challenge = session.get(Challenge, "ch-warmtepomp")
        refused = set(
            session.exec(select(StudentProfile.id).where(StudentProfile.consent_matching == False))  # noqa: E712
        )
    assert refused
    found = exact.database.rank(
        "student", "challenge", challenge, k=50, filters={"community": ["c1"]}
    )
    ids = {m.id for m in found}
    assert ids and not ids & refused
    assert all(int(id_[1:]) < 24 for id_ in ids)  # c1 holds students s00-s23


def test_one_compiled_statement_answers_each_call_by_its_own_filter_values(exact: Routes) -> None:
    store = exact.database.store
    statements = []

    def remember(_connection, _cursor, statement, _parameters, _context, _many) -> None:
        statements.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", remember)
    with Session(exact.engine) as session:
        challenge = session.get(Challenge, "ch-warmtepomp")
    passing = {}
    for community in ("c1", "c2", "c1"):
        found = store.candidates(
            "student", challenge.embedding, filters={"community": [community]}, indexed=36
        )
        passing.setdefault(community, []).append({c.id for c in found if c.passes})
    sa.event.remove(store.engine, "before_cursor_execute", remember)
    assert len(statements) == 3 and len(set(statements)) == 1  # compiled once, run thrice
    assert passing["c1"][0] == passing["c1"][1]
    assert passing["c1"][0] and passing["c2"][0] and not passing["c1"][0] & passing["c2"][0]
    assert all(int(id_[1:]) < 24 for id_ in passing["c1"][0])  # c1 holds students s00-s23


def test_research_groups_without_capacity_are_left_out_by_the_allowed_ids(exact: Routes) -> None:
    with Session(exact.engine) as session:
        challenge = session.get(Challenge, "ch-warmtepomp")
        with_capacity = set(
            session.exec(select(ResearchGroup.id).where(ResearchGroup.capacity_projects > 0))
        )
    found = exact.database.rank(
        "research_group",
        "challenge",
        challenge,
        k=10,
        filters={"community": ["c1"]},
        allowed=with_capacity,
    )
    assert {m.id for m in found} == with_capacity


def test_a_row_written_by_another_process_is_found_with_its_new_text(exact: Routes) -> None:
    """The pgvector process has not synced this write (another process made it): the row is
    found all the same, and scored on the text in the database."""
    writer = Matching(encoder=HashingEncoder())
    student = StudentProfile(
        id="s-new",
        full_name="Nieuwe Student",
        programme="Installatietechniek",
        level="mbo",
        about="Warmtepompen installeren bij woningen en bewoners adviseren over energie.",
        consent_matching=True,
    )
    writer.embed("student", [student])
    with Session(exact.engine) as session:
        session.add(student)
        session.add(Membership(community_id="c1", member_id="s-new", kind="student"))
        # and another process rewrote s00's text entirely
        changed = session.get(StudentProfile, "s00")
        changed.about = "Koken in de keuken van een restaurant en bediening op drukke avonden."
        writer.embed("student", [changed])
        session.add(changed)
        session.commit()
        challenge = session.get(Challenge, "ch-warmtepomp")
    found = exact.database.rank(
        "student", "challenge", challenge, k=3, filters={"community": ["c1"]}
    )
    new = next(m for m in found if m.id == "s-new")  # among the best three: s00, s10, s20 rival it
    assert "warmtepompen" in new.explanation.matching_terms
    horeca = exact.database.rank(
        "student",
        "challenge",
        _challenge_like("horeca", exact.engine),
        k=40,
        filters={"community": ["c1"]},
    )
    rewritten = next(m for m in horeca if m.id == "s00")
    assert "keuken" in rewritten.explanation.matching_terms
    assert "keuken" not in exact.database.rankers["student"].texts_["s00"]


def test_a_text_changed_by_another_process_is_read_once_and_kept(
    exact: Routes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This process learned its weights before the edit: the new text is read from the
    database on first sight and weighted once, not on every query."""
    database = exact.database
    ranker = database.rankers["student"]
    with Session(exact.engine, expire_on_commit=False) as session:
        challenge = session.get(Challenge, "ch-horeca")
        database.rank("student", "challenge", challenge, k=5, filters={"community": ["c1"]})
        learned = ranker.lexical_
        student = session.get(StudentProfile, "s01")
        student.about = "Koken in de keuken van een restaurant en bediening op drukke avonden."
        Matching(encoder=HashingEncoder()).embed("student", [student])  # the other process
        session.add(student)
        session.commit()
    reads = []
    read = database.store.text_rows
    monkeypatch.setattr(
        database.store, "text_rows", lambda kind, ids: reads.append(list(ids)) or read(kind, ids)
    )
    for _ in range(3):
        found = database.rank(
            "student", "challenge", challenge, k=40, filters={"community": ["c1"]}
        )
        assert "keuken" in next(m for m in found if m.id == "s01").explanation.matching_terms
    assert ranker.lexical_ is learned  # nothing learned again
    assert reads == [["s01"]]  # read once, then kept


def test_memberships_of_more_rows_than_postgresql_takes_parameters(engine: Engine) -> None:
    """Start-up reads the communities of every row of a kind: 100k ids are more bound
    parameters than PostgreSQL accepts (65,535), so a long list is not sent as one."""
    ids = [f"s{n:02d}" for n in range(36)] + [f"missing-{n}" for n in range(70_000)]
    with Session(engine) as session:
        found = memberships(session, ids, "student")
    assert len(found) == len(ids)
    assert found["s00"] == {"c1"} and found["s30"] == {"c2"}
    assert found["missing-5"] == set()


def _challenge_like(name: str, engine: Engine) -> Challenge:
    with Session(engine) as session:
        return session.get(Challenge, f"ch-{name}")


# -- through the API: writes are seen at once, by this process and by another ----------------


@pytest.fixture
def two_apps(world_url: str, tmp_path: Path) -> Iterator[tuple[World, World]]:
    """Two apps (two processes' worth of state) on one PostgreSQL copy of the world."""
    with (
        running_app(tmp_path / "one", world_url) as one,
        running_app(tmp_path / "two", world_url) as two,
    ):
        assert one.app.state.matching.store is not None  # auto: pgvector on PostgreSQL
        yield one, two


STUDENTS = "/challenges/ch-a-pub/suggestions/students?available=false&k=20"


def _suggested(world: World) -> list[str]:
    answer = world.get(STUDENTS, "int-a")
    assert answer.status_code == 200, answer.text
    return [row["target_id"] for row in answer.json()["data"]]


NEW_STUDENT = {  # no id: the server makes it (issue 15)
    "full_name": "Jesse Warmte",
    "programme": "Installatietechniek",
    "level": "mbo",
    "about": "Ik installeer warmtepompen bij woningen en adviseer bewoners.",
    "skills": [{"label": "warmtepompen installeren"}],
    "languages": ["nl"],
    "consent_matching": True,
    "community_ids": ["com-a"],
}


def test_another_process_sees_a_student_added_changed_and_deleted(two_apps) -> None:
    one, two = two_apps
    before = _suggested(two)
    created = one.post("/students", "int-a", json=NEW_STUDENT)
    assert created.status_code == 201, created.text
    new_id = created.json()["id"]
    assert new_id not in before
    assert new_id in _suggested(one)
    assert new_id in _suggested(two)  # written by the other process: seen at once

    withdrawn = one.patch(f"/students/{new_id}", "int-a", json={"consent_matching": False})
    assert withdrawn.status_code == 200, withdrawn.text
    assert new_id not in _suggested(two)

    again = one.patch(f"/students/{new_id}", "int-a", json={"consent_matching": True})
    assert again.status_code == 200, again.text
    assert new_id in _suggested(two)
    deleted = one.delete(f"/students/{new_id}", "int-a")
    assert deleted.status_code == 204, deleted.text
    assert new_id not in _suggested(one)
    assert new_id not in _suggested(two)
