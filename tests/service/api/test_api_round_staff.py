"""A round's challenge keeps its own organisation's professionals in its team: they take
places of its team_max, the allocation fills the rest with students and never moves them."""

from __future__ import annotations

import csv
import io

from apiworld import World
from sqlmodel import select

from service.domain.tables import AuditEntry

ROUND = {
    "community_id": "com-a",
    "name": "Ronde met eigen medewerkers",
    "period_label": "februari–juni 2027",
    "period_start": "2027-02-01",
    "period_end": "2027-06-30",
    "time_limit_s": 5,
    "challenges": [{"challenge_id": "ch-a-pub", "team_min": 1, "team_max": 3}],
}


def _made(answer) -> dict:
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def _professional(world: World, organisation_id: str) -> str:
    body = {
        "full_name": "Gerrit Monteur",
        "job_role": "werknemer",
        "skills": [{"label": "warmtepompen installeren"}],
        "organisation_id": organisation_id,
        "community_ids": ["com-a"],
    }
    return _made(world.post("/professionals", "int-a", json=body))["id"]


def _team(proposal: dict) -> dict:
    [team] = [t for t in proposal["teams"] if t["challenge"] == "ch-a-pub"]
    return team


def _students(world: World) -> list[str]:
    """stu-a1 and three mbo students near Doetinchem who can all join ch-a-pub."""
    students = ["stu-a1"]
    for n in range(3):
        body = {
            "full_name": f"Student Warmte {n}",
            "programme": "Installatietechniek",
            "level": "mbo",
            "community_ids": ["com-a"],
            "region": "Doetinchem",
            "travel_km": 40,
            "hours_per_week": 16,
            "consent_matching": True,
            "available_from": "2027-01-01",
            "available_until": "2027-12-31",
            "skills": [{"label": "warmtepompen installeren"}],
            "about": "Ik wil warmtepompen installeren bij woningen.",
        }
        students.append(_made(world.post("/students", "int-a", json=body))["id"])
    return students


def test_the_allocation_keeps_the_challenges_own_staff_in_its_team(world: World) -> None:
    students = _students(world)
    round_id = _made(world.post("/rounds", "int-a", json={**ROUND, "student_ids": students}))["id"]
    before = _team(_made(world.post(f"/rounds/{round_id}/solve", "int-a")))
    assert len(before["members"]) == 3 and before["staff"] == []

    own = [_professional(world, "org-sme-a") for _ in range(2)]
    url = f"/rounds/{round_id}/challenges/ch-a-pub/staff"
    # Another SME's employee is not the challenge's own staff; nor may they outnumber the team.
    other = world.put(url, "int-a", json={"professional_ids": [_professional(world, "org-sme2-a")]})
    assert other.status_code == 422
    assert other.json()["detail"][0]["loc"] == ["body", "professional_ids", 0]
    too_many = [*own, *(_professional(world, "org-sme-a") for _ in range(2))]
    assert world.put(url, "int-a", json={"professional_ids": too_many}).status_code == 422
    assert world.put(url, "sme-a", json={"professional_ids": own}).status_code == 404
    assert _made(world.put(url, "int-a", json={"professional_ids": own})) == {
        "professional_ids": own
    }

    # Re-solved (warm-started from the team of three): two places are the staff's, one is left.
    after = _team(_made(world.post(f"/rounds/{round_id}/solve", "int-a")))
    assert after["staff"] == own
    assert len(after["members"]) == 1 and after["members"][0]["student"] in students

    # All three places their own staff: no student is placed, and the proposal says why.
    full = [*own, _professional(world, "org-sme-a")]
    _made(world.put(url, "int-a", json={"professional_ids": full}))
    proposal = _made(world.post(f"/rounds/{round_id}/solve", "int-a"))
    assert all(t["challenge"] != "ch-a-pub" for t in proposal["teams"])
    unstaffed = {u["challenge"]: u["why"]["code"] for u in proposal["unstaffed"]}
    assert unstaffed["ch-a-pub"] == "challenge.staffed_by_own"


def test_staff_stay_through_a_pin_the_export_and_the_commit(world: World) -> None:
    students = _students(world)
    round_id = _made(world.post("/rounds", "int-a", json={**ROUND, "student_ids": students}))["id"]
    url = f"/rounds/{round_id}/challenges/ch-a-pub/staff"
    [own] = _made(
        world.put(url, "int-a", json={"professional_ids": [_professional(world, "org-sme-a")]})
    )["professional_ids"]
    proposal = _made(world.post(f"/rounds/{round_id}/solve", "int-a"))
    team = _team(proposal)
    assert team["staff"] == [own] and len(team["members"]) == 2
    assert proposal["violations"] == []  # the validator counts the staff in the team of three

    # Pin a student who is not in the team: the re-solve moves students, never the staff.
    outside = next(s for s in students if s not in {m["student"] for m in team["members"]})
    pins = {"pins": [{"challenge_id": "ch-a-pub", "student_id": outside}], "forbids": []}
    _made(world.put(f"/rounds/{round_id}/pairs", "int-a", json=pins))
    again = _made(world.post(f"/rounds/{round_id}/solve", "int-a"))
    team = _team(again)
    assert again["warm_start"] is True and again["violations"] == []
    assert team["staff"] == [own] and len(team["members"]) == 2
    assert outside in {m["student"] for m in team["members"]}
    assert _made(world.get(f"/rounds/{round_id}/proposal", "int-a"))["teams"] == again["teams"]

    # The export: a line per student, then a line per own employee (name and role, no e-mail).
    exported = world.get(f"/rounds/{round_id}/teams.csv", "int-a", params={"lang": "en"})
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["member"] for r in rows] == ["student", "student", "staff"]
    staff_row = rows[-1]
    assert staff_row["challenge_id"] == "ch-a-pub" and staff_row["student_id"] == ""
    assert (staff_row["professional_id"], staff_row["professional"], staff_row["role"]) == (
        own,
        "Gerrit Monteur",
        "employee",
    )
    assert "@" not in exported.text

    # Staff changed after the proposal: the commit refuses until the round is solved again.
    second = _professional(world, "org-sme-a")
    _made(world.put(url, "int-a", json={"professional_ids": [own, second]}))
    refused = world.post(f"/rounds/{round_id}/commit", "int-a")
    assert refused.status_code == 409 and "ch-a-pub" in refused.text
    _made(world.put(url, "int-a", json={"professional_ids": [own]}))

    committed = _made(world.post(f"/rounds/{round_id}/commit", "int-a"))
    assert len(committed["suggestion_ids"]) == 2  # the students; the staff are no matches
    with world.session() as session:
        [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "round.commit")).all()
        assert entry.details["staff"] == {"ch-a-pub": [own]}
    kept = _made(world.get(f"/rounds/{round_id}/proposal", "int-a"))
    assert kept["round_status"] == "committed" and _team(kept)["staff"] == [own]
