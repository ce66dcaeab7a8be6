"""Start, insert, stop, start: the suggestions are identical and nothing is encoded again.

The vectors live in the rows, so a restarted app builds its indexes from the database without
sending a single text to the encoder (counted on a fresh HashingEncoder).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from apiworld import CHEAP_HASH, running_app
from sqlmodel import Session

from matcher import HashingEncoder
from service.domain.tables import Challenge, Community, Membership, Organisation, User
from service.storage.db import make_engine, migrate
from service.usecases.matching import text_view

STUDENTS = [
    ("Installatietechniek", "mbo", "Warmtepompen installeren bij woningen en bewoners helpen."),
    ("Werktuigbouwkunde", "hbo", "Warmtepompen ontwerpen en de warmtevraag van huizen berekenen."),
    ("Bouwkunde", "hbo", "Biobased bouwen met hout, hennep en stro; isolatie van woningen."),
    ("HBO-ICT", "hbo", "Data-analyse met Python: het energieverbruik van woningen voorspellen."),
    ("Zorg en welzijn", "mbo", "Ouderen begeleiden bij dagbesteding in een verpleeghuis."),
]


def _accounts(url: str) -> None:
    """A community with an SME and an intermediary; logins cannot be made through the API
    without an admin, so they go straight into the database."""
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        session.add(Community(id="com-r", name="Leergemeenschap Herstart"))
        session.add(Organisation(id="org-r", name="Warmte Herstart BV", kind="sme"))
        session.flush()
        for id_, role, org in (("usr-sme-r", "sme", "org-r"), ("usr-int-r", "intermediary", None)):
            session.add(
                User(
                    id=id_,
                    email=f"{id_}@example.nl",
                    full_name=id_,
                    role=role,
                    organisation_id=org,
                    hashed_password=CHEAP_HASH,
                )
            )
        session.flush()
        for member, kind in (
            ("org-r", "organisation"),
            ("usr-sme-r", "user"),
            ("usr-int-r", "user"),
        ):
            session.add(Membership(community_id="com-r", member_id=member, kind=kind))
        session.commit()
    engine.dispose()


def _suggestions(world, challenge_id: str) -> list[tuple[str, str, float, float, float, float]]:
    answer = world.get(
        f"/challenges/{challenge_id}/suggestions/students?available=false&k=10",
        "usr-int-r@example.nl",
    )
    assert answer.status_code == 200, answer.text
    return [
        (
            row["id"],
            row["target_id"],
            row["score"],
            row["components"]["dense"],
            row["components"]["lexical"],
            row["components"]["skill"],
        )
        for row in answer.json()["data"]
    ]


@dataclass
class Restart:
    """What the two runs saw: the suggestions before and after, and the second start's counts."""

    before: list[tuple[str, str, float, float, float, float]]
    after: list[tuple[str, str, float, float, float, float]]
    encoded_at_start: tuple[int, int, int]  # matching.encoded, encoder.encoded, encoder.calls
    encoded_to_answer: int


def _start_insert_stop_start(db_url: str, tmp_path: Path) -> Restart:
    _accounts(db_url)
    sme, intermediary = "usr-sme-r@example.nl", "usr-int-r@example.nl"
    with running_app(tmp_path, db_url) as first:
        created = first.post(
            "/challenges",
            sme,
            json={
                "community_id": "com-r",
                "title": "Warmtepompen installeren",
                "description": "Wij zoeken studenten die warmtepompen installeren bij woningen.",
                "wanted_skills": [{"label": "warmtepompen installeren"}],
            },
        )
        assert created.status_code == 201, created.text
        challenge_id = created.json()["id"]
        assert first.post(f"/challenges/{challenge_id}/publish", sme).status_code == 200
        for n, (programme, level, about) in enumerate(STUDENTS):
            answer = first.post(
                "/students",
                intermediary,
                json={
                    "full_name": f"Student {n}",
                    "programme": programme,
                    "level": level,
                    "about": about,
                    "consent_matching": True,
                    "community_ids": ["com-r"],
                },
            )
            assert answer.status_code == 201, answer.text
        before = _suggestions(first, challenge_id)
        assert len(before) == len(STUDENTS)
        assert first.app.state.matching.encoded >= 1 + len(STUDENTS)

    encoder = HashingEncoder()
    with running_app(tmp_path, db_url, encoder) as second:
        at_start = (second.app.state.matching.encoded, encoder.encoded, encoder.calls)
        after = _suggestions(second, challenge_id)
        to_answer = encoder.encoded - at_start[1]
    return Restart(before, after, at_start, to_answer)


def test_restart_encodes_nothing(db_url: str, tmp_path: Path) -> None:
    restart = _start_insert_stop_start(db_url, tmp_path)
    assert restart.encoded_at_start == (0, 0, 0), "(matching.encoded, encoded, encode calls)"
    assert restart.encoded_to_answer == 0, "answering from stored vectors encodes nothing"


def test_restart_serves_identical_suggestions(db_url: str, tmp_path: Path) -> None:
    restart = _start_insert_stop_start(db_url, tmp_path)
    before, after = restart.before, restart.after
    assert [row[:2] for row in after] == [row[:2] for row in before], "ids and order"
    for old, new in zip(before, after, strict=True):
        assert new[2:] == pytest.approx(old[2:], abs=1e-6), f"score of {old[1]} changed"


def test_restart_of_the_world_encodes_nothing_and_serves_the_same_answer(
    world_url: str, tmp_path: Path
) -> None:
    with running_app(tmp_path, world_url) as first:
        assert first.encoder.encoded == 0
        first_answer = first.get(
            "/challenges/ch-a-pub/suggestions/students?available=false", "int-a"
        )
        assert first_answer.status_code == 200
    encoder = HashingEncoder()
    with running_app(tmp_path, world_url, encoder) as second:
        second_answer = second.get(
            "/challenges/ch-a-pub/suggestions/students?available=false", "int-a"
        )
        assert (encoder.encoded, second.app.state.matching.encoded) == (0, 0)
    assert [row["id"] for row in second_answer.json()["data"]] == [
        row["id"] for row in first_answer.json()["data"]
    ]
    assert [row["score"] for row in second_answer.json()["data"]] == pytest.approx(
        [row["score"] for row in first_answer.json()["data"]], abs=1e-6
    )


def test_a_changed_text_while_stopped_is_encoded_once_at_start_up(
    world_url: str, tmp_path: Path
) -> None:
    engine = make_engine(world_url)
    with Session(engine, expire_on_commit=False) as session:
        challenge = session.get(Challenge, "ch-a-pub")
        old_hash = challenge.text_hash
        challenge.description = "Een nieuwe tekst: zonnepanelen op daken van scholen plaatsen."
        session.add(challenge)
        session.commit()
    engine.dispose()
    encoder = HashingEncoder()
    with running_app(tmp_path, world_url, encoder) as world:
        assert world.app.state.matching.encoded == 1
        assert encoder.encoded == 1
        stored = world.row(Challenge, "ch-a-pub")
        assert stored["text_hash"] != old_hash
        assert (
            stored["embedding"] == encoder.encode([text_view("challenge", challenge)])[0].tolist()
        )
