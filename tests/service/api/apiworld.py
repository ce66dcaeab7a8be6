"""The seeded world the API tests run in, and a client wrapper that logs personas in.

Two learning communities, A (Achterhoek) and B (Twente). In each: an intermediary, two SMEs
with one user each, two consenting students with logins, one student without consent (and
without login), a research group, and per SME a published and a draft challenge. Plus an admin
who is in no community, and a disabled account in A.

Ids are fixed and readable: `com-a`, `org-sme-a`, `usr-sme-a`, `stu-a1`, `ch-a-pub`, ...
The world is written straight into the database with its embeddings (made by the same fake
encoder the app gets), so the app's start-up builds the indexes without encoding anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import argon2
import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from matcher import HashingEncoder
from service.app import create_app
from service.domain.tables import (
    Challenge,
    Community,
    Membership,
    Organisation,
    Programme,
    ProgrammeCommunity,
    ProgrammeMonitor,
    ResearchGroup,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    User,
)
from service.settings import Settings
from service.usecases.matching import Matching

API = "/api/v1"
PASSWORD = "wachtwoord-voor-de-tests"
SECRET = "a-test-secret-that-is-long-enough-0123456789"

# The service hashes with Argon2id's recommended (slow) parameters; the world's accounts get a
# cheap Argon2id hash of the same password so that logging in costs milliseconds. The service
# verifies with the parameters stored in the hash, so the login route runs unchanged.
CHEAP_HASH = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)

COMMUNITIES = ("a", "b")
PERIOD = (date(2027, 2, 1), date(2027, 6, 30))


def email(login: str) -> str:
    """The e-mail address of a world account: `sme-a` -> sme-a@example.nl."""
    return f"{login}@example.nl"


def settings_for(home: Path, url: str) -> Settings:
    """The settings every API test runs with."""
    return Settings(
        home=home,
        database_url=url,
        demo_data=False,
        environment="test",
        secret_key=SECRET,
    )


# -- the world's rows ------------------------------------------------------------------------


def _community_rows(c: str) -> list[SQLModel]:
    upper = c.upper()
    region = {"a": "Achterhoek", "b": "Twente"}[c]
    # Where the students live and the challenges take place: a town of the gazetteer.
    town = {"a": "Doetinchem", "b": "Enschede"}[c]
    rows: list[SQLModel] = [
        Community(
            id=f"com-{c}",
            name=f"Leergemeenschap {region}",
            region=region,
            description=f"Mkb, studenten en kennisinstellingen in de {region}.",
            themes=["energietransitie", "digitalisering"],
        ),
        Organisation(id=f"org-int-{c}", name=f"Talentencampus {region}", kind="intermediary"),
        Organisation(
            id=f"org-sme-{c}",
            name=f"Warmtebedrijf {upper}",
            kind="sme",
            city=region,
            size_employees=12,
        ),
        Organisation(
            id=f"org-sme2-{c}",
            name=f"Datakantoor {upper}",
            kind="sme",
            city=region,
            size_employees=8,
        ),
    ]
    users = [
        (f"usr-int-{c}", f"int-{c}", "intermediary", f"org-int-{c}", True),
        (f"usr-sme-{c}", f"sme-{c}", "sme", f"org-sme-{c}", True),
        (f"usr-sme2-{c}", f"sme2-{c}", "sme", f"org-sme2-{c}", True),
        (f"usr-stu-{c}1", f"stu-{c}1", "student", None, True),
        (f"usr-stu-{c}2", f"stu-{c}2", "student", None, True),
    ]
    if c == "a":
        users.append(("usr-off-a", "off-a", "sme", "org-sme-a", False))
    for id_, login, role, organisation_id, active in users:
        rows.append(
            User(
                id=id_,
                email=email(login),
                full_name=f"{role.title()} {login}",
                role=role,
                organisation_id=organisation_id,
                hashed_password=CHEAP_HASH,
                is_active=active,
            )
        )
    rows += [
        StudentProfile(
            id=f"stu-{c}1",
            user_id=f"usr-stu-{c}1",
            full_name=f"Sanne Installateur {upper}",
            programme="Installatietechniek",
            institution=f"Graafschap College {upper}",
            level="mbo",
            year=2,
            skills=[{"label": "warmtepompen installeren"}],
            interests=["energietransitie", "duurzame warmte"],
            about="Ik wil warmtepompen installeren bij woningen en bewoners adviseren.",
            languages=["nl"],
            available_from=date(2027, 1, 1),
            available_until=date(2027, 12, 31),
            hours_per_week=16,
            region=town,
            consent_matching=True,
        ),
        StudentProfile(
            id=f"stu-{c}2",
            user_id=f"usr-stu-{c}2",
            full_name=f"Daan Data {upper}",
            programme="HBO-ICT",
            institution=f"Saxion {upper}",
            level="hbo",
            year=3,
            skills=[{"label": "Python"}],
            interests=["data-analyse", "energie"],
            about="Data-analyse met Python: energieverbruik van woningen en warmtepompen.",
            languages=["nl", "en"],
            available_from=date(2026, 1, 1),
            available_until=date(2026, 6, 30),
            hours_per_week=24,
            region=town,
            consent_matching=True,
        ),
        # Fits the heat-pump challenge well, but has not consented to matching.
        StudentProfile(
            id=f"stu-{c}3",
            full_name=f"Noor Zondertoestemming {upper}",
            programme="Installatietechniek warmtepompen",
            institution=f"Graafschap College {upper}",
            level="mbo",
            skills=[{"label": "warmtepompen installeren"}],
            about="Warmtepompen installeren bij woningen: warmtepompen, woningen, installeren.",
            languages=["nl"],
            region=town,
            consent_matching=False,
        ),
        ResearchGroup(
            id=f"rg-{c}",
            name=f"Lectoraat Duurzame Energie {upper}",
            institution=f"Hogeschool {region}",
            expertise="Onderzoek naar warmtepompen, duurzame warmte en de energietransitie "
            "in woningen en bedrijven.",
            themes=["energietransitie"],
            capacity_projects=2,
            contact_name="Dr. Lector",
            contact_email=f"lectoraat-{c}@example.nl",
        ),
    ]
    challenge = {
        "wanted_skills": [{"label": "warmtepompen installeren"}],
        "themes": ["energietransitie"],
        "level": "any",
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
        "place": town,
        "remote": "hybrid",
        "language": "nl",
        "community_id": f"com-{c}",
    }
    rows += [
        Challenge(
            id=f"ch-{c}-pub",
            organisation_id=f"org-sme-{c}",
            status="published",
            title="Warmtepompen installeren bij woningen",
            description="Wij zoeken een student die helpt met het installeren van warmtepompen "
            "bij woningen en bewoners adviseert over duurzame warmte.",
            **challenge,
        ),
        Challenge(
            id=f"ch-{c}-draft",
            organisation_id=f"org-sme-{c}",
            status="draft",
            title="Onderhoud van warmtepompen plannen",
            description="Een planning voor het onderhoud van warmtepompen bij klanten maken.",
            **challenge,
        ),
        Challenge(
            id=f"ch-{c}-other",
            organisation_id=f"org-sme2-{c}",
            status="published",
            title="Energiedata analyseren met Python",
            description="Analyseer het energieverbruik van kantoren met Python en pandas en "
            "maak een dashboard.",
            **{**challenge, "wanted_skills": [{"label": "Python"}]},
        ),
        Challenge(
            id=f"ch-{c}-other-draft",
            organisation_id=f"org-sme2-{c}",
            status="draft",
            title="Een datamodel voor facturen",
            description="Ontwerp een datamodel voor de facturen van een administratiekantoor.",
            **challenge,
        ),
    ]
    members = [
        *[(f"org-{kind}-{c}", "organisation") for kind in ("int", "sme", "sme2")],
        *[(user[0], "user") for user in users],
        *[(f"stu-{c}{n}", "student") for n in (1, 2, 3)],
        (f"rg-{c}", "research_group"),
    ]
    rows += [Membership(community_id=f"com-{c}", member_id=m, kind=k) for m, k in members]
    return rows


def world_rows() -> list[SQLModel]:
    """Every row of the world, in an order the foreign keys accept."""
    rows: list[SQLModel] = []
    for c in COMMUNITIES:
        rows += _community_rows(c)
    rows.append(
        User(
            id="usr-admin",
            email=email("admin"),
            full_name="Beheerder",
            role="admin",
            hashed_password=CHEAP_HASH,
        )
    )
    # A programme per community; the monitor `mon-a` follows A's and is in no community.
    rows.append(
        User(
            id="usr-mon-a",
            email=email("mon-a"),
            full_name="Monitor Fonds",
            role="monitor",
            hashed_password=CHEAP_HASH,
        )
    )
    for c in COMMUNITIES:
        rows += [
            Programme(id=f"prg-{c}", name=f"Programma {c.upper()}", funder="Provincie"),
            ProgrammeCommunity(programme_id=f"prg-{c}", community_id=f"com-{c}"),
        ]
    rows.append(ProgrammeMonitor(programme_id="prg-a", user_id="usr-mon-a"))
    return sorted(rows, key=lambda row: ORDER.index(type(row)))


#: The world's tables in an order the foreign keys accept.
ORDER = (
    Community,
    Organisation,
    User,
    StudentProfile,
    ResearchGroup,
    Challenge,
    Programme,
    Membership,
    ProgrammeCommunity,
    ProgrammeMonitor,
)


def seed_world(engine: Engine) -> None:
    """Write the world into a migrated, empty database, with the fake encoder's embeddings."""
    rows = world_rows()
    matching = Matching(encoder=HashingEncoder())
    kinds = {Challenge: "challenge", StudentProfile: "student", ResearchGroup: "research_group"}
    for table, kind in kinds.items():
        matching.embed(kind, [row for row in rows if isinstance(row, table)])
    with Session(engine) as session:
        for table in ORDER:
            session.add_all([row for row in rows if isinstance(row, table)])
            session.flush()
        session.commit()


# -- the client side -------------------------------------------------------------------------


@dataclass
class World:
    """A running app on a copy of the world, with helpers to act as its personas."""

    app: FastAPI
    client: TestClient
    encoder: HashingEncoder
    backend: str
    tokens: dict[str, str] = field(default_factory=dict)

    def login(self, login: str, password: str = PASSWORD) -> httpx.Response:
        """POST the login form for an account (`sme-a` or a full e-mail address)."""
        username = login if "@" in login else email(login)
        return self.client.post(
            f"{API}/login/access-token", data={"username": username, "password": password}
        )

    def headers(self, login: str | None) -> dict[str, str]:
        """Authorization headers for an account (logged in once per test); {} for None."""
        if login is None:
            return {}
        if login not in self.tokens:
            answer = self.login(login)
            assert answer.status_code == 200, answer.text
            self.tokens[login] = answer.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[login]}"}

    def call(self, method: str, path: str, as_: str | None, **kwargs: Any) -> httpx.Response:
        """A request to the API (path without /api/v1) as an account, or anonymously."""
        return self.request(method, f"{API}{path}", as_, **kwargs)

    def request(self, method: str, url: str, as_: str | None, **kwargs: Any) -> httpx.Response:
        """A request to a full path of the app as an account, or anonymously."""
        headers = {**self.headers(as_), **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def get(self, path: str, as_: str | None, **kwargs: Any) -> httpx.Response:
        return self.call("GET", path, as_, **kwargs)

    def post(self, path: str, as_: str | None, **kwargs: Any) -> httpx.Response:
        return self.call("POST", path, as_, **kwargs)

    def patch(self, path: str, as_: str | None, **kwargs: Any) -> httpx.Response:
        return self.call("PATCH", path, as_, **kwargs)

    def put(self, path: str, as_: str | None, **kwargs: Any) -> httpx.Response:
        return self.call("PUT", path, as_, **kwargs)

    def delete(self, path: str, as_: str | None, **kwargs: Any) -> httpx.Response:
        return self.call("DELETE", path, as_, **kwargs)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A database session on the app's engine."""
        with Session(self.app.state.engine, expire_on_commit=False) as session:
            yield session

    def row(self, table: type[SQLModel], id_: Any) -> dict[str, Any] | None:
        """A row as a dict of its columns (vectors as lists), or None."""
        with self.session() as session:
            found = session.get(table, id_)
            return None if found is None else as_dict(found)

    def events(self, suggestion_id: str) -> list[SuggestionEvent]:
        """The stored review events of a suggestion, oldest first."""
        with self.session() as session:
            query = select(SuggestionEvent).where(SuggestionEvent.suggestion_id == suggestion_id)
            return list(session.exec(query.order_by(SuggestionEvent.id)))

    def suggestion(self, suggestion_id: str) -> Suggestion | None:
        with self.session() as session:
            return session.get(Suggestion, suggestion_id)


def as_dict(row: SQLModel) -> dict[str, Any]:
    """A row's column values, comparable with ==."""
    values = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if hasattr(value, "tolist"):
            value = value.tolist()
        values[column.key] = value
    return values


@contextmanager
def running_app(home: Path, url: str, encoder: HashingEncoder | None = None) -> Iterator[World]:
    """Start the app on a database (its lifespan migrates and builds the indexes), and stop it
    when the block ends."""
    encoder = encoder or HashingEncoder()
    app = create_app(settings_for(home, url), encoder=encoder)
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    with TestClient(app) as client:
        yield World(app=app, client=client, encoder=encoder, backend=backend)
