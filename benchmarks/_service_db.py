"""A service database at national scale for the start-up and load benchmarks, built once.

100 learning communities of 1,000 students each (the size of one real community), ten
published challenges per community, one intermediary login per community. Texts are made
deterministically from the Dutch demo data (programmes, sentences, skills and interests of
the 300 demo students mixed by a seeded RNG; the 80 demo challenges cycled). Vectors are
clustered random unit vectors tagged with the configured model's id and each text's hash,
so the service takes them as current and encodes nothing: computing 100k real embeddings
would take this machine most of an hour, and start-up never looks inside a vector. With a
model that encodes queries apart (e5), each row also gets a query-side vector (its passage
vector moved a little), as `Matching.embed` keeps one.

The database is written to var/bench/ and reused while its recipe (size, model id, seed)
stays the same.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import _pg_support as support
import argon2
import numpy as np
import sqlalchemy as sa
from sqlmodel import Session

from matcher.cache import text_hash
from matcher.encoders import prefix_of
from service.domain.tables import (
    Challenge,
    ChallengeLevel,
    ChallengeStatus,
    Community,
    Level,
    Membership,
    Organisation,
    StudentProfile,
    User,
)
from service.storage.db import make_engine, migrate
from service.usecases.matching import text_view

DEMO = support.ROOT / "data" / "demo"
PASSWORD = "benchmark-wachtwoord"
PER_COMMUNITY = 1000
CHALLENGES_PER_COMMUNITY = 10
SEED = 11


def has_login(n: int) -> bool:
    """Whether student n has a login of their own: 36 consenting students per community."""
    return n % PER_COMMUNITY < 40 and n % 10 != 0


def student_login(n: int) -> str:
    return f"student-{n:07d}@example.nl"


@dataclass(frozen=True)
class BenchDatabase:
    """Where the database is and who may ask it for suggestions."""

    url: str
    students: int
    challenge_id: str  # a published challenge of community 0
    login: str  # the intermediary of community 0
    password: str = PASSWORD

    @property
    def communities(self) -> int:
        return max(1, self.students // PER_COMMUNITY)

    def intermediary_logins(self) -> list[str]:
        """The intermediary of each community, in community order."""
        return [f"intermediair-{c:04d}@example.nl" for c in range(self.communities)]

    def student_logins(self) -> list[list[tuple[str, str]]]:
        """Per community: (student id, login) of the students who have a login."""
        found: list[list[tuple[str, str]]] = [[] for _ in range(self.communities)]
        for n in range(self.students):
            if has_login(n):
                community = min(n // PER_COMMUNITY, self.communities - 1)
                found[community].append((f"stu-{n:07d}", student_login(n)))
        return found


def asymmetric(model) -> bool:
    """Whether a model encodes queries apart from passages (then rows keep both vectors)."""
    return prefix_of(model, "query") != prefix_of(model, "passage")


def query_side(vectors: np.ndarray, seed: int) -> np.ndarray:
    """Stand-ins for the same texts encoded as queries: near their passage vectors (e5's two
    sides of one text are close, not equal)."""
    rng = np.random.default_rng(seed)
    moved = vectors + 0.3 * rng.standard_normal(vectors.shape).astype(np.float32) / np.sqrt(
        vectors.shape[1]
    )
    return (moved / np.linalg.norm(moved, axis=1, keepdims=True)).astype(np.float32)


def _sentences(text: str) -> list[str]:
    return [part.strip() + "." for part in text.split(".") if len(part.strip()) > 3]


def student_rows(count: int, model_id: str, dimension: int, queries: bool = False) -> list[dict]:
    """`count` student rows (as column dicts), each with a current-looking embedding (and,
    with `queries`, a query-side one)."""
    demo = json.loads((DEMO / "students.json").read_text())
    rng = random.Random(SEED)
    vectors = support.clustered_vectors(count, dimension, seed=SEED)
    asked = query_side(vectors, SEED + 10) if queries else None
    rows = []
    for n in range(count):
        base, other = rng.choice(demo), rng.choice(demo)
        about = _sentences(base["about"])[:2] + _sentences(other["about"])[-2:]
        student = StudentProfile(
            id=f"stu-{n:07d}",
            full_name=f"Student {n}",
            programme=base["programme"],
            institution=base["institution"],
            level=Level(base["level"]),
            year=base["year"],
            skills=rng.sample(base["skills"] + other["skills"], k=min(4, len(base["skills"]))),
            interests=rng.sample(base["interests"], k=min(2, len(base["interests"]))),
            about=" ".join(about),
            languages=base["languages"],
            hours_per_week=base["hours_per_week"],
            region=base["region"],
            consent_matching=n % 10 != 0,  # one in ten has not consented
        )
        if has_login(n):
            student.user_id = f"usr-stu-{n:07d}"
        student.embedding = vectors[n]
        student.query_embedding = None if asked is None else asked[n]
        student.embedding_model = model_id
        student.text_hash = text_hash(text_view("student", student))
        rows.append(student.model_dump())
    return rows


def challenge_rows(
    communities: int, model_id: str, dimension: int, queries: bool = False
) -> list[dict]:
    demo = json.loads((DEMO / "challenges.json").read_text())
    vectors = support.clustered_vectors(
        communities * CHALLENGES_PER_COMMUNITY, dimension, seed=SEED + 1
    )
    asked = query_side(vectors, SEED + 11) if queries else None
    rows = []
    for n in range(communities * CHALLENGES_PER_COMMUNITY):
        source = demo[n % len(demo)]
        challenge = Challenge(
            id=f"ch-{n:06d}",
            community_id=f"com-{n // CHALLENGES_PER_COMMUNITY:04d}",
            organisation_id="org-bench",
            title=source["title"],
            description=source["description"],
            wanted_skills=source.get("wanted_skills", []),
            themes=source.get("themes", []),
            level=ChallengeLevel.any,
            language="nl",
            status=ChallengeStatus.published,
        )
        challenge.embedding = vectors[n]
        challenge.query_embedding = None if asked is None else asked[n]
        challenge.embedding_model = model_id
        challenge.text_hash = text_hash(text_view("challenge", challenge))
        rows.append(challenge.model_dump())
    return rows


def _recipe(students: int, model_id: str, dimension: int, queries: bool) -> str:
    sides = " query-side" if queries else ""
    return f"students={students} model={model_id} dimension={dimension} seed={SEED}{sides} v3"


def _info(url: str, students: int) -> BenchDatabase:
    return BenchDatabase(
        url=url, students=students, challenge_id="ch-000000", login="intermediair-0000@example.nl"
    )


def build(
    folder: Path, students: int, model_id: str, dimension: int, *, queries: bool = False
) -> BenchDatabase:
    """The benchmark database (SQLite) for this many students and this model, built if
    missing; `queries`: rows keep query-side vectors too (see `asymmetric`)."""
    path = folder / f"service-{students}.sqlite"
    marker = path.with_suffix(".recipe")
    info = _info(f"sqlite:///{path}", students)
    recipe = _recipe(students, model_id, dimension, queries)
    if path.exists() and marker.exists() and marker.read_text() == recipe:
        return info
    folder.mkdir(parents=True, exist_ok=True)
    for stale in (path, marker, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    engine = make_engine(info.url)
    migrate(engine)
    _write(engine, students, model_id, dimension, queries)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    marker.write_text(recipe)
    return info


def build_postgres(
    server, students: int, model_id: str, dimension: int, *, queries: bool = False
) -> BenchDatabase:
    """The same database on PostgreSQL (a pgserver), with the HNSW index of its vectors."""
    recipe = _recipe(students, model_id, dimension, queries)
    name = f"bench_service_{students}_{abs(hash_text(recipe)) % 10**8}"
    info = _info(support.database_url(server, name), students)
    engine = make_engine(info.url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS bench_recipe (recipe text)")
        done = connection.exec_driver_sql("SELECT recipe FROM bench_recipe").scalars().all()
    if done == [recipe]:
        engine.dispose()
        return info
    migrate(engine)
    index = f"ix_student_profile_embedding_hnsw_{dimension}"
    with engine.begin() as connection:
        connection.exec_driver_sql('TRUNCATE community, organisation, "user" CASCADE')
        # Loading 100k rows into an HNSW index row by row is slow: build it afterwards.
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {index}")
    _write(engine, students, model_id, dimension, queries)
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
        connection.exec_driver_sql(
            f"CREATE INDEX {index} ON student_profile "
            f"USING hnsw ((embedding::vector({dimension})) vector_cosine_ops) "
            f"WHERE vector_dims(embedding) = {dimension}"
        )
        connection.exec_driver_sql("ANALYZE")
        connection.execute(sa.text("INSERT INTO bench_recipe VALUES (:r)"), {"r": recipe})
    engine.dispose()
    return info


def hash_text(text: str) -> int:
    """A hash that stays the same between runs (Python's own hash of a str does not)."""
    return int(text_hash(text)[:12], 16)


def _write(engine, students: int, model_id: str, dimension: int, queries: bool) -> None:
    """Write the communities, logins, challenges and students into a migrated database."""
    communities = max(1, students // PER_COMMUNITY)
    # A cheap Argon2id hash: login costs milliseconds, the login route runs unchanged.
    cheap = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    with Session(engine) as session:
        session.add(Organisation(id="org-bench", name="Mkb Benchmark", kind="sme"))
        session.add(Organisation(id="org-int", name="Talentencampus", kind="intermediary"))
        for c in range(communities):
            session.add(Community(id=f"com-{c:04d}", name=f"Leergemeenschap {c}"))
        session.flush()
        for c in range(communities):
            session.add(
                User(
                    id=f"usr-int-{c:04d}",
                    email=f"intermediair-{c:04d}@example.nl",
                    full_name=f"Intermediair {c}",
                    role="intermediary",
                    organisation_id="org-int",
                    hashed_password=cheap,
                )
            )
        session.add_all(
            User(
                id=f"usr-stu-{n:07d}",
                email=student_login(n),
                full_name=f"Student {n}",
                role="student",
                hashed_password=cheap,
            )
            for n in range(students)
            if has_login(n)
        )
        session.flush()
        session.execute(
            sa.insert(Membership),
            [
                {"community_id": f"com-{c:04d}", "member_id": f"usr-int-{c:04d}", "kind": "user"}
                for c in range(communities)
            ]
            + [
                {
                    "community_id": f"com-{min(n // PER_COMMUNITY, communities - 1):04d}",
                    "member_id": f"usr-stu-{n:07d}",
                    "kind": "user",
                }
                for n in range(students)
                if has_login(n)
            ],
        )
        session.execute(
            sa.insert(Challenge), challenge_rows(communities, model_id, dimension, queries)
        )
        rows = student_rows(students, model_id, dimension, queries)
        for start in range(0, len(rows), 10_000):
            session.execute(sa.insert(StudentProfile), rows[start : start + 10_000])
        session.execute(
            sa.insert(Membership),
            [
                {
                    "community_id": f"com-{min(n // PER_COMMUNITY, communities - 1):04d}",
                    "member_id": row["id"],
                    "kind": "student",
                }
                for n, row in enumerate(rows)
            ],
        )
        session.commit()
