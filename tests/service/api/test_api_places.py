"""Places mean something: a challenge's place and a student's home town are looked up in the
gazetteer when saved (stored by the gazetteer's name; an unknown one is a 422 on the field, with
close names), and the place check of a suggestion is the travel distance against the student's
maximum."""

from __future__ import annotations

import pytest
from apiworld import World

from service.domain.tables import Challenge, StudentProfile

NEW = {
    "community_id": "com-a",
    "title": "Zonnepanelen op bedrijfsdaken",
    "description": "Een installateur zoekt hulp bij het plannen van zonnepanelen op daken.",
    "level": "any",
    "wanted_skills": [{"label": "warmtepompen installeren"}],
}


def _unknown_place(answer, field: str) -> list[str]:
    """The suggestions of a 422 for an unknown place on `field` (asserting its shape)."""
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    assert error["type"] == "unknown_place"
    assert error["loc"] == ["body", field]
    assert field in error["msg"]
    return error["suggestions"]


def test_a_challenge_place_is_stored_by_its_gazetteer_name(world: World) -> None:
    answer = world.post("/challenges", "sme-a", json={**NEW, "place": "den bosch"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["place"] == "'s-Hertogenbosch"
    assert world.row(Challenge, answer.json()["id"])["place"] == "'s-Hertogenbosch"
    changed = world.patch(f"/challenges/{answer.json()['id']}", "sme-a", json={"place": "NIJMEGEN"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["place"] == "Nijmegen"


def test_an_unknown_challenge_place_is_a_422_on_the_field_with_suggestions(world: World) -> None:
    answer = world.post("/challenges", "sme-a", json={**NEW, "place": "Nijmegn"})
    assert _unknown_place(answer, "place") == ["Nijmegen"]
    listed = world.get("/challenges?limit=100", "admin").json()["data"]
    assert NEW["title"] not in [row["title"] for row in listed]  # nothing half-written
    patched = world.patch("/challenges/ch-a-draft", "sme-a", json={"place": "Achterhoek"})
    assert _unknown_place(patched, "place") == []
    assert world.row(Challenge, "ch-a-draft")["place"] == "Doetinchem"


def test_an_empty_place_stays_allowed(world: World) -> None:
    answer = world.post("/challenges", "sme-a", json={**NEW, "place": "", "remote": "remote"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["place"] == ""
    cleared = world.patch("/students/stu-a1", "int-a", json={"region": ""})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["region"] == ""


def test_a_student_home_town_is_looked_up_when_saved(world: World) -> None:
    moved = world.patch("/students/stu-a1", "int-a", json={"region": "nimwegen"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["region"] == "Nijmegen"
    wrong = world.patch("/students/stu-a1", "int-a", json={"region": "Middelbrug"})
    assert "Middelburg" in _unknown_place(wrong, "region")
    assert world.row(StudentProfile, "stu-a1")["region"] == "Nijmegen"


STUDENTS = "/challenges/ch-a-pub/suggestions/students?available=false"


def _place_note(world: World, student_id: str) -> dict:
    rows = world.get(STUDENTS, "int-a").json()["data"]
    [row] = [row for row in rows if row["target_id"] == student_id]
    [note] = [n for n in row["constraint_notes"] if n["code"] == "place"]
    return note


def _set(world: World, challenge: dict, student: dict) -> None:
    answer = world.patch("/challenges/ch-a-pub", "sme-a", json=challenge)
    assert answer.status_code == 200, answer.text
    answer = world.patch("/students/stu-a1", "int-a", json=student)
    assert answer.status_code == 200, answer.text


def test_the_place_check_is_the_distance_oss_nijmegen_against_the_reach(world: World) -> None:
    _set(world, {"place": "Oss", "remote": "onsite"}, {"region": "Nijmegen", "travel_km": 25})
    note = _place_note(world, "stu-a1")
    assert note["ok"] is True
    assert note["params"]["distance_km"] == 24.6
    assert "24,6 km van Nijmegen" in note["text"]
    _set(world, {"place": "Oss"}, {"travel_km": 20})
    assert _place_note(world, "stu-a1")["ok"] is False
    # Hybrid work: twice the reach, so 20 km will do for a trip of 24.6 km.
    _set(world, {"remote": "hybrid"}, {"travel_km": 20})
    note = _place_note(world, "stu-a1")
    assert note["ok"] is True
    assert note["params"]["reach_km"] == 40
    assert note["text"].endswith("student reist tot 40 km")
    # Remote work needs no travel at all.
    _set(world, {"remote": "remote"}, {"travel_km": 0})
    note = _place_note(world, "stu-a1")
    assert (note["ok"], note["text"], note["params"]["reach_km"]) == (True, "op afstand", None)


def test_the_place_check_goes_middelburg(world: World) -> None:
    _set(world, {"place": "Goes", "remote": "onsite"}, {"region": "Middelburg", "travel_km": 20})
    note = _place_note(world, "stu-a1")
    assert note["ok"] is True
    assert "19,0 km van Middelburg" in note["text"]
    _set(world, {"place": "Goes"}, {"travel_km": 19})  # 19.04 km: just out of reach
    assert _place_note(world, "stu-a1")["ok"] is False


def test_a_student_without_a_known_home_town_fails_the_place_check(world: World) -> None:
    _set(world, {"place": "Oss", "remote": "onsite"}, {"region": "", "travel_km": 100})
    note = _place_note(world, "stu-a1")
    assert note["ok"] is False
    assert note["params"]["distance_km"] is None
    assert "student gaf geen woonplaats op" in note["text"]


TWIN = {
    "full_name": "Tweeling Student",
    "programme": "Installatietechniek",
    "level": "mbo",
    "skills": [{"label": "warmtepompen installeren"}],
    "about": "Ik installeer warmtepompen bij woningen en adviseer bewoners over warmte.",
    "available_from": "2027-01-01",
    "available_until": "2027-12-31",
    "hours_per_week": 16,
    "travel_km": 200,
    "consent_matching": True,
    "community_ids": ["com-a"],
}


def test_of_two_equal_students_the_nearer_one_ranks_higher(world: World) -> None:
    on_site = {"place": "Nijmegen", "remote": "onsite"}
    assert world.patch("/challenges/ch-a-pub", "sme-a", json=on_site).is_success
    # The far one is made first: without the distance it would rank first of the tie.
    far = world.post("/students", "int-a", json={**TWIN, "region": "Alkmaar"}).json()["id"]
    near = world.post("/students", "int-a", json={**TWIN, "region": "Wijchen"}).json()["id"]
    rows = world.get(STUDENTS, "int-a").json()["data"]
    order = [row["target_id"] for row in rows if row["target_id"] in (far, near)]
    assert order == [near, far]
    scores = {row["target_id"]: row["score"] for row in rows}
    # Equal in every component: the distance alone (9.5 km against 115.6 km of 200) parts them.
    components = {row["target_id"]: row["components"] for row in rows}
    assert components[near] == components[far]
    assert scores[near] - scores[far] == pytest.approx(0.1 * (115.56 - 9.53) / 200, abs=1e-4)
