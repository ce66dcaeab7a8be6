"""Capacity that is used up: a challenge's students_wanted and a research group's
capacity_projects count its introduced, accepted and active matches; introducing or starting
beyond them is a 409 with the numbers, and suggestions say how much room is left."""

from __future__ import annotations

import threading
import time

from apiworld import World

from service.domain.tables import Suggestion
from service.usecases.capacity import check_room

STUDENTS = "/challenges/ch-a-pub/suggestions/students?available=false"
GROUPS = "/challenges/{}/suggestions/research-groups"


def _rows(world: World, path: str, as_: str = "int-a") -> dict[str, dict]:
    answer = world.get(path, as_)
    assert answer.status_code == 200, answer.text
    return {row["target_id"]: row for row in answer.json()["data"]}


def _act(world: World, suggestion_id: str, action: str, as_: str = "int-a", **body):
    return world.post(f"/suggestions/{suggestion_id}/{action}", as_, json=body)


def _ok(answer) -> dict:
    assert answer.status_code == 200, answer.text
    return answer.json()


def _wanted(world: World, n: int) -> None:
    answer = world.patch("/challenges/ch-a-pub", "sme-a", json={"students_wanted": n})
    assert answer.status_code == 200, answer.text


def test_introducing_beyond_the_students_wanted_is_a_409_with_the_numbers(world: World) -> None:
    rows = _rows(world, STUDENTS)
    first, second = rows["stu-a1"]["id"], rows["stu-a2"]["id"]
    assert rows["stu-a1"]["room_left"] == 1  # students_wanted is 1, nobody introduced yet
    for sid in (first, second):
        _ok(_act(world, sid, "approve"))
    _ok(_act(world, first, "introduce"))
    refused = _act(world, second, "introduce")
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Cannot introduce: challenge ch-a-pub has 1 of 1 students introduced or under way; "
        "no room left"
    )
    assert _ok(world.get(f"/suggestions/{second}", "int-a"))["status"] == "approved"
    assert [row["room_left"] for row in _rows(world, STUDENTS).values()] == [0, 0]

    _wanted(world, 2)  # room for one more
    assert _rows(world, STUDENTS)["stu-a2"]["room_left"] == 1
    assert _ok(_act(world, second, "introduce"))["status"] == "introduced"
    assert _ok(world.get(f"/suggestions/{second}", "int-a"))["room_left"] == 0


def test_a_declined_match_gives_its_place_back(world: World) -> None:
    rows = _rows(world, STUDENTS)
    first, second = rows["stu-a1"]["id"], rows["stu-a2"]["id"]
    for sid in (first, second):
        _ok(_act(world, sid, "approve"))
    _ok(_act(world, first, "introduce"))
    assert _act(world, second, "introduce").status_code == 409
    _ok(_act(world, first, "respond", "stu-a1", response="declined", reason="Geen tijd"))
    assert _rows(world, STUDENTS)["stu-a2"]["room_left"] == 1
    assert _ok(_act(world, second, "introduce"))["status"] == "introduced"


def test_starting_beyond_a_lowered_capacity_is_a_409(world: World) -> None:
    _wanted(world, 2)
    rows = _rows(world, STUDENTS)
    ids = {student: rows[student]["id"] for student in ("stu-a1", "stu-a2")}
    for student, sid in ids.items():
        for action in ("approve", "introduce"):
            _ok(_act(world, sid, action))
        _ok(_act(world, sid, "respond", "sme-a", response="accepted"))
        _ok(_act(world, sid, "respond", student, response="accepted"))
    _wanted(world, 1)  # the SME wants one student after all
    refused = _act(world, ids["stu-a1"], "start")
    assert refused.status_code == 409
    assert "challenge ch-a-pub has 1 of 1 students" in refused.json()["detail"]
    _wanted(world, 2)  # and two again: both start
    for sid in ids.values():
        assert _ok(_act(world, sid, "start"))["status"] == "active"


def test_a_research_group_supervises_capacity_projects_at_once(world: World) -> None:
    answer = world.patch("/research-groups/rg-a", "int-a", json={"capacity_projects": 1})
    assert answer.status_code == 200, answer.text
    pub = _rows(world, GROUPS.format("ch-a-pub"))["rg-a"]
    other = _rows(world, GROUPS.format("ch-a-other"))["rg-a"]
    assert (pub["room_left"], other["room_left"]) == (1, 1)
    for sid in (pub["id"], other["id"]):
        _ok(_act(world, sid, "approve"))
    _ok(_act(world, pub["id"], "introduce"))
    refused = _act(world, other["id"], "introduce")
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Cannot introduce: research group rg-a has 1 of 1 projects introduced or under way; "
        "no room left"
    )
    assert _rows(world, GROUPS.format("ch-a-other"))["rg-a"]["room_left"] == 0


def test_two_introductions_at_once_do_not_both_take_the_last_place(world: World) -> None:
    rows = _rows(world, STUDENTS)
    first, second = rows["stu-a1"]["id"], rows["stu-a2"]["id"]
    for sid in (first, second):
        _ok(_act(world, sid, "approve"))
    world.headers("int-a")  # log in before the race: the login writes too
    # The first introduction has checked the room and holds it, not yet committed ...
    with world.session() as session:
        mine = session.get(Suggestion, first)
        check_room(session, mine, "introduce")
        mine.status = "introduced"
        session.add(mine)
        session.flush()
        answers = []
        racer = threading.Thread(target=lambda: answers.append(_act(world, second, "introduce")))
        racer.start()
        time.sleep(1.0)
        # ... so the second waits for it, rather than counting the room as still free.
        assert racer.is_alive()
        session.commit()
    racer.join(timeout=30)
    assert not racer.is_alive()
    assert answers[0].status_code == 409, answers[0].text
    assert "1 of 1 students" in answers[0].json()["detail"]
