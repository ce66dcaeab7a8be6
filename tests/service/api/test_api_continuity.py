"""Continuity through the API: a theme, a completed match's hand-over, the follow-up in a later
period that carries it (the matcher reads its open part), and the theme's chain."""

from __future__ import annotations

from apiworld import World

from service.domain.tables import Challenge, Suggestion
from service.usecases.matching import text_view

FOLLOW_UP = {"period_start": "2028-02-01", "period_end": "2028-06-30"}
HANDOVER = {
    "done": "Twaalf woningen kregen een warmtepomp; de checklist staat online.",
    "open": "Geluidsmetingen bij de buitenunits in de winter.",
    "links": ["https://example.nl/checklist"],
}


def _theme(world: World) -> str:
    answer = world.post(
        "/themes",
        "int-a",
        json={
            "community_id": "com-a",
            "name": "Warmte in de wijk",
            "description": "Een onderzoekslijn over duurzame warmte in woonwijken.",
            "research_group_id": "rg-a",
        },
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def _active_match(world: World, student: str = "stu-a1") -> str:
    """A match of ch-a-pub with the student that both sides accepted and that has started."""
    suggestion = Suggestion(
        community_id="com-a",
        challenge_id="ch-a-pub",
        target_kind="student",
        target_id=student,
        score=1.0,
        dense=0.5,
        lexical=0.5,
        skill=0.5,
        model_version="hashing-trigrams; test",
        status="active",
        sme_response="accepted",
        target_response="accepted",
    )
    with world.session() as session:
        session.add(suggestion)
        session.commit()
    return suggestion.id


def test_a_theme_is_made_by_intermediaries_and_seen_in_its_community_only(world: World) -> None:
    theme = _theme(world)
    assert world.get(f"/themes/{theme}", "stu-a1").status_code == 200
    assert world.get(f"/themes/{theme}", "sme-a").json()["research_group_id"] == "rg-a"
    assert world.get(f"/themes/{theme}", "int-b").status_code == 404
    assert [t["id"] for t in world.get("/themes", "int-a").json()["data"]] == [theme]
    assert world.get("/themes", "int-b").json()["count"] == 0
    body = {"community_id": "com-a", "name": "Iets nieuws"}
    assert world.post("/themes", "sme-a", json=body).status_code == 403
    foreign = world.post("/themes", "int-a", json={**body, "research_group_id": "rg-b"})
    assert foreign.status_code == 422 and "research_group_id" in foreign.text
    elsewhere = world.post("/themes", "int-b", json=body)
    assert elsewhere.status_code == 422 and "community_id" in elsewhere.text
    nowhere = world.post("/themes", "admin", json={**body, "community_id": "com-nergens"})
    assert nowhere.status_code == 422 and "community_id" in nowhere.text
    # A challenge joins a theme of its own community only.
    assert world.patch("/challenges/ch-a-pub", "sme-a", json={"theme_id": theme}).status_code == 200
    wrong = world.patch("/challenges/ch-b-pub", "int-b", json={"theme_id": theme})
    assert wrong.status_code == 422 and "theme_id" in wrong.text


def test_hand_over_then_follow_up_then_the_chain(world: World) -> None:
    theme = _theme(world)
    assert world.patch("/challenges/ch-a-pub", "int-a", json={"theme_id": theme}).status_code == 200
    with world.session() as session:
        session.get(Challenge, "ch-a-pub").supervisor_id = "rg-a"
        session.commit()
    match = _active_match(world)
    # Nothing to hand over or continue before the match completes.
    assert world.put(f"/suggestions/{match}/handover", "stu-a1", json=HANDOVER).status_code == 409
    early = world.post("/challenges/ch-a-pub/continue", "int-a", json=FOLLOW_UP)
    assert early.status_code == 409
    assert world.post(f"/suggestions/{match}/complete", "int-a").status_code == 200
    assert world.post(f"/suggestions/{match}/rate", "sme-a", json={"rating": 4}).status_code == 200

    # The hand-over: the match's student (or an intermediary) writes it; the SME may not.
    assert world.put(f"/suggestions/{match}/handover", "sme-a", json=HANDOVER).status_code == 403
    assert world.put(f"/suggestions/{match}/handover", "stu-a2", json=HANDOVER).status_code == 404
    bad = world.put(
        f"/suggestions/{match}/handover", "stu-a1", json={**HANDOVER, "links": ["javascript:x"]}
    )
    assert bad.status_code == 422 and "links" in bad.text
    written = world.put(f"/suggestions/{match}/handover", "stu-a1", json=HANDOVER)
    assert written.status_code == 200, written.text
    assert world.get("/challenges/ch-a-pub/handover", "sme-a").json()["open"] == HANDOVER["open"]

    # The follow-up: a later period only; it carries theme, SME, supervisor and what was open.
    same_time = {"period_start": "2027-03-01", "period_end": "2027-06-30"}
    refused = world.post("/challenges/ch-a-pub/continue", "sme-a", json=same_time)
    assert refused.status_code == 422 and "period_start" in refused.text
    assert world.post("/challenges/ch-a-pub/continue", "stu-a1", json=FOLLOW_UP).status_code == 404
    assert world.post("/challenges/ch-a-pub/continue", "int-b", json=FOLLOW_UP).status_code == 404
    made = world.post("/challenges/ch-a-pub/continue", "sme-a", json=FOLLOW_UP)
    assert made.status_code == 201, made.text
    follow_up = made.json()
    assert (follow_up["theme_id"], follow_up["follows_id"]) == (theme, "ch-a-pub")
    assert (follow_up["organisation_id"], follow_up["supervisor_id"]) == ("org-sme-a", "rg-a")
    assert (follow_up["status"], follow_up["period_start"]) == ("draft", "2028-02-01")
    again = world.post("/challenges/ch-a-pub/continue", "int-a", json=FOLLOW_UP)
    assert again.status_code == 409
    with world.session() as session:
        stored = session.get(Challenge, follow_up["id"])
        assert HANDOVER["open"] in text_view("challenge", stored)
        assert HANDOVER["open"] not in text_view("challenge", session.get(Challenge, "ch-a-pub"))

    # A rewritten hand-over reaches the follow-up (and what it is matched on).
    rewritten = {**HANDOVER, "open": "Een app voor bewoners die de warmtepomp bedienen."}
    assert world.put(f"/suggestions/{match}/handover", "int-a", json=rewritten).status_code == 200
    with world.session() as session:
        stored = session.get(Challenge, follow_up["id"])
        assert "app voor bewoners" in text_view("challenge", stored)

    # The chain: in time, with the team, its result, ratings and hand-over.
    chain = world.get(f"/themes/{theme}/chain", "int-a").json()
    assert chain["research_group"] == "Lectoraat Duurzame Energie A"
    first, second = chain["links"]
    assert (first["challenge_id"], second["challenge_id"]) == ("ch-a-pub", follow_up["id"])
    assert (first["result"], first["year"], first["sme_rating"]) == ("completed", 2027, 4.0)
    assert first["team"] == {"size": 1, "members": ["Sanne Installateur A"]}
    assert first["handover"]["open"] == rewritten["open"]
    assert (second["result"], second["follows_id"], second["team"]["size"]) == (
        "open",
        "ch-a-pub",
        0,
    )
    # A student of the community sees the chain without names (the draft is not theirs).
    seen = world.get(f"/themes/{theme}/chain", "stu-a2").json()
    assert [link["challenge_id"] for link in seen["links"]] == ["ch-a-pub"]
    assert seen["links"][0]["team"] == {"size": 1, "members": None}
    assert "Sanne" not in world.get(f"/themes/{theme}/chain", "sme-a").text
    assert world.get(f"/themes/{theme}/chain", "int-b").status_code == 404
    assert world.get(f"/themes/{theme}/chain", "mon-a").status_code == 404


def test_a_challenge_of_no_theme_is_continued_into_one_named(world: World) -> None:
    match = _active_match(world)
    assert world.post(f"/suggestions/{match}/complete", "int-a").status_code == 200
    missing = world.post("/challenges/ch-a-pub/continue", "int-a", json=FOLLOW_UP)
    assert missing.status_code == 422 and "theme_id" in missing.text
    unknown = world.post(
        "/challenges/ch-a-pub/continue", "int-a", json={**FOLLOW_UP, "theme_id": "thm-nee"}
    )
    assert unknown.status_code == 422 and "theme_id" in unknown.text
    theme = _theme(world)
    made = world.post(
        "/challenges/ch-a-pub/continue", "int-a", json={**FOLLOW_UP, "theme_id": theme}
    )
    assert made.status_code == 201, made.text
    # No supervisor was named before: the theme's research group supervises the follow-up.
    assert made.json()["supervisor_id"] == "rg-a"
    assert world.get("/challenges/ch-a-pub", "int-a").json()["theme_id"] == theme
    # Without a hand-over there is none to read.
    assert world.get("/challenges/ch-a-pub/handover", "int-a").status_code == 404
