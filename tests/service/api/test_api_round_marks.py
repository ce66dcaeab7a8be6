"""SMEs' marks in a round through the API: the SME sees the students who ranked its challenge
under a number only (no name, e-mail, id or free text, the nearest town instead of a village),
marks those it would love to have, and the mark decides between two equal students; marks go
when the preference or the consent goes; after the commit the usual visibility holds."""

from __future__ import annotations

import pytest
from apiworld import World, email
from sqlmodel import select

from service.domain.tables import AuditEntry, RoundChallenge

PERIOD = {
    "period_label": "februari–juni 2027",
    "period_start": "2027-02-01",
    "period_end": "2027-06-30",
}
#: What identifies stu-a1 and stu-a2 (the world's students): none of it may reach the SME.
IDENTIFYING = (
    "stu-a1",
    "stu-a2",
    "Sanne Installateur A",
    "Daan Data A",
    email("stu-a1"),
    email("stu-a2"),
    "Ik wil warmtepompen installeren bij woningen",
    "Data-analyse met Python",
    "Gaanderen",
)


def _ok(answer, code: int = 200) -> dict:
    assert answer.status_code == code, answer.text
    return answer.json()


def _candidates(round_id: str, challenge_id: str = "ch-a-pub") -> str:
    return f"/rounds/{round_id}/challenges/{challenge_id}/candidates"


@pytest.fixture
def round_id(world: World) -> str:
    """A round of A with ch-a-pub and ch-a-other; stu-a1 ranks ch-a-pub first, stu-a2 (who
    lives in the village Gaanderen) ranks ch-a-other, then ch-a-pub."""
    _ok(world.patch("/students/stu-a1", "int-a", json={"region": "Doetinchem"}))
    _ok(world.patch("/students/stu-a2", "int-a", json={"region": "Gaanderen"}))
    body = {
        "community_id": "com-a",
        "name": "Ronde voorjaar 2027",
        "challenges": [{"challenge_id": "ch-a-pub"}, {"challenge_id": "ch-a-other"}],
        "student_ids": ["stu-a1", "stu-a2"],
        **PERIOD,
    }
    made = _ok(world.post("/rounds", "int-a", json=body), 201)
    rid = made["id"]
    _ok(
        world.put(
            f"/rounds/{rid}/preferences/stu-a1", "stu-a1", json={"challenge_ids": ["ch-a-pub"]}
        )
    )
    _ok(
        world.put(
            f"/rounds/{rid}/preferences/stu-a2",
            "stu-a2",
            json={"challenge_ids": ["ch-a-other", "ch-a-pub"]},
        )
    )
    return rid


def _numbers(world: World, round_id: str) -> dict[str, int]:
    """student id → candidate number, read from the database (the SME never sees this)."""
    from service.domain.tables import RoundStudent

    with world.session() as session:
        rows = session.exec(select(RoundStudent).where(RoundStudent.round_id == round_id))
        return {r.student_id: r.candidate_no for r in rows}


def _marks(world: World, round_id: str, challenge_id: str = "ch-a-pub") -> list[str]:
    with world.session() as session:
        return list(session.get(RoundChallenge, (round_id, challenge_id)).sme_marks)


def test_the_sme_sees_its_candidates_under_numbers_and_nothing_that_identifies_them(
    world: World, round_id: str
) -> None:
    answer = world.get(_candidates(round_id), "sme-a")
    listed = _ok(answer)
    for text in IDENTIFYING:
        assert text not in answer.text, text
    numbers = _numbers(world, round_id)
    assert sorted(numbers.values()) == [1, 2]  # drawn when the round opened
    by_number = {c["candidate"]: c for c in listed["data"]}
    assert set(by_number) == {numbers["stu-a1"], numbers["stu-a2"]}
    first, second = by_number[numbers["stu-a1"]], by_number[numbers["stu-a2"]]
    assert first == {
        "candidate": numbers["stu-a1"],
        "programme": "Installatietechniek",
        "level": "mbo",
        "skills": ["warmtepompen installeren"],
        "available_from": "2027-01-01",
        "available_until": "2027-12-31",
        "hours_per_week": 16,
        "area": "Doetinchem",
        "preference_rank": 1,
        "marked": False,
    }
    # A village is shown as the town near it.
    assert (second["area"], second["preference_rank"]) == ("Doetinchem", 2)
    assert set(first) == set(second)
    # ch-a-other: only stu-a2 ranked it (the intermediary of A sees it; its SME is sme2-a).
    other = _ok(world.get(_candidates(round_id, "ch-a-other"), "sme2-a"))
    assert [c["candidate"] for c in other["data"]] == [numbers["stu-a2"]]
    assert "Daan Data A" not in str(other)


@pytest.mark.parametrize(
    ("who", "challenge", "status"),
    [
        ("sme-a", "ch-a-other", 404),  # another SME's challenge of the same round
        ("sme2-a", "ch-a-pub", 404),
        ("sme-b", "ch-a-pub", 404),  # an SME of another community
        ("int-b", "ch-a-pub", 404),
        ("stu-a1", "ch-a-pub", 403),  # a student never sees or marks candidates
        ("mon-a", "ch-a-pub", 403),
        ("sme-a", "ch-a-draft", 404),  # not a challenge of the round
    ],
)
def test_only_the_challenges_sme_and_its_intermediaries_see_and_mark(
    world: World, round_id: str, who: str, challenge: str, status: int
) -> None:
    assert world.get(_candidates(round_id, challenge), who).status_code == status
    number = _numbers(world, round_id)["stu-a1"]
    put = world.put(f"{_candidates(round_id, challenge)}/{number}/mark", who)
    assert put.status_code == status, put.text
    assert _marks(world, round_id) == []


def test_marking_and_unmarking_a_candidate(world: World, round_id: str) -> None:
    numbers = _numbers(world, round_id)
    path = f"{_candidates(round_id)}/{numbers['stu-a2']}/mark"
    marked = _ok(world.put(path, "sme-a"))
    assert (marked["candidate"], marked["marked"]) == (numbers["stu-a2"], True)
    assert "Daan Data A" not in str(marked)
    _ok(world.put(path, "sme-a"))  # twice is once
    assert _marks(world, round_id) == ["stu-a2"]
    listed = _ok(world.get(_candidates(round_id), "sme-a"))["data"]
    assert {c["candidate"]: c["marked"] for c in listed} == {
        numbers["stu-a1"]: False,
        numbers["stu-a2"]: True,
    }
    with world.session() as session:
        logged = session.exec(select(AuditEntry).where(AuditEntry.action == "round.mark")).one()
    assert (logged.subject_id, logged.actor_id) == ("stu-a2", "usr-sme-a")
    assert _ok(world.delete(path, "sme-a"))["marked"] is False
    assert _marks(world, round_id) == []
    # A number that is nobody's, or a student who did not rank this challenge: 404.
    assert world.put(f"{_candidates(round_id)}/99/mark", "sme-a").status_code == 404
    assert (
        world.put(
            f"{_candidates(round_id, 'ch-a-other')}/{numbers['stu-a1']}/mark", "int-a"
        ).status_code
        == 404
    )


def test_a_mark_goes_with_the_preference_and_with_the_consent(world: World, round_id: str) -> None:
    numbers = _numbers(world, round_id)
    for student in ("stu-a1", "stu-a2"):
        _ok(world.put(f"{_candidates(round_id)}/{numbers[student]}/mark", "sme-a"))
    assert _marks(world, round_id) == ["stu-a1", "stu-a2"]
    # stu-a2 keeps only ch-a-other: the mark on ch-a-pub goes, and so does the candidate.
    _ok(
        world.put(
            f"/rounds/{round_id}/preferences/stu-a2",
            "stu-a2",
            json={"challenge_ids": ["ch-a-other"]},
        )
    )
    assert _marks(world, round_id) == ["stu-a1"]
    listed = _ok(world.get(_candidates(round_id), "sme-a"))["data"]
    assert [c["candidate"] for c in listed] == [numbers["stu-a1"]]
    # stu-a1 withdraws consent: the mark goes, and the SME no longer sees the candidate.
    _ok(world.patch("/students/stu-a1", "stu-a1", json={"consent_matching": False}))
    assert _marks(world, round_id) == []
    assert _ok(world.get(_candidates(round_id), "sme-a"))["data"] == []


def _twin(world: World, name: str) -> str:
    """A student of A; every twin has the same profile but for the name."""
    body = {
        "full_name": name,
        "programme": "Installatietechniek",
        "level": "mbo",
        "community_ids": ["com-a"],
        "region": "Doetinchem",
        "travel_km": 40,
        "hours_per_week": 16,
        "consent_matching": True,
        "visibility": "community_after_approval",
        "available_from": "2027-01-01",
        "available_until": "2027-12-31",
        "skills": [{"label": "warmtepompen installeren"}],
        "about": "Ik wil warmtepompen installeren bij woningen in de Achterhoek.",
    }
    return _ok(world.post("/students", "int-a", json=body), 201)["id"]


def _placed(proposal: dict) -> dict[str, list[dict]]:
    return {t["challenge"]: t["members"] for t in proposal["teams"]}


def test_the_mark_decides_between_two_equal_students_and_the_commit_shows_the_name(
    world: World,
) -> None:
    _ok(world.patch("/challenges/ch-a-pub", "int-a", json={"place": "Doetinchem"}))
    twins = [_twin(world, "Eva Tweeling"), _twin(world, "Fleur Tweeling")]
    body = {
        "community_id": "com-a",
        "name": "Ronde met een keuze",
        "time_limit_s": 5,
        "challenges": [{"challenge_id": "ch-a-pub", "team_min": 1, "team_max": 1}],
        "student_ids": twins,
        **PERIOD,
    }
    rid = _ok(world.post("/rounds", "int-a", json=body), 201)["id"]
    for twin in twins:
        _ok(
            world.put(
                f"/rounds/{rid}/preferences/{twin}", "int-a", json={"challenge_ids": ["ch-a-pub"]}
            )
        )
    numbers = _numbers(world, rid)
    mark = f"{_candidates(rid)}/{{}}/mark"
    for chosen, other in ((twins[0], twins[1]), (twins[1], twins[0])):
        _ok(world.delete(mark.format(numbers[other]), "sme-a"))
        _ok(world.put(mark.format(numbers[chosen]), "sme-a"))
        proposal = _ok(world.post(f"/rounds/{rid}/solve", "int-a"))
        [member] = _placed(proposal)["ch-a-pub"]
        assert member["student"] == chosen
        reasons = {r["code"]: r for r in member["why"]}
        assert reasons["member.sme_mark"]["nl"] == "het mkb wil deze student graag"
        assert reasons["member.sme_mark"]["en"] == "the SME would love to have this student"

    # Before the commit the SME sees no name; after it, the member as the usual rules allow
    # (an approved match, a student visible after approval).
    assert "Fleur Tweeling" not in world.get("/suggestions", "sme-a").text
    assert "Fleur Tweeling" not in world.get(_candidates(rid), "sme-a").text
    _ok(world.post(f"/rounds/{rid}/commit", "int-a"))
    seen = _ok(world.get("/suggestions", "sme-a"))["data"]
    assert [
        (s["target_id"], s["target_name"]) for s in seen if s["challenge_id"] == "ch-a-pub"
    ] == [(twins[1], "Fleur Tweeling")]
    # The pseudonymous list stays pseudonymous, and marks no longer change.
    assert "Fleur Tweeling" not in world.get(_candidates(rid), "sme-a").text
    assert world.put(mark.format(numbers[twins[0]]), "sme-a").status_code == 409


def test_a_rounds_mark_weight_is_a_setting_and_zero_leaves_the_mark_out(world: World) -> None:
    _ok(world.patch("/challenges/ch-a-pub", "int-a", json={"place": "Doetinchem"}))
    body = {"community_id": "com-a", "name": "Ronde", "sme_mark_weight": -1, **PERIOD}
    refused = world.post("/rounds", "int-a", json=body)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "sme_mark_weight"]
    twins = [_twin(world, "Eva Tweeling"), _twin(world, "Fleur Tweeling")]
    body = {
        **body,
        "sme_mark_weight": 0,
        "time_limit_s": 5,
        "challenges": [{"challenge_id": "ch-a-pub", "team_min": 2, "team_max": 2}],
        "student_ids": twins,
    }
    made = _ok(world.post("/rounds", "int-a", json=body), 201)
    assert made["sme_mark_weight"] == 0
    rid = made["id"]
    for twin in twins:
        _ok(
            world.put(
                f"/rounds/{rid}/preferences/{twin}", "int-a", json={"challenge_ids": ["ch-a-pub"]}
            )
        )
    _ok(world.put(f"{_candidates(rid)}/{_numbers(world, rid)[twins[0]]}/mark", "sme-a"))
    proposal = _ok(world.post(f"/rounds/{rid}/solve", "int-a"))
    members = _placed(proposal)["ch-a-pub"]
    marked = next(m for m in members if m["student"] == twins[0])
    # Weighed at 0 the mark adds nothing; the reason still says the SME asked.
    assert marked["fit"] == pytest.approx(next(m["fit"] for m in members if m is not marked))


def test_an_erased_student_leaves_no_mark(world: World, round_id: str) -> None:
    number = _numbers(world, round_id)["stu-a1"]
    _ok(world.put(f"{_candidates(round_id)}/{number}/mark", "sme-a"))
    assert _marks(world, round_id) == ["stu-a1"]
    assert world.delete("/users/usr-stu-a1", "admin").status_code == 204
    assert _marks(world, round_id) == []
