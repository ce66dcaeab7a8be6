"""The two wishes through the API: a student's interest and an SME's request for an
introduction. Each is an event on the suggestion that leaves its status alone, voiced once, and
only by the side itself."""

from __future__ import annotations

from apiworld import World


def _student_suggestion(world: World, student: str = "stu-a1") -> str:
    """A suggestion about `student` for the published challenge of community A, as the
    student's own suggestions page makes it."""
    answer = world.get(f"/students/{student}/suggestions/challenges?available=false", student)
    assert answer.status_code == 200, answer.text
    found = {row["challenge_id"]: row for row in answer.json()["data"]}
    assert found["ch-a-pub"]["status"] is None  # the student sees no review state yet
    return found["ch-a-pub"]["id"]


def _approved_student_match(world: World, target: str = "stu-a1") -> str:
    """A student match of ch-a-pub approved by the intermediary (so its SME sees it)."""
    answer = world.get("/challenges/ch-a-pub/suggestions/students?available=false", "int-a")
    assert answer.status_code == 200, answer.text
    suggestion_id = {row["target_id"]: row["id"] for row in answer.json()["data"]}[target]
    approved = world.post(f"/suggestions/{suggestion_id}/approve", "int-a", json={})
    assert approved.status_code == 200, approved.text
    return suggestion_id


def _wishes(world: World, suggestion_id: str) -> list[tuple[str, str]]:
    answer = world.get(f"/suggestions/{suggestion_id}/events", "int-a")
    assert answer.status_code == 200, answer.text
    return [
        (event["action"], event["actor_id"])
        for event in answer.json()["data"]
        if event["action"] in ("express_interest", "request_introduction")
    ]


def test_a_student_expresses_interest_once_and_the_status_stays(world: World) -> None:
    sid = _student_suggestion(world)
    first = world.post(f"/suggestions/{sid}/interest", "stu-a1")
    assert first.status_code == 200, first.text
    assert (first.json()["id"], first.json()["status"]) == (sid, None)
    assert world.suggestion(sid).status == "suggested"
    again = world.post(f"/suggestions/{sid}/interest", "stu-a1")
    assert again.status_code == 200, again.text
    assert _wishes(world, sid) == [("express_interest", "usr-stu-a1")]


def test_interest_only_from_the_student_the_match_is_about(world: World) -> None:
    sid = _student_suggestion(world)
    # Another student cannot tell that the suggestion exists; other roles may not at all.
    assert world.post(f"/suggestions/{sid}/interest", "stu-a2").status_code == 404
    for who in ("sme-a", "int-a", "admin"):
        answer = world.post(f"/suggestions/{sid}/interest", who)
        assert answer.status_code == 403, f"{who}: {answer.text}"
        assert "student" in answer.json()["detail"]
    assert world.post(f"/suggestions/{sid}/interest", None).status_code == 401
    assert world.post("/suggestions/sug-bestaat-niet/interest", "stu-a1").status_code == 404
    assert _wishes(world, sid) == []


def test_interest_after_the_introduction_is_409(world: World) -> None:
    sid = _approved_student_match(world)
    assert world.post(f"/suggestions/{sid}/introduce", "int-a").status_code == 200
    late = world.post(f"/suggestions/{sid}/interest", "stu-a1")
    assert late.status_code == 409, late.text
    assert "introduced" in late.json()["detail"]
    assert _wishes(world, sid) == []


def test_the_owning_sme_requests_an_introduction_once(world: World) -> None:
    sid = _approved_student_match(world)
    first = world.post(f"/suggestions/{sid}/introduction-request", "sme-a")
    assert first.status_code == 200, first.text
    assert (first.json()["id"], first.json()["status"]) == (sid, "approved")
    assert world.post(f"/suggestions/{sid}/introduction-request", "sme-a").status_code == 200
    assert _wishes(world, sid) == [("request_introduction", "usr-sme-a")]


def test_an_introduction_request_after_the_introduction_is_409(world: World) -> None:
    sid = _approved_student_match(world)
    assert world.post(f"/suggestions/{sid}/introduce", "int-a").status_code == 200
    late = world.post(f"/suggestions/{sid}/introduction-request", "sme-a")
    assert late.status_code == 409, late.text
    assert "introduced" in late.json()["detail"]
    assert _wishes(world, sid) == []


def test_an_introduction_only_for_the_sme_that_owns_the_challenge(world: World) -> None:
    sid = _approved_student_match(world)
    # Another SME of the same community does not see the match at all.
    assert world.post(f"/suggestions/{sid}/introduction-request", "sme2-a").status_code == 404
    for who in ("stu-a1", "int-a", "admin"):
        answer = world.post(f"/suggestions/{sid}/introduction-request", who)
        assert answer.status_code == 403, f"{who}: {answer.text}"
        assert "sme" in answer.json()["detail"]
    assert _wishes(world, sid) == []


def test_an_sme_cannot_ask_for_a_match_it_may_not_see_yet(world: World) -> None:
    # Community A reviews first: a suggested (not yet approved) student is hidden from the SME.
    answer = world.get("/challenges/ch-a-pub/suggestions/students?available=false", "int-a")
    sid = answer.json()["data"][0]["id"]
    hidden = world.post(f"/suggestions/{sid}/introduction-request", "sme-a")
    assert hidden.status_code == 404, hidden.text
    assert _wishes(world, sid) == []
