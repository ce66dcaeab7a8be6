"""Challenges: an SME posts a draft, publishes, edits (re-embedding only that text) and closes."""

from __future__ import annotations

from apiworld import World

from service.domain.tables import Challenge, Suggestion

NEW = {
    "community_id": "com-a",
    "title": "Zonnepanelen op bedrijfsdaken",
    "description": "Een installateur zoekt hulp bij het plannen van zonnepanelen op daken.",
    "level": "mbo",
    "wanted_skills": [{"label": "zonnepanelen installeren"}],
}


def _ids(answer) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [row["id"] for row in answer.json()["data"]]


def test_an_sme_posts_a_draft_for_its_own_organisation(world: World) -> None:
    answer = world.post("/challenges", "sme-a", json={**NEW, "status": "published"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "draft"  # a status in the body is not the poster's to choose
    assert body["organisation_id"] == "org-sme-a"
    assert body["community_id"] == "com-a"
    assert body["title"] == NEW["title"]
    stored = world.row(Challenge, body["id"])
    assert stored["status"] == "draft"
    assert stored["embedding_model"] == "hashing-trigrams"
    assert len(stored["embedding"]) == 64


def test_a_draft_is_seen_by_its_sme_and_intermediaries_only(world: World) -> None:
    challenge_id = world.post("/challenges", "sme-a", json=NEW).json()["id"]
    assert challenge_id in _ids(world.get("/challenges", "sme-a"))
    assert challenge_id in _ids(world.get("/challenges", "int-a"))
    for other in ("sme2-a", "stu-a1", "int-b", "sme-b"):
        assert challenge_id not in _ids(world.get("/challenges", other)), other
        assert world.get(f"/challenges/{challenge_id}", other).status_code == 404, other


def test_publishing_shows_it_to_the_community_and_not_beyond(world: World) -> None:
    challenge_id = world.post("/challenges", "sme-a", json=NEW).json()["id"]
    published = world.post(f"/challenges/{challenge_id}/publish", "sme-a")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert challenge_id in _ids(world.get("/challenges", "stu-a1"))
    assert challenge_id in _ids(world.get("/challenges", "sme2-a"))
    assert challenge_id not in _ids(world.get("/challenges", "stu-b1"))


def test_a_student_lists_the_published_challenges_of_their_community(world: World) -> None:
    assert sorted(_ids(world.get("/challenges", "stu-a1"))) == ["ch-a-other", "ch-a-pub"]
    sme = sorted(_ids(world.get("/challenges", "sme-a")))
    assert sme == ["ch-a-draft", "ch-a-other", "ch-a-pub"]
    assert len(_ids(world.get("/challenges?limit=100", "admin"))) == 8


def test_list_filters_by_status_and_organisation(world: World) -> None:
    drafts = _ids(world.get("/challenges?status=draft", "int-a"))
    assert sorted(drafts) == ["ch-a-draft", "ch-a-other-draft"]
    mine = _ids(world.get("/challenges?organisation_id=org-sme2-a", "int-a"))
    assert sorted(mine) == ["ch-a-other", "ch-a-other-draft"]
    assert world.get("/challenges?status=open", "int-a").status_code == 422


def test_publish_twice_is_a_conflict_that_says_why(world: World) -> None:
    answer = world.post("/challenges/ch-a-pub/publish", "sme-a")
    assert answer.status_code == 409
    assert "published" in answer.json()["detail"]
    assert world.row(Challenge, "ch-a-pub")["status"] == "published"


def test_close_then_reopen(world: World) -> None:
    closed = world.post("/challenges/ch-a-pub/close", "sme-a")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert world.post("/challenges/ch-a-pub/close", "sme-a").status_code == 409
    assert "ch-a-pub" not in _ids(world.get("/challenges", "stu-a1"))
    assert world.post("/challenges/ch-a-pub/publish", "sme-a").json()["status"] == "published"


def test_an_sme_cannot_post_for_another_organisation(world: World) -> None:
    answer = world.post("/challenges", "sme-a", json={**NEW, "organisation_id": "org-sme2-a"})
    assert answer.status_code == 403
    assert (
        world.get("/challenges?organisation_id=org-sme2-a&status=draft", "int-a").json()["count"]
        == 1
    )


def test_an_intermediary_posts_for_an_organisation_of_the_community(world: World) -> None:
    missing = world.post("/challenges", "int-a", json=NEW)
    assert missing.status_code == 422
    assert "organisation_id" in str(missing.json()["detail"])
    elsewhere = world.post("/challenges", "int-a", json={**NEW, "organisation_id": "org-sme-b"})
    assert elsewhere.status_code == 422
    assert elsewhere.json()["detail"].startswith("organisation_id: ")
    answer = world.post("/challenges", "int-a", json={**NEW, "organisation_id": "org-sme2-a"})
    assert answer.status_code == 201
    assert answer.json()["organisation_id"] == "org-sme2-a"


def test_invalid_bodies_name_the_field(world: World) -> None:
    short = world.post("/challenges", "sme-a", json={**NEW, "title": "ab"})
    assert short.status_code == 422
    assert short.json()["detail"][0]["loc"][-1] == "title"
    backwards = world.post(
        "/challenges",
        "sme-a",
        json={**NEW, "period_start": "2027-06-01", "period_end": "2027-03-01"},
    )
    assert backwards.status_code == 422
    assert "period_end" in str(backwards.json()["detail"])
    assert world.get("/challenges?status=draft", "sme-a").json()["count"] == 1


def test_an_edit_that_breaks_the_period_changes_nothing(world: World) -> None:
    before = world.row(Challenge, "ch-a-pub")
    answer = world.patch("/challenges/ch-a-pub", "sme-a", json={"period_end": "2027-01-01"})
    assert answer.status_code == 422
    assert world.row(Challenge, "ch-a-pub") == before


def test_editing_the_text_re_embeds_that_one_text_only(world: World) -> None:
    others = {id_: world.row(Challenge, id_) for id_ in ("ch-a-other", "ch-a-draft", "ch-b-pub")}
    before = world.row(Challenge, "ch-a-pub")
    encoded = world.encoder.encoded
    answer = world.patch(
        "/challenges/ch-a-pub", "sme-a", json={"title": "Warmtepompen onderhouden bij scholen"}
    )
    assert answer.status_code == 200
    assert answer.json()["title"] == "Warmtepompen onderhouden bij scholen"
    assert world.encoder.encoded == encoded + 1
    after = world.row(Challenge, "ch-a-pub")
    assert after["text_hash"] != before["text_hash"]
    assert after["embedding"] != before["embedding"]
    assert {id_: world.row(Challenge, id_) for id_ in others} == others


def test_editing_fields_outside_the_text_encodes_nothing(world: World) -> None:
    encoded = world.encoder.encoded
    before = world.row(Challenge, "ch-a-pub")
    answer = world.patch("/challenges/ch-a-pub", "sme-a", json={"hours_per_week": 12, "weeks": 6})
    assert answer.status_code == 200
    same_title = world.patch("/challenges/ch-a-pub", "sme-a", json={"title": before["title"]})
    assert same_title.status_code == 200
    assert world.encoder.encoded == encoded
    after = world.row(Challenge, "ch-a-pub")
    assert (after["hours_per_week"], after["weeks"]) == (12, 6)
    assert after["embedding"] == before["embedding"]


def test_an_edited_text_is_matched_on_at_once(world: World) -> None:
    path = "/challenges/ch-a-pub/suggestions/students?available=false"
    first = [row["target_id"] for row in world.get(path, "int-a").json()["data"]]
    assert first == ["stu-a1", "stu-a2"]
    world.patch(
        "/challenges/ch-a-pub",
        "sme-a",
        json={
            "title": "Data-analyse met Python",
            "description": "Data-analyse met Python: het energieverbruik van woningen.",
            "wanted_skills": [{"label": "Python"}],
        },
    )
    again = [row["target_id"] for row in world.get(path, "int-a").json()["data"]]
    assert again == ["stu-a2", "stu-a1"]


def test_closing_removes_it_from_student_suggestions(world: World) -> None:
    path = "/students/stu-a1/suggestions/challenges"
    assert "ch-a-pub" in [row["challenge_id"] for row in world.get(path, "stu-a1").json()["data"]]
    assert world.post("/challenges/ch-a-pub/close", "sme-a").status_code == 200
    after = [row["challenge_id"] for row in world.get(path, "stu-a1").json()["data"]]
    assert "ch-a-pub" not in after
    assert after == ["ch-a-other"]
    closed = world.get("/challenges/ch-a-pub/suggestions/students", "int-a")
    assert closed.status_code == 409
    assert "publish it first" in closed.json()["detail"]


def test_delete_removes_the_challenge_and_its_suggestions(world: World) -> None:
    made = world.get("/challenges/ch-a-pub/suggestions/students?available=false", "int-a")
    assert made.json()["count"] == 2
    assert world.delete("/challenges/ch-a-pub", "sme-a").status_code == 204
    assert world.get("/challenges/ch-a-pub", "sme-a").status_code == 404
    assert world.row(Challenge, "ch-a-pub") is None
    with world.session() as session:
        from sqlmodel import select

        left = session.exec(select(Suggestion).where(Suggestion.challenge_id == "ch-a-pub"))
        assert list(left) == []
    path = "/students/stu-a1/suggestions/challenges"
    assert [row["challenge_id"] for row in world.get(path, "stu-a1").json()["data"]] == [
        "ch-a-other"
    ]


def test_a_challenge_with_reviewed_matches_is_closed_not_deleted(world: World) -> None:
    rows = world.get("/challenges/ch-a-pub/suggestions/students?available=false", "int-a").json()
    sid = rows["data"][0]["id"]
    assert world.post(f"/suggestions/{sid}/approve", "int-a", json={}).status_code == 200
    before = world.row(Challenge, "ch-a-pub")
    answer = world.delete("/challenges/ch-a-pub", "sme-a")
    assert answer.status_code == 409
    assert "close it instead" in answer.json()["detail"]
    assert world.row(Challenge, "ch-a-pub") == before
    assert world.get(f"/suggestions/{sid}/events", "int-a").json()["count"] == 1
    assert world.post("/challenges/ch-a-pub/close", "sme-a").status_code == 200
    assert world.get(f"/suggestions/{sid}", "sme-a").json()["status"] == "approved"
