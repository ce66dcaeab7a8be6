"""The review workflow end to end, for a student and for a research group, with its record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apiworld import World

from service.domain.tables import Suggestion


def _suggestion(world: World, target: str = "stu-a1") -> str:
    """The id of the (new) suggestion of ch-a-pub for a student or research group."""
    if target.startswith("rg-"):
        path, as_ = "/challenges/ch-a-pub/suggestions/research-groups", "sme-a"
    else:
        path, as_ = "/challenges/ch-a-pub/suggestions/students?available=false", "int-a"
    answer = world.get(path, as_)
    assert answer.status_code == 200, answer.text
    found = {row["target_id"]: row["id"] for row in answer.json()["data"]}
    return found[target]


def _act(world: World, suggestion_id: str, action: str, as_: str, **body) -> dict:
    answer = world.post(f"/suggestions/{suggestion_id}/{action}", as_, json=body)
    assert answer.status_code == 200, f"{action} as {as_}: {answer.status_code} {answer.text}"
    return answer.json()


def _events(world: World, suggestion_id: str, as_: str = "int-a") -> list[dict]:
    answer = world.get(f"/suggestions/{suggestion_id}/events", as_)
    assert answer.status_code == 200, answer.text
    assert answer.json()["count"] == len(answer.json()["data"])
    return answer.json()["data"]


def _visible(world: World, suggestion_id: str, as_: str) -> bool:
    single = world.get(f"/suggestions/{suggestion_id}", as_).status_code
    listed = suggestion_id in [row["id"] for row in world.get("/suggestions", as_).json()["data"]]
    assert (single == 200) == listed, f"{as_}: read {single}, listed {listed}"
    assert single in (200, 404)
    return listed


def test_a_student_match_from_suggestion_to_rating(world: World) -> None:
    started = datetime.now(UTC) - timedelta(seconds=5)
    sid = _suggestion(world)
    score = world.get(f"/suggestions/{sid}", "int-a").json()["score"]
    # Before approval only intermediaries (of A) and admins see a student suggestion.
    assert [_visible(world, sid, who) for who in ("int-a", "admin", "sme-a", "stu-a1")] == [
        True,
        True,
        False,
        False,
    ]
    assert not _visible(world, sid, "int-b")

    approved = _act(world, sid, "approve", "int-a", reason="Past goed bij de vraag")
    assert (approved["status"], approved["reason"]) == ("approved", "Past goed bij de vraag")
    assert _visible(world, sid, "sme-a")
    assert not _visible(world, sid, "sme2-a")
    assert not _visible(world, sid, "stu-a1")

    assert _act(world, sid, "introduce", "int-a")["status"] == "introduced"
    assert _visible(world, sid, "stu-a1")
    assert not _visible(world, sid, "stu-a2")

    sme_said = _act(world, sid, "respond", "sme-a", response="accepted")
    assert (sme_said["status"], sme_said["sme_response"], sme_said["target_response"]) == (
        "introduced",
        "accepted",
        "pending",
    )
    both = _act(world, sid, "respond", "stu-a1", response="accepted", reason="Graag!")
    assert (both["status"], both["target_response"]) == ("accepted", "accepted")
    assert _act(world, sid, "start", "int-a")["status"] == "active"
    assert _act(world, sid, "complete", "int-a")["status"] == "completed"
    assert _act(world, sid, "rate", "sme-a", rating=5)["sme_rating"] == 5
    final = _act(world, sid, "rate", "stu-a1", rating=4)
    assert (final["status"], final["sme_rating"], final["target_rating"]) == ("completed", 5, 4)
    assert final["score"] == score

    events = _events(world, sid)
    assert [(e["action"], e["side"], e["from_status"], e["to_status"]) for e in events] == [
        ("approve", None, "suggested", "approved"),
        ("introduce", None, "approved", "introduced"),
        ("respond", "sme", "introduced", "introduced"),
        ("respond", "target", "introduced", "accepted"),
        ("start", None, "accepted", "active"),
        ("complete", None, "active", "completed"),
        ("rate", "sme", "completed", "completed"),
        ("rate", "target", "completed", "completed"),
    ]
    assert [e["actor_id"] for e in events] == [
        "usr-int-a",
        "usr-int-a",
        "usr-sme-a",
        "usr-stu-a1",
        "usr-int-a",
        "usr-int-a",
        "usr-sme-a",
        "usr-stu-a1",
    ]
    assert events[0]["reason"] == "Past goed bij de vraag"
    assert events[3]["reason"] == "Graag!"
    assert [e["response"] for e in events[2:4]] == ["accepted", "accepted"]
    assert [e["rating"] for e in events[6:]] == [5, 4]
    times = [datetime.fromisoformat(e["at"].replace("Z", "+00:00")) for e in events]
    times = [t if t.tzinfo else t.replace(tzinfo=UTC) for t in times]
    assert times == sorted(times)
    assert started <= times[0] <= datetime.now(UTC) + timedelta(seconds=5)
    # Both sides may read the record of their match.
    assert len(_events(world, sid, "sme-a")) == 8
    assert len(_events(world, sid, "stu-a1")) == 8


def test_a_research_group_match_where_the_intermediary_answers_for_the_group(
    world: World,
) -> None:
    sid = _suggestion(world, "rg-a")
    assert _visible(world, sid, "sme-a")  # research groups: the SME sees them at once
    assert not _visible(world, sid, "stu-a1")
    _act(world, sid, "approve", "int-a")
    _act(world, sid, "introduce", "int-a")
    no_side = world.post(f"/suggestions/{sid}/respond", "int-a", json={"response": "accepted"})
    assert no_side.status_code == 422
    assert "side" in no_side.json()["detail"]
    wrong_side = world.post(
        f"/suggestions/{sid}/respond", "sme-a", json={"response": "accepted", "side": "target"}
    )
    assert wrong_side.status_code == 403
    _act(world, sid, "respond", "sme-a", response="accepted")
    done = _act(world, sid, "respond", "int-a", response="accepted", side="target")
    assert done["status"] == "accepted"
    _act(world, sid, "start", "int-a")
    _act(world, sid, "complete", "int-a")
    _act(world, sid, "rate", "int-a", rating=3, side="target")
    rated = _act(world, sid, "rate", "sme-a", rating=4)
    assert (rated["target_rating"], rated["sme_rating"]) == (3, 4)
    events = _events(world, sid, "sme-a")
    assert [(e["action"], e["side"], e["actor_id"]) for e in events] == [
        ("approve", None, "usr-int-a"),
        ("introduce", None, "usr-int-a"),
        ("respond", "sme", "usr-sme-a"),
        ("respond", "target", "usr-int-a"),
        ("start", None, "usr-int-a"),
        ("complete", None, "usr-int-a"),
        ("rate", "target", "usr-int-a"),
        ("rate", "sme", "usr-sme-a"),
    ]


def test_reject_needs_a_reason_and_is_final(world: World) -> None:
    sid = _suggestion(world)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        assert world.post(f"/suggestions/{sid}/reject", "int-a", json=body).status_code == 422
    assert _events(world, sid) == []
    rejected = _act(world, sid, "reject", "int-a", reason="Te weinig uren beschikbaar")
    assert (rejected["status"], rejected["reason"]) == ("rejected", "Te weinig uren beschikbaar")
    again = world.post(f"/suggestions/{sid}/approve", "int-a", json={})
    assert again.status_code == 409
    assert again.json()["detail"] == (
        "Cannot approve: the suggestion is rejected; rejected is a final status: "
        "no action is allowed"
    )
    assert not _visible(world, sid, "sme-a")
    events = _events(world, sid)
    assert [(e["action"], e["reason"], e["actor_id"]) for e in events] == [
        ("reject", "Te weinig uren beschikbaar", "usr-int-a")
    ]


@pytest.mark.parametrize(
    ("action", "body", "allowed"),
    [
        ("introduce", {}, "approve, reject"),
        ("start", {}, "approve, reject"),
        ("complete", {}, "approve, reject"),
        ("respond", {"response": "accepted", "side": "sme"}, "approve, reject"),
    ],
)
def test_an_illegal_transition_is_409_and_names_the_allowed_actions(
    world: World, action: str, body: dict, allowed: str
) -> None:
    sid = _suggestion(world)
    before = world.row(Suggestion, sid)
    answer = world.post(f"/suggestions/{sid}/{action}", "int-a", json=body)
    assert answer.status_code == 409
    detail = answer.json()["detail"]
    assert detail.startswith(f"Cannot {action}")
    assert "the suggestion is suggested" in detail
    assert detail.endswith(f"from suggested the allowed actions are: {allowed}")
    assert world.row(Suggestion, sid) == before
    assert _events(world, sid) == []


def test_each_side_answers_once_and_a_decline_ends_the_match(world: World) -> None:
    sid = _suggestion(world)
    _act(world, sid, "approve", "int-a")
    early = world.post(f"/suggestions/{sid}/respond", "sme-a", json={"response": "accepted"})
    assert early.status_code == 409
    assert "allowed actions are: introduce" in early.json()["detail"]
    _act(world, sid, "introduce", "int-a")
    _act(world, sid, "respond", "sme-a", response="accepted")
    twice = world.post(f"/suggestions/{sid}/respond", "sme-a", json={"response": "declined"})
    assert twice.status_code == 409
    assert "that side has already accepted" in twice.json()["detail"]
    declined = _act(world, sid, "respond", "stu-a1", response="declined", reason="Geen tijd")
    assert (declined["status"], declined["target_response"]) == ("declined", "declined")
    start = world.post(f"/suggestions/{sid}/start", "int-a")
    assert start.status_code == 409
    assert "declined is a final status" in start.json()["detail"]
    assert len(_events(world, sid)) == 4


def test_ratings_are_once_per_side_from_1_to_5(world: World) -> None:
    sid = _suggestion(world)
    for action in ("approve", "introduce"):
        _act(world, sid, action, "int-a")
    _act(world, sid, "respond", "sme-a", response="accepted")
    _act(world, sid, "respond", "stu-a1", response="accepted")
    early = world.post(f"/suggestions/{sid}/rate", "sme-a", json={"rating": 4})
    assert early.status_code == 409
    _act(world, sid, "start", "int-a")
    _act(world, sid, "complete", "int-a")
    for rating in (0, 6, "vijf"):
        bad = world.post(f"/suggestions/{sid}/rate", "sme-a", json={"rating": rating})
        assert bad.status_code == 422, rating
    _act(world, sid, "rate", "sme-a", rating=2)
    twice = world.post(f"/suggestions/{sid}/rate", "sme-a", json={"rating": 5})
    assert twice.status_code == 409
    assert "already rated it 2" in twice.json()["detail"]
    assert world.row(Suggestion, sid)["sme_rating"] == 2


def test_only_the_two_sides_and_the_communitys_intermediaries_decide(world: World) -> None:
    sid = _suggestion(world)
    for who in ("sme-a", "stu-a1"):
        assert world.post(f"/suggestions/{sid}/approve", who, json={}).status_code == 403
    assert world.post(f"/suggestions/{sid}/approve", "int-b", json={}).status_code == 404
    _act(world, sid, "approve", "int-a")
    _act(world, sid, "introduce", "int-a")
    for who in ("sme2-a", "stu-a2", "sme-b"):
        answer = world.post(f"/suggestions/{sid}/respond", who, json={"response": "accepted"})
        assert answer.status_code == 404, who
    as_target = world.post(
        f"/suggestions/{sid}/respond", "sme-a", json={"response": "accepted", "side": "target"}
    )
    assert as_target.status_code == 403
    stored = world.row(Suggestion, sid)
    assert (stored["sme_response"], stored["target_response"]) == ("pending", "pending")
    assert len(_events(world, sid)) == 2
