"""Rounds through the API: open, preferences, solve, pin and re-solve, commit, export."""

from __future__ import annotations

import csv
import io

import pytest
from apiworld import World
from sqlmodel import select

from service.domain.tables import AuditEntry, Challenge, Round, Suggestion, SuggestionEvent

PERIOD = {
    "period_label": "februari–juni 2027",
    "period_start": "2027-02-01",
    "period_end": "2027-06-30",
}
NEW_ROUND = {"community_id": "com-a", "name": "Ronde voorjaar 2027", "time_limit_s": 5, **PERIOD}
STUDENTS = [
    ("Femke Warmte", "Installatietechniek", "mbo", "Doetinchem", "warmtepompen installeren"),
    ("Ruben Data", "HBO-ICT", "hbo", "Zutphen", "Python"),
    ("Lotte Bouw", "Bouwkunde", "hbo", "Winterswijk", "warmtepompen installeren"),
    ("Sem Energie", "Elektrotechniek", "mbo", "Doetinchem", "zonnepanelen installeren"),
    ("Iris Analyse", "Data Science", "wo", "Zutphen", "Python"),
]
CHALLENGES = [
    ("Warmtepompen in een wijk plannen", "warmtepompen installeren"),
    ("Energiedashboard voor een school bouwen", "Python"),
]


def _made(answer) -> dict:
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


@pytest.fixture
def cohort(world: World) -> dict[str, list[str]]:
    """Community A with places the gazetteer knows: stu-a1 and five more students in the
    Achterhoek's towns, ch-a-pub and two new challenges in Doetinchem. ch-a-other keeps its
    place "Achterhoek" (a region, not a place) and so cannot be staffed."""
    _made(world.patch("/students/stu-a1", "int-a", json={"region": "Doetinchem"}))
    _made(world.patch("/challenges/ch-a-pub", "int-a", json={"place": "Doetinchem"}))
    # Saved before places were looked up on save (the API now refuses a region): written as such.
    with world.session() as session:
        other = session.get(Challenge, "ch-a-other")
        other.place = "Achterhoek"
        session.add(other)
        session.commit()
    students = ["stu-a1"]
    for name, programme, level, place, skill in STUDENTS:
        body = {
            "full_name": name,
            "programme": programme,
            "level": level,
            "community_ids": ["com-a"],
            "region": place,
            "travel_km": 40,
            "hours_per_week": 16,
            "consent_matching": True,
            "available_from": "2027-01-01",
            "available_until": "2027-12-31",
            "skills": [{"label": skill}],
            "about": f"Ik wil graag werken aan {skill} in de regio.",
        }
        students.append(_made(world.post("/students", "int-a", json=body))["id"])
    challenges = ["ch-a-pub"]
    for title, skill in CHALLENGES:
        body = {
            "community_id": "com-a",
            "organisation_id": "org-sme-a",
            "title": title,
            "description": f"{title}: een team van studenten helpt ons met {skill}.",
            "wanted_skills": [{"label": skill}],
            "level": "any",
            "place": "Doetinchem",
            "remote": "hybrid",
            "period_start": "2027-02-01",
            "period_end": "2027-06-30",
            "hours_per_week": 8,
        }
        challenge_id = _made(world.post("/challenges", "int-a", json=body))["id"]
        _made(world.post(f"/challenges/{challenge_id}/publish", "int-a"))
        challenges.append(challenge_id)
    return {"students": students, "challenges": challenges}


def _open(world: World) -> dict:
    answer = world.post("/rounds", "int-a", json=NEW_ROUND)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _placement(proposal: dict) -> dict[str, str]:
    placed: dict[str, str] = {}
    for team in proposal["teams"]:
        for member in team["members"]:
            assert member["student"] not in placed, "a student is in two teams"
            placed[member["student"]] = team["challenge"]
    return placed


def test_a_round_opens_with_the_communitys_open_challenges_and_eligible_students(
    world: World, cohort: dict
) -> None:
    opened = _open(world)
    assert opened["status"] == "open"
    assert {c["challenge_id"] for c in opened["challenges"]} == {
        *cohort["challenges"],
        "ch-a-other",
    }
    # stu-a2 is available in 2026 only, stu-a3 has not consented: neither is eligible.
    assert sorted(opened["student_ids"]) == sorted(cohort["students"])
    assert world.get(f"/rounds/{opened['id']}", "int-a").json()["id"] == opened["id"]
    assert [r["id"] for r in world.get("/rounds", "int-a").json()["data"]] == [opened["id"]]
    assert world.get("/rounds", "int-b").json()["count"] == 0


def test_a_round_from_open_to_commit(world: World, cohort: dict) -> None:
    round_id = _open(world)["id"]
    first = cohort["challenges"][1]
    _made(
        world.put(
            f"/rounds/{round_id}/preferences/stu-a1", "stu-a1", json={"challenge_ids": [first]}
        )
    )

    proposal = _made(world.post(f"/rounds/{round_id}/solve", "int-a"))
    assert proposal["status"] in ("optimal", "feasible"), proposal
    placed = _placement(proposal)
    assert placed, "no team proposed"
    for team in proposal["teams"]:
        assert 1 <= len(team["members"]) <= 3
        assert all(m["why"] and m["why"][0]["nl"] for m in team["members"])
    unstaffed = {u["challenge"]: u["why"] for u in proposal["unstaffed"]}
    assert unstaffed["ch-a-other"]["code"] == "challenge.place_unknown"
    assert "Achterhoek" in unstaffed["ch-a-other"]["en"]
    left_out = {u["student"] for u in proposal["unplaced"]}
    assert left_out | set(placed) == set(cohort["students"])
    assert _made(world.get(f"/rounds/{round_id}/proposal", "int-a"))["teams"] == proposal["teams"]

    # Move one placed student to another staffed challenge: the re-solve keeps the pin.
    student, was = next(iter(placed.items()))
    elsewhere = next(c for c in cohort["challenges"] if c != was)
    pins = {"pins": [{"challenge_id": elsewhere, "student_id": student}], "forbids": []}
    _made(world.put(f"/rounds/{round_id}/pairs", "int-a", json=pins))
    again = _made(world.post(f"/rounds/{round_id}/solve", "int-a"))
    assert again["warm_start"] is True
    assert _placement(again)[student] == elsewhere

    committed = _made(world.post(f"/rounds/{round_id}/commit", "int-a"))
    members = _placement(again)
    assert len(committed["suggestion_ids"]) == len(members)
    with world.session() as session:
        made = session.exec(
            select(Suggestion).where(Suggestion.id.in_(committed["suggestion_ids"]))
        ).all()
        assert {(s.target_id, s.challenge_id) for s in made} == set(members.items())
        assert all(s.status == "approved" and s.reason.startswith("Ronde") for s in made)
        events = session.exec(
            select(SuggestionEvent).where(
                SuggestionEvent.suggestion_id.in_(committed["suggestion_ids"])
            )
        ).all()
        assert {(e.action, e.to_status) for e in events} == {("approve", "approved")}
        audited = session.exec(
            select(AuditEntry).where(AuditEntry.action == "suggestion.approve")
        ).all()
        assert {a.object_id for a in audited} == set(committed["suggestion_ids"])
        assert all(a.details["round"] == round_id for a in audited)
        assert session.get(Round, round_id).status == "committed"
    # The intermediary sees the approved matches among the challenge's suggestions.
    assert world.post(f"/rounds/{round_id}/commit", "int-a").status_code == 409
    assert world.post(f"/rounds/{round_id}/solve", "int-a").status_code == 409

    exported = world.get(f"/rounds/{round_id}/teams.csv", "int-a")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {(r["student_id"], r["challenge_id"]) for r in rows} == set(members.items())


def test_preferences_are_checked_field_by_field(world: World, cohort: dict) -> None:
    round_id = _open(world)["id"]
    url = f"/rounds/{round_id}/preferences/stu-a1"
    six = [*cohort["challenges"], "ch-a-other", "ch-a-pub", "x", "y"]
    too_many = world.put(url, "stu-a1", json={"challenge_ids": six})
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["body", "challenge_ids"]
    unknown = world.put(
        url, "stu-a1", json={"challenge_ids": [cohort["challenges"][0], "ch-b-pub"]}
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "challenge_ids", 1]
    assert "ch-b-pub" in unknown.json()["detail"][0]["msg"]
    twice = [cohort["challenges"][0]] * 2
    assert world.put(url, "stu-a1", json={"challenge_ids": twice}).status_code == 422
    ranked = [cohort["challenges"][2], cohort["challenges"][0]]
    assert (
        _made(world.put(url, "stu-a1", json={"challenge_ids": ranked}))["challenge_ids"] == ranked
    )
    # Someone else's preferences, another community's student, an SME: as if no round existed.
    other = cohort["students"][1]
    assert (
        world.put(
            f"/rounds/{round_id}/preferences/{other}", "stu-a1", json={"challenge_ids": []}
        ).status_code
        == 404
    )
    for persona in ("stu-b1", "sme-a", "int-b"):
        answer = world.put(url, persona, json={"challenge_ids": ranked})
        assert answer.status_code == 404, persona


def test_other_communities_smes_and_students_do_not_see_a_round(world: World, cohort: dict) -> None:
    round_id = _open(world)["id"]
    for persona in ("int-b", "sme-a", "stu-a1", "stu-b1"):
        for method, path in (
            ("GET", ""),
            ("POST", "/solve"),
            ("GET", "/proposal"),
            ("POST", "/commit"),
            ("GET", "/teams.csv"),
        ):
            answer = world.call(method, f"/rounds/{round_id}{path}", persona)
            assert answer.status_code == 404, (persona, method, path)
        answer = world.put(f"/rounds/{round_id}/pairs", persona, json={"pins": [], "forbids": []})
        assert answer.status_code == 404, persona
    assert world.post("/rounds", "sme-a", json=NEW_ROUND).status_code == 403
    assert world.post("/rounds", "int-b", json=NEW_ROUND).status_code == 422


def test_a_commit_that_fails_midway_writes_nothing(
    world: World, cohort: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    round_id = _open(world)["id"]
    proposal = _made(world.post(f"/rounds/{round_id}/solve", "int-a"))
    assert sum(len(t["members"]) for t in proposal["teams"]) >= 2

    from service.usecases import rounds

    original = rounds.audit.record
    calls = {"n": 0}

    def failing(session, actor, action, *args, **kwargs):
        if action == "suggestion.approve":
            calls["n"] += 1
            if calls["n"] == 2:  # the second member: the first is already in the session
                raise RuntimeError("the disk is full")
        return original(session, actor, action, *args, **kwargs)

    monkeypatch.setattr(rounds.audit, "record", failing)
    with pytest.raises(RuntimeError, match="disk is full"):
        world.post(f"/rounds/{round_id}/commit", "int-a")
    monkeypatch.setattr(rounds.audit, "record", original)
    with world.session() as session:
        assert session.get(Round, round_id).status == "proposed"
        assert not session.exec(select(Suggestion).where(Suggestion.status == "approved")).all()
        assert not session.exec(
            select(AuditEntry).where(AuditEntry.action.in_(["suggestion.approve", "round.commit"]))
        ).all()
    # Nothing was half-written: the commit succeeds when tried again.
    assert _made(world.post(f"/rounds/{round_id}/commit", "int-a"))["status"] == "committed"


def test_a_rejected_match_is_not_proposed_and_an_erased_student_leaves_the_round(
    world: World, cohort: dict
) -> None:
    round_id = _open(world)["id"]
    first = _placement(_made(world.post(f"/rounds/{round_id}/solve", "int-a")))
    student, challenge = next(iter(first.items()))
    ranked = _made(
        world.get(f"/challenges/{challenge}/suggestions/students?k=20&available=false", "int-a")
    )
    suggestion = next(s for s in ranked["data"] if s["target_id"] == student)
    rejected = world.post(
        f"/suggestions/{suggestion['id']}/reject", "int-a", json={"reason": "Past niet"}
    )
    assert rejected.status_code == 200, rejected.text
    again = _placement(_made(world.post(f"/rounds/{round_id}/solve", "int-a")))
    assert again.get(student) != challenge

    erased = next(s for s in again if s != "stu-a1")
    assert world.delete(f"/students/{erased}", "int-a").status_code == 204
    assert erased not in world.get(f"/rounds/{round_id}", "int-a").json()["student_ids"]
    assert erased not in world.get(f"/rounds/{round_id}/proposal", "int-a").text


def test_a_students_export_holds_their_rounds(world: World, cohort: dict) -> None:
    round_id = _open(world)["id"]
    ranked = [cohort["challenges"][1]]
    url = f"/rounds/{round_id}/preferences/stu-a1"
    _made(world.put(url, "stu-a1", json={"challenge_ids": ranked}))
    placed = _placement(_made(world.post(f"/rounds/{round_id}/solve", "int-a")))
    exported = _made(world.get("/users/me/export", "stu-a1"))["rounds"]
    assert exported == [
        {
            "round_id": round_id,
            "round_name": NEW_ROUND["name"],
            "community_id": "com-a",
            "preferences": ranked,
            "proposed_challenge_id": placed.get("stu-a1"),
        }
    ]
    assert _made(world.get("/students/stu-a1/export", "int-a"))["rounds"] == exported
