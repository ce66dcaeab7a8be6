"""Places mean something: a challenge's place and a student's home town are looked up in the
gazetteer when saved (stored by the gazetteer's name; an unknown one is a 422 on the field, with
close names), and the place check of a suggestion is the travel distance against the student's
maximum."""

from __future__ import annotations

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
