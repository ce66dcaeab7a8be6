"""Trust: consent and visibility, the approval gate, access (export), the audit log, erasure
and the fairness report, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from apiworld import CHEAP_HASH, World, running_app
from sqlmodel import SQLModel, select

from matcher import HashingEncoder
from matcher.cache import CachedEncoder, text_hash
from service.app import create_app
from service.domain.tables import (
    AuditEntry,
    Challenge,
    Community,
    Membership,
    StudentProfile,
    Suggestion,
)
from service.settings import Settings
from service.usecases.access import NAME_AFTER_APPROVAL, NAME_FOR_INTERMEDIARIES
from service.usecases.audit import pseudonym
from service.usecases.matching import Matching, text_view

STUDENTS = "/challenges/{}/suggestions/students?available=false&k=100"


def _suggest(world: World, challenge: str = "ch-a-pub", as_: str = "int-a") -> dict[str, dict]:
    """Target id -> suggestion, as `as_` sees the ranked students of a challenge."""
    answer = world.get(STUDENTS.format(challenge), as_)
    assert answer.status_code == 200, answer.text
    return {row["target_id"]: row for row in answer.json()["data"]}


def _act(world: World, sid: str, action: str, as_: str = "int-a", **body: Any) -> dict:
    answer = world.post(f"/suggestions/{sid}/{action}", as_, json=body)
    assert answer.status_code == 200, f"{action} as {as_}: {answer.text}"
    return answer.json()


def _audit(world: World, as_: str = "admin", **filters: str) -> list[dict]:
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    answer = world.get(f"/audit?limit=100&{query}", as_)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["count"] == len(body["data"])
    return body["data"]


def _sme_sees(world: World, sid: str, as_: str = "sme-a") -> dict | None:
    answer = world.get(f"/suggestions/{sid}", as_)
    assert answer.status_code in (200, 404), answer.text
    return answer.json() if answer.status_code == 200 else None


# -- consent and visibility ------------------------------------------------------------------


def test_withdrawn_consent_leaves_every_index_and_open_suggestion_at_once(world: World) -> None:
    first = _suggest(world)["stu-a1"]["id"]  # stays suggested
    approved = _suggest(world, "ch-a-other")["stu-a1"]["id"]
    _act(world, approved, "approve", reason="Past")
    # A third, introduced match on a new challenge of A: both sides know of it.
    third = world.post(
        "/challenges",
        "sme-a",
        json={
            "community_id": "com-a",
            "title": "Warmtepompen in een nieuwe wijk",
            "description": "Een student helpt warmtepompen te installeren in een wijk.",
        },
    ).json()["id"]
    assert world.post(f"/challenges/{third}/publish", "sme-a").status_code == 200
    known = _suggest(world, third)["stu-a1"]["id"]
    _act(world, known, "approve")
    _act(world, known, "introduce")
    matching = world.app.state.matching
    assert "stu-a1" in matching.rankers["student"]

    answer = world.patch("/students/stu-a1", "stu-a1", json={"consent_matching": False})
    assert answer.status_code == 200

    for kind, ranker in matching.rankers.items():
        assert "stu-a1" not in ranker, kind
        assert "stu-a1" not in ranker.texts_, kind
    assert world.suggestion(first) is None
    assert world.suggestion(approved) is None
    assert world.events(approved) == []  # the decision went with the open suggestion
    assert world.suggestion(known).status == "introduced"
    assert _sme_sees(world, approved) is None
    queue = world.get("/suggestions?community_id=com-a&limit=100", "int-a").json()["data"]
    assert {row["id"] for row in queue if row["target_id"] == "stu-a1"} == {known}
    # Asked again, the matcher does not bring the student back.
    for challenge in ("ch-a-pub", "ch-a-other", third):
        assert "stu-a1" not in _suggest(world, challenge)


def test_an_sme_sees_a_student_by_name_only_as_the_student_allows(world: World) -> None:
    sid = _suggest(world)["stu-a1"]["id"]
    approved = _act(world, sid, "approve", reason="Past goed")
    assert approved["target_name"] == "Sanne Installateur A"  # the intermediary sees the name

    # Visibility "intermediaries" (the default): the SME sees the match, not the name.
    seen = _sme_sees(world, sid)
    assert seen is not None
    assert seen["target_name"] == NAME_FOR_INTERMEDIARIES
    assert seen["score"] == approved["score"]
    assert seen["explanation"] == approved["explanation"]
    listed = world.get("/suggestions?limit=100", "sme-a").json()["data"]
    assert [row["target_name"] for row in listed if row["id"] == sid] == [NAME_FOR_INTERMEDIARIES]
    assert "Sanne Installateur A" not in world.get("/suggestions?limit=100", "sme-a").text

    # "community_after_approval": the SMEs of the community see the name of an approved match.
    world.patch("/students/stu-a1", "stu-a1", json={"visibility": "community_after_approval"})
    assert _sme_sees(world, sid)["target_name"] == "Sanne Installateur A"

    # Back to "intermediaries": hidden again, until the student accepts the introduction.
    world.patch("/students/stu-a1", "stu-a1", json={"visibility": "intermediaries"})
    _act(world, sid, "introduce")
    assert _sme_sees(world, sid)["target_name"] == NAME_FOR_INTERMEDIARIES
    assert world.get(f"/suggestions/{sid}", "stu-a1").json()["target_name"] == (
        "Sanne Installateur A"
    )
    _act(world, sid, "respond", "stu-a1", response="accepted")
    assert _sme_sees(world, sid)["target_name"] == "Sanne Installateur A"
    # And the SME still never reaches the profile itself.
    assert world.get("/students/stu-a1", "sme-a").status_code == 404


# -- the approval gate -----------------------------------------------------------------------


def test_in_approval_mode_nothing_about_a_student_reaches_an_sme_before_approval(
    world: World,
) -> None:
    assert world.get("/communities/com-a", "int-a").json()["approval_mode"] == "approval"
    suggested = _suggest(world)
    assert world.get(STUDENTS.format("ch-a-pub"), "sme-a").status_code == 403
    sids = [row["id"] for row in suggested.values()]
    for sid in sids:
        assert _sme_sees(world, sid) is None
        assert world.get(f"/suggestions/{sid}/events", "sme-a").status_code == 404
    listed = world.get("/suggestions?target_kind=student&limit=100", "sme-a").json()
    assert listed == {"data": [], "count": 0}
    for student in ("stu-a1", "stu-a2"):
        assert student not in world.get("/suggestions?limit=100", "sme-a").text
        assert world.get(f"/students/{student}", "sme-a").status_code == 404

    _act(world, suggested["stu-a1"]["id"], "reject", reason="Past niet")
    _act(world, suggested["stu-a2"]["id"], "approve")
    assert _sme_sees(world, suggested["stu-a1"]["id"]) is None  # rejected: never
    assert _sme_sees(world, suggested["stu-a2"]["id"])["status"] == "approved"


def test_in_open_mode_the_communitys_smes_see_suggested_students_directly(world: World) -> None:
    opened = world.patch("/communities/com-a", "int-a", json={"approval_mode": "open"})
    assert opened.status_code == 200 and opened.json()["approval_mode"] == "open"
    world.patch("/students/stu-a2", "stu-a2", json={"visibility": "community_after_approval"})

    rows = _suggest(world, "ch-a-pub", "sme-a")  # the SME asks for its own challenge
    assert set(rows) == {"stu-a1", "stu-a2"}
    assert {row["status"] for row in rows.values()} == {"suggested"}
    # The names follow the students' visibility: none of them is approved yet.
    assert rows["stu-a1"]["target_name"] == NAME_FOR_INTERMEDIARIES
    assert rows["stu-a2"]["target_name"] == NAME_AFTER_APPROVAL
    queue = world.get("/suggestions?status=suggested&limit=100", "sme-a").json()["data"]
    assert {row["target_id"] for row in queue} == {"stu-a1", "stu-a2"}

    # Only for its own challenges, and only in the open community.
    assert world.get(STUDENTS.format("ch-a-pub"), "sme2-a").status_code == 403
    assert world.get(STUDENTS.format("ch-b-pub"), "sme-b").status_code == 403
    assert world.get(STUDENTS.format("ch-a-pub"), "stu-a1").status_code == 403

    # Intermediaries still decide; a rejection hides the match, an approval reveals the name
    # of a student who chose "community_after_approval".
    _act(world, rows["stu-a1"]["id"], "reject", reason="Niet beschikbaar")
    _act(world, rows["stu-a2"]["id"], "approve")
    assert _sme_sees(world, rows["stu-a1"]["id"]) is None
    assert _sme_sees(world, rows["stu-a2"]["id"])["target_name"] == "Daan Data A"
    assert world.post(f"/suggestions/{rows['stu-a2']['id']}/introduce", "sme-a").status_code == 403

    # Community B stays behind the gate.
    sid = _suggest(world, "ch-b-pub", "int-b")["stu-b1"]["id"]
    assert _sme_sees(world, sid, "sme-b") is None


# -- access: the export ----------------------------------------------------------------------


def test_a_student_downloads_everything_stored_about_them(world: World) -> None:
    key = world.post("/users/me/api-keys", "stu-a1", json={"name": "mijn script"}).json()
    sid = _suggest(world)["stu-a1"]["id"]
    _act(world, sid, "approve", reason="Past bij de opleiding")
    other = _suggest(world, "ch-a-other")["stu-a1"]["id"]  # suggested: not yet shown to them
    assert world.get("/students/stu-a1", "int-a").status_code == 200

    answer = world.get("/users/me/export", "stu-a1")
    assert answer.status_code == 200, answer.text
    export = answer.json()
    assert "password" not in answer.text and CHEAP_HASH not in answer.text
    assert key["key"] not in answer.text and "key_hash" not in answer.text

    account = export["account"]
    assert account["id"] == "usr-stu-a1"
    assert account["email"] == "stu-a1@example.nl"
    assert account["role"] == "student"
    assert {(m["community_id"], m["kind"]) for m in export["memberships"]} == {
        ("com-a", "user"),
        ("com-a", "student"),
    }
    profile = export["student_profile"]
    assert profile["id"] == "stu-a1"
    assert profile["full_name"] == "Sanne Installateur A"
    assert [skill["label"] for skill in profile["skills"]] == ["warmtepompen installeren"]
    assert profile["interests"] == ["energietransitie", "duurzame warmte"]
    assert profile["consent_matching"] is True and profile["visibility"] == "intermediaries"
    stored = world.row(StudentProfile, "stu-a1")
    assert profile["embedding"]["vector"] == pytest.approx(stored["embedding"])
    assert profile["embedding"]["model"] == stored["embedding_model"]
    assert "Installatietechniek" in profile["embedding"]["text"]

    suggestions = {row["id"]: row for row in export["suggestions"]}
    assert set(suggestions) == {sid, other}
    assert suggestions[sid]["status"] == "approved"
    assert suggestions[sid]["reason"] == "Past bij de opleiding"
    assert suggestions[other]["status"] == "suggested"
    assert [
        (e["suggestion_id"], e["action"], e["actor_id"]) for e in export["suggestion_events"]
    ] == [(sid, "approve", "usr-int-a")]
    assert [(k["id"], k["name"]) for k in export["api_keys"]] == [(key["id"], "mijn script")]

    log = export["audit_log"]
    views = [e for e in log if e["action"] == "student.view"]
    assert [(e["actor_id"], e["object_id"]) for e in views] == [("usr-int-a", "stu-a1")]
    assert {e["action"] for e in log} >= {"suggestion.view", "suggestion.approve", "user.export"}
    assert all(e["subject_id"] in ("stu-a1", "usr-stu-a1") for e in log)


def test_an_institution_exports_the_data_of_a_student_without_a_login(world: World) -> None:
    answer = world.get("/students/stu-a3/export", "int-a")
    assert answer.status_code == 200, answer.text
    export = answer.json()
    assert export["account"] is None and export["api_keys"] == []
    assert export["student_profile"]["full_name"] == "Noor Zondertoestemming A"
    assert [e["action"] for e in export["audit_log"]] == ["student.export"]
    assert world.get("/students/stu-a3/export", "int-b").status_code == 404
    # Someone without a profile gets their account and memberships.
    own = world.get("/users/me/export", "sme-a").json()
    assert own["student_profile"] is None and own["suggestions"] == []
    assert own["account"]["organisation_id"] == "org-sme-a"


# -- the audit log ---------------------------------------------------------------------------


def test_views_and_decisions_are_logged_with_who_what_when_and_why(world: World) -> None:
    assert world.get("/students/stu-a1", "stu-a1").status_code == 200  # one's own: not logged
    assert _audit(world, subject_id="stu-a1") == []

    assert world.get("/students/stu-a1", "int-a").status_code == 200
    [view] = _audit(world, subject_id="stu-a1")
    assert view["actor_id"] == "usr-int-a"
    assert (view["action"], view["object_kind"], view["object_id"]) == (
        "student.view",
        "student",
        "stu-a1",
    )
    assert view["reason"] == "profile read" and view["at"]

    rows = _suggest(world)
    shown = _audit(world, action="suggestion.view")
    assert {(e["object_id"], e["subject_id"]) for e in shown} == {
        (row["id"], target) for target, row in rows.items()
    }
    assert {e["community_id"] for e in shown} == {"com-a"}

    sid = rows["stu-a1"]["id"]
    _act(world, sid, "approve", reason="Past qua opleiding")
    [decision] = _audit(world, action="suggestion.approve")
    assert decision["actor_id"] == "usr-int-a"
    assert (decision["object_kind"], decision["object_id"]) == ("suggestion", sid)
    assert decision["subject_id"] == "stu-a1" and decision["reason"] == "Past qua opleiding"
    assert decision["details"] == {
        "decision": "approve",
        "from_status": "suggested",
        "to_status": "approved",
    }
    _act(world, sid, "introduce")
    before = len(_audit(world))
    # The student reading a match about themself is not a disclosure; the SME reading it is.
    world.get(f"/suggestions/{sid}", "stu-a1")
    assert len(_audit(world)) == before
    world.get(f"/suggestions/{sid}", "sme-a")
    newest = _audit(world)[0]
    assert (newest["actor_id"], newest["action"], newest["object_id"]) == (
        "usr-sme-a",
        "suggestion.view",
        sid,
    )
    # Every decision, by anyone, is one entry.
    _act(world, sid, "respond", "stu-a1", response="accepted", reason="Leuk!")
    answered = _audit(world, action="suggestion.respond")
    assert [(e["actor_id"], e["reason"]) for e in answered] == [("usr-stu-a1", "Leuk!")]
    assert answered[0]["details"]["decision"] == "respond:target:accepted"

    # Intermediaries read the entries of their communities only; SMEs and students none.
    assert _audit(world, "int-a", subject_id="stu-a1")
    assert _audit(world, "int-b", subject_id="stu-a1") == []
    assert _audit(world, "int-b", community_id="com-a") == []
    assert world.get("/audit", "sme-a").status_code == 403
    assert world.get("/audit", "stu-a1").status_code == 403


def test_the_audit_log_cannot_be_changed_through_the_api(world: World) -> None:
    world.get("/students/stu-a1", "int-a")
    document = world.client.get("/openapi.json").json()
    audit_paths = {path: ops for path, ops in document["paths"].items() if "/audit" in path}
    assert list(audit_paths) == ["/api/v1/audit"]
    assert set(audit_paths["/api/v1/audit"]) == {"get"}
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        answer = world.call(method, "/audit", "admin", json={"reason": "weg ermee"})
        assert answer.status_code == 405, method
    [entry] = _audit(world)
    for method in ("PUT", "PATCH", "DELETE"):
        assert world.call(method, f"/audit/{entry['id']}", "admin").status_code in (404, 405)
    assert _audit(world) == [entry]


def test_the_audit_log_pages_newest_first(world: World) -> None:
    for _ in range(5):
        world.get("/students/stu-a1", "int-a")
    everything = _audit(world)
    assert len(everything) == 5
    ids = [entry["id"] for entry in everything]
    assert ids == sorted(ids, reverse=True)
    page = world.get("/audit?limit=2&skip=2", "admin").json()
    assert page["count"] == 5 and [e["id"] for e in page["data"]] == ids[2:4]
    assert world.get("/audit?limit=101", "admin").status_code == 422


# -- erasure ---------------------------------------------------------------------------------


def _text_values(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


def _scan_database(world: World, needles: list[str], vectors: list[np.ndarray]) -> list[str]:
    """Every cell of every table that holds one of the needles (in text or JSON) or one of the
    vectors."""
    found = []
    with world.app.state.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(sa.select(table)).mappings():
                for column, value in row.items():
                    if isinstance(value, np.ndarray):
                        if any(np.array_equal(value, vector) for vector in vectors):
                            found.append(f"{table.name}.{column}: a vector of the person")
                        continue
                    text = _text_values(value)
                    found += [f"{table.name}.{column}: {n!r}" for n in needles if n in text]
    return found


def _scan_memory(
    matching: Matching, needles: list[str], vectors: list[np.ndarray], cache: CachedEncoder
) -> list[str]:
    """Everything the live indexes and the embedding cache keep that names or embeds them."""
    found = []
    for kind, ranker in matching.rankers.items():
        index = ranker.index_
        kept = [*ranker.texts_, *ranker.texts_.values()]
        if index is not None:
            kept += index.ids
            kept += [value for values in index._attributes.values() for value in values]
            kept += [
                id_
                for values in index._attributes.values()
                for ids in values.values()
                for id_ in ids
            ]
            rows = index._matrix
            if any(np.allclose(row, vector) for row in rows for vector in vectors):
                found.append(f"{kind}: a vector of the person in the index")
        found += [f"{kind}: {n!r}" for n in needles for text in kept if n in text]
    store = cache.store._vectors
    for vector in vectors:
        if any(np.array_equal(kept, vector) for kept in store.values()):
            found.append("the embedding cache holds a vector of the person")
    return found


@pytest.fixture
def cached(world_url: str, tmp_path: Path):
    """The world's app with an embedding cache in front of the encoder, as in production."""
    cache = CachedEncoder(encoder=HashingEncoder())
    with running_app(tmp_path, world_url, cache) as running:
        yield running, cache


def test_erasing_a_person_leaves_nothing_in_any_table_index_or_cache(cached) -> None:
    world, cache = cached
    secret = world.app.state.settings.pseudonym_key
    old_vector = np.asarray(world.row(StudentProfile, "stu-a1")["embedding"], dtype=np.float32)
    # A history: views, decisions with reasons that name her, an edit, an API key, an export.
    rows = _suggest(world)
    sid = rows["stu-a1"]["id"]
    _suggest(world, "ch-a-other")
    _act(world, sid, "approve", reason="Sanne Installateur A past goed")
    _act(world, sid, "introduce")
    _act(world, sid, "respond", "stu-a1", response="accepted", reason="Graag, stu-a1@example.nl")
    world.get("/students/stu-a1", "int-a")
    edited = world.patch(
        "/students/stu-a1", "stu-a1", json={"about": "Ik installeer warmtepompen en zonneboilers."}
    )
    assert edited.status_code == 200
    profile = world.row(StudentProfile, "stu-a1")
    new_vector = np.asarray(profile["embedding"], dtype=np.float32)
    with world.session() as session:
        new_text = text_view("student", session.get(StudentProfile, "stu-a1"))
    # A student's text never stays in the embedding cache: its vector lives in its row only.
    assert cache.store.get_many(cache.model_id, [text_hash(new_text)]) == {}
    world.post("/users/me/api-keys", "stu-a1", json={"name": "sleutel"})
    world.get("/users/me/export", "stu-a1")
    # Her ids, names and e-mail address ("stu-a1" is part of the other ids and of the address).
    needles = [
        "stu-a1",
        "usr-stu-a1",
        "stu-a1@example.nl",
        "Sanne Installateur A",
        "Student stu-a1",
    ]
    # Her vectors, as far as they are hers alone: before the edit her text was the same as
    # stu-b1's, and so was its vector, which rightly stays.
    with world.session() as session:
        others = [
            row.embedding for row in session.exec(select(StudentProfile)) if row.id != "stu-a1"
        ]
    vectors = [v for v in (old_vector, new_vector) if not any(np.array_equal(v, o) for o in others)]
    assert len(vectors) == 1
    assert _scan_database(world, needles, vectors), "the history names her before erasure"
    other = rows["stu-a2"]["id"]

    assert world.delete("/users/usr-stu-a1", "admin").status_code == 204

    assert _scan_database(world, needles, vectors) == []
    assert _scan_memory(world.app.state.matching, needles, vectors, cache) == []
    # What stays: a pseudonymous trace in the audit log, without the reasons about her.
    alias, account_alias = pseudonym(secret, "stu-a1"), pseudonym(secret, "usr-stu-a1")
    about = _audit(world, subject_id=alias)
    assert {e["action"] for e in about} >= {
        "student.view",
        "suggestion.view",
        "suggestion.approve",
        "suggestion.respond",
        "student.erase",
    }
    assert all(e["reason"] is None for e in about if e["action"].startswith("suggestion."))
    assert [e["actor_id"] for e in about if e["action"] == "suggestion.respond"] == [account_alias]
    assert [e["object_id"] for e in _audit(world, action="user.erase")] == [account_alias]
    assert alias.startswith("erased-") and len(alias) == len("erased-") + 16
    # Others are untouched, and the service goes on without her.
    assert world.suggestion(other) is not None
    assert set(_suggest(world)) == {"stu-a2"}
    assert world.login("stu-a1").status_code == 400
    assert world.get("/students/stu-a1", "int-a").status_code == 404


def test_a_student_erases_their_profile_and_keeps_their_account(world: World) -> None:
    # Her own text (the world's stu-a1 and stu-b1 share one, and with it a vector).
    about = {"about": "Ik wil warmtepompen installeren en leer ook zonnepanelen plaatsen."}
    assert world.patch("/students/stu-a1", "stu-a1", json=about).status_code == 200
    sid = _suggest(world)["stu-a1"]["id"]
    _act(world, sid, "approve", reason="Sanne Installateur A past")
    world.get("/students/stu-a1", "int-a")
    vector = np.asarray(world.row(StudentProfile, "stu-a1")["embedding"], dtype=np.float32)

    assert world.delete("/students/stu-a1", "stu-a1").status_code == 204

    # The account (usr-stu-a1, stu-a1@example.nl) stays; nothing names the profile any more.
    assert _scan_database(world, ["Sanne Installateur A", '"stu-a1"'], [vector]) == []
    with world.session() as session:
        for column in (AuditEntry.subject_id, AuditEntry.object_id):
            assert session.exec(select(AuditEntry).where(column == "stu-a1")).all() == []
        assert session.exec(select(Suggestion).where(Suggestion.target_id == "stu-a1")).all() == []
        assert session.exec(select(Membership).where(Membership.member_id == "stu-a1")).all() == []
    assert world.suggestion(sid) is None and world.events(sid) == []
    ranker = world.app.state.matching.rankers["student"]
    assert "stu-a1" not in ranker
    assert not any(np.allclose(row, vector) for row in ranker.index_._matrix)
    me = world.get("/users/me", "stu-a1").json()
    assert me["id"] == "usr-stu-a1" and me["student_id"] is None
    erased = _audit(world, action="student.erase")
    assert [(e["actor_id"], e["object_id"]) for e in erased] == [
        ("usr-stu-a1", pseudonym(world.app.state.settings.pseudonym_key, "stu-a1"))
    ]
    # An admin cannot erase themself (and with the last admin, everyone's way in).
    assert world.delete("/users/usr-admin", "admin").status_code == 409


# -- fairness --------------------------------------------------------------------------------


def _fairness_world(world: World) -> None:
    """Community F: four consenting students (mbo f1 f2 in Zwolle, hbo f3 and wo f4 in
    Deventer) and f5 (mbo, Zwolle) who withdrew consent after an introduction; two challenges
    with stored student suggestions:

        ch-f1: f1 0.9, f3 0.8, f2 0.7        ch-f2: f5 0.95 (introduced), f1 0.6, f4 0.5
    """
    students = {
        "f1": ("mbo", "Zwolle", True),
        "f2": ("mbo", "Zwolle", True),
        "f3": ("hbo", "Deventer", True),
        "f4": ("wo", "Deventer", True),
        "f5": ("mbo", "Zwolle", False),
    }
    scores = {
        "ch-f1": [("f1", 0.9), ("f3", 0.8), ("f2", 0.7)],
        "ch-f2": [("f5", 0.95), ("f1", 0.6), ("f4", 0.5)],
    }
    with world.session() as session:
        session.add(Community(id="com-f", name="Leergemeenschap Salland", region="Salland"))
        session.flush()
        for id_, (level, region, consent) in students.items():
            session.add(
                StudentProfile(
                    id=f"stu-{id_}",
                    full_name=f"Student {id_}",
                    programme="Werktuigbouwkunde",
                    level=level,
                    region=region,
                    consent_matching=consent,
                )
            )
            session.add(Membership(community_id="com-f", member_id=f"stu-{id_}", kind="student"))
        for challenge in scores:
            session.add(
                Challenge(
                    id=challenge,
                    community_id="com-f",
                    organisation_id="org-sme-a",
                    status="published",
                    title="Een opdracht in Salland",
                    description="Een opdracht voor studenten in Salland.",
                )
            )
        session.flush()
        for challenge, ranked in scores.items():
            for id_, score in ranked:
                session.add(
                    Suggestion(
                        community_id="com-f",
                        challenge_id=challenge,
                        target_kind="student",
                        target_id=f"stu-{id_}",
                        score=score,
                        dense=score,
                        lexical=score,
                        skill=0.0,
                        model_version="hand-made",
                        status="introduced" if id_ == "f5" else "suggested",
                    )
                )
        session.commit()


def test_the_fairness_report_on_a_hand_computed_case(world: World) -> None:
    _fairness_world(world)
    answer = world.get("/communities/com-f/fairness", "admin")
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["students"] == 4  # f5 does not consent: not in the population
    assert report["suggestions"] == 5  # nor in the exposure (but it holds rank 1 on ch-f2)
    # Rank weights 1/log2(rank + 1): rank 1 -> 1, rank 2 -> 1/log2(3) = 0.63093, rank 3 -> 0.5.
    #   f1: 1 (ch-f1, rank 1) + 0.63093 (ch-f2, rank 2); f2: 0.5; f3: 0.63093; f4: 0.5
    #   mbo = 2.13093, hbo = 0.63093, wo = 0.5; all = 3.26186
    #   mbo: share 2.13093 / 3.26186 = 0.65329, population 2/4 -> ratio 1.30657
    #   hbo: 0.19343 / 0.25 = 0.77371;  wo: 0.15329 / 0.25 = 0.61314
    #   Zwolle (f1, f2): 0.65329 / 0.5 = 1.30657;  Deventer (f3, f4): 0.34671 / 0.5 = 0.69343
    # Without rank weighting: mbo 3 of 5 appearances -> 0.6 / 0.5 = 1.2; hbo, wo 0.2 / 0.25 = 0.8
    level = {group["group"]: group for group in report["by_level"]}
    assert list(level) == ["mbo", "hbo", "wo"]
    assert [level[g]["students"] for g in level] == [2, 1, 1]
    assert [level[g]["population_share"] for g in level] == [0.5, 0.25, 0.25]
    assert [level[g]["appearances"] for g in level] == [3, 1, 1]
    assert [level[g]["appearance_ratio"] for g in level] == pytest.approx([1.2, 0.8, 0.8])
    assert level["mbo"]["exposure"] == pytest.approx(2.13093, abs=1e-5)
    assert [level[g]["exposure_share"] for g in level] == pytest.approx(
        [0.65329, 0.19343, 0.15329], abs=1e-5
    )
    assert [level[g]["exposure_ratio"] for g in level] == pytest.approx(
        [1.30657, 0.77371, 0.61314], abs=1e-5
    )
    region = {group["group"]: group for group in report["by_region"]}
    assert list(region) == ["Deventer", "Zwolle"]
    assert region["Zwolle"]["exposure_ratio"] == pytest.approx(1.30657, abs=1e-5)
    assert region["Deventer"]["exposure_ratio"] == pytest.approx(0.69343, abs=1e-5)
    assert region["Deventer"]["appearance_ratio"] == pytest.approx(0.8)
    assert report["definition"].startswith("Population: the students of the community")
    # The formula, once more, independently of the hand-computed figures.
    assert level["hbo"]["exposure"] == pytest.approx(1 / math.log2(3))


def test_the_fairness_report_of_a_community_without_suggestions(world: World) -> None:
    report = world.get("/communities/com-a/fairness", "int-a").json()
    assert report["students"] == 2 and report["suggestions"] == 0
    level = {group["group"]: group for group in report["by_level"]}
    assert level["wo"]["students"] == 0 and level["wo"]["exposure_ratio"] is None
    assert level["mbo"]["population_share"] == 0.5 and level["mbo"]["exposure_share"] is None
    assert world.get("/communities/com-a/fairness", "int-b").status_code == 404
    assert world.get("/communities/com-a/fairness", "sme-a").status_code == 403


def test_the_openapi_document_describes_the_privacy_routes() -> None:
    app = create_app(Settings(demo_data=False, environment="development"))
    paths = app.openapi()["paths"]
    fairness = paths["/api/v1/communities/{community_id}/fairness"]["get"]
    assert "1/log2(rank + 1)" in fairness["description"]
    export = paths["/api/v1/users/me/export"]["get"]
    assert "password hash" in export["description"]
    assert set(paths["/api/v1/users/{user_id}"]) == {"get", "delete"}
