"""A challenge wants a range of students: `students_min` to `students_wanted`. Out of order is
a 422 naming the field; a round that takes the challenge proposes that range; capacity (the
409s and the room left) keeps counting the maximum."""

from __future__ import annotations

import pytest
from apiworld import World

BODY = {
    "community_id": "com-a",
    "title": "Een team voor warmtepompen",
    "description": "Een team van studenten plant de warmtepompen van een hele wijk.",
    "place": "Doetinchem",
    "period_start": "2027-02-01",
    "period_end": "2027-06-30",
}
ROUND = {
    "community_id": "com-a",
    "name": "Ronde voorjaar 2027",
    "period_label": "voorjaar 2027",
    "period_start": "2027-02-01",
    "period_end": "2027-06-30",
}


def _ok(answer, code: int = 200) -> dict:
    assert answer.status_code == code, answer.text
    return answer.json()


def _field(answer) -> list:
    assert answer.status_code == 422, answer.text
    return [tuple(problem["loc"])[-1] for problem in answer.json()["detail"]]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"students_min": 3, "students_wanted": 2}, "students_min"),
        ({"students_min": 0, "students_wanted": 2}, "students_min"),
        ({"students_min": 21, "students_wanted": 20}, "students_min"),
        ({"students_min": "twee", "students_wanted": 2}, "students_min"),
    ],
)
def test_a_minimum_out_of_range_is_a_422_naming_the_field(
    world: World, values: dict, field: str
) -> None:
    assert _field(world.post("/challenges", "sme-a", json={**BODY, **values})) == [field]


def test_a_minimum_above_the_maximum_is_refused_on_every_edit(world: World) -> None:
    made = _ok(
        world.post("/challenges", "sme-a", json={**BODY, "students_min": 2, "students_wanted": 3}),
        201,
    )
    assert (made["students_min"], made["students_wanted"]) == (2, 3)
    path = f"/challenges/{made['id']}"
    # Lowering the maximum below the minimum, or raising the minimum above it: 422, unchanged.
    refused = world.patch(path, "sme-a", json={"students_wanted": 1})
    assert _field(refused) == ["students_min"]
    assert "students_min (2) lies above students_wanted (1)" in refused.text
    assert _field(world.patch(path, "sme-a", json={"students_min": 4})) == ["students_min"]
    assert _field(world.patch(path, "sme-a", json={"students_min": 4, "students_wanted": 3})) == [
        "students_min"
    ]
    shown = _ok(world.get(path, "sme-a"))
    assert (shown["students_min"], shown["students_wanted"]) == (2, 3)
    edited = _ok(world.patch(path, "sme-a", json={"students_min": 3, "students_wanted": 5}))
    assert (edited["students_min"], edited["students_wanted"]) == (3, 5)
    cleared = _ok(world.patch(path, "sme-a", json={"students_min": None}))
    assert cleared["students_min"] is None


def test_a_round_takes_the_challenges_range_and_capacity_counts_the_maximum(
    world: World,
) -> None:
    _ok(
        world.patch("/challenges/ch-a-pub", "sme-a", json={"students_min": 2, "students_wanted": 4})
    )
    # ch-a-other states no minimum: the usual one to three (or as many as it wants).
    opened = _ok(world.post("/rounds", "int-a", json=ROUND), 201)
    rules = {c["challenge_id"]: (c["team_min"], c["team_max"]) for c in opened["challenges"]}
    assert rules == {"ch-a-pub": (2, 4), "ch-a-other": (1, 3)}
    rows = _ok(world.get("/challenges/ch-a-pub/suggestions/students?available=false", "int-a"))
    assert {row["room_left"] for row in rows["data"]} == {4}


def test_the_minimum_travels_in_the_export(world: World) -> None:
    import json

    from service.usecases.transfer import export

    _ok(
        world.patch("/challenges/ch-a-pub", "sme-a", json={"students_min": 2, "students_wanted": 3})
    )
    with world.session() as session:
        rows = {r["id"]: r for r in json.loads(export(session, "challenges", "json"))}
        header = export(session, "challenges", "csv").splitlines()[0].split(",")
    assert (rows["ch-a-pub"]["students_min"], rows["ch-a-other"]["students_min"]) == (2, None)
    assert "students_min" in header
