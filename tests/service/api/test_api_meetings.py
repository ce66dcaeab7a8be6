"""Meetings through the API, on SQLite and PostgreSQL: an intermediary plans one on a theme,
invites from the suggestions (ranked by the theme, with the reason), the invitees answer
within the capacity, attendance is recorded, and a later match counts for the meeting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apiworld import World
from sqlmodel import select

from service.domain.meeting_tables import Invitation
from service.domain.notification_tables import MailKind, OutboxMail
from service.domain.tables import Suggestion, SuggestionEvent

MEETING = {
    "title": "Warmtepompen in de wijk: kennismaken",
    "starts_at": "2027-03-10T15:00:00+01:00",
    "ends_at": "2027-03-10T17:00:00+01:00",
    "place": "Doetinchem",
    "host_organisation_id": "org-sme-a",
    "capacity": 2,
    "notes": "Koffie vanaf half drie.",
}


def _theme(world: World) -> str:
    made = world.post(
        "/themes",
        "int-a",
        json={
            "community_id": "com-a",
            "name": "Warmtepompen in woningen",
            "description": "Warmtepompen installeren bij woningen en duurzame warmte.",
            "research_group_id": "rg-a",
        },
    )
    assert made.status_code == 201, made.text
    return made.json()["id"]


def _meeting(world: World, **changes) -> dict:
    made = world.post("/meetings", "int-a", json={**MEETING, "theme_id": _theme(world), **changes})
    assert made.status_code == 201, made.text
    return made.json()


def test_planning_checks_its_fields_and_who_plans(world: World) -> None:
    theme = _theme(world)
    body = {**MEETING, "theme_id": theme}
    backwards = world.post("/meetings", "int-a", json={**body, "ends_at": MEETING["starts_at"]})
    assert backwards.status_code == 422 and "ends_at" in backwards.text
    nowhere = world.post("/meetings", "int-a", json={**body, "place": "Atlantis aan Zee"})
    assert nowhere.status_code == 422 and "place" in nowhere.text
    empty = world.post("/meetings", "int-a", json={**body, "capacity": 0})
    assert empty.status_code == 422 and "capacity" in empty.text
    foreign_host = world.post(
        "/meetings", "int-a", json={**body, "host_organisation_id": "org-sme-b"}
    )
    assert foreign_host.status_code == 422 and "host_organisation_id" in foreign_host.text
    assert world.post("/meetings", "int-b", json=body).status_code == 422  # not B's theme
    assert world.post("/meetings", "sme-a", json=body).status_code == 403
    made = world.post("/meetings", "int-a", json={**body, "place": "den bosch"})
    assert made.status_code == 201, made.text
    assert made.json()["place"] == "'s-Hertogenbosch"  # looked up like every place
    assert made.json()["starts_at"].startswith("2027-03-10T14:00")  # kept in UTC


def test_plan_invite_answer_attend_and_what_it_led_to(world: World) -> None:
    meeting = _meeting(world)
    path = f"/meetings/{meeting['id']}"

    suggested = world.get(path + "/suggestions", "int-a")
    assert suggested.status_code == 200, suggested.text
    found = {(s["invitee_kind"], s["invitee_id"]): s for s in suggested.json()}
    assert ("student", "stu-a1") in found and ("research_group", "rg-a") in found
    assert ("sme", "org-sme-a") in found
    assert ("student", "stu-a3") not in found  # no consent to matching
    assert not any(key[1].endswith("-b") for key in found)  # another community's
    assert "warmtepompen" in found[("student", "stu-a1")]["reason"]
    assert world.get(path + "/suggestions", "stu-a1").status_code == 404
    assert world.get(path + "/suggestions", "int-b").status_code == 404

    invited = {}
    for kind, id_ in (("student", "stu-a1"), ("sme", "org-sme-a"), ("student", "stu-a2")):
        answer = world.post(
            path + "/invitations", "int-a", json={"invitee_kind": kind, "invitee_id": id_}
        )
        assert answer.status_code == 201, answer.text
        invited[id_] = answer.json()
    assert "warmtepompen" in invited["stu-a1"]["reason"]
    twice = world.post(
        path + "/invitations", "int-a", json={"invitee_kind": "student", "invitee_id": "stu-a1"}
    )
    assert twice.status_code == 409
    no_consent = world.post(
        path + "/invitations", "int-a", json={"invitee_kind": "student", "invitee_id": "stu-a3"}
    )
    assert no_consent.status_code == 422 and "invitee_id" in no_consent.text
    again = {
        (s["invitee_kind"], s["invitee_id"])
        for s in world.get(path + "/suggestions", "int-a").json()
    }
    assert ("student", "stu-a1") not in again  # invited already

    with world.session() as session:
        mails = list(session.exec(select(OutboxMail).where(OutboxMail.meeting_id == meeting["id"])))
    assert {m.recipient_id for m in mails} == {"usr-stu-a1", "usr-sme-a", "usr-stu-a2"}
    assert {m.kind for m in mails} == {MailKind.meeting}
    assert {m.link for m in mails} == {path}

    # Who sees it: the invitees (their own invitation only), not others, never a monitor.
    seen = world.get(path, "stu-a1").json()
    assert seen["invitations"] is None and [i["invitee_id"] for i in seen["mine"]] == ["stu-a1"]
    assert world.get(path, "sme-a").json()["mine"][0]["invitee_id"] == "org-sme-a"
    for outsider in ("sme2-a", "int-b", "mon-a", "stu-b1"):
        assert world.get(path, outsider).status_code == 404, outsider
    assert world.get("/meetings", "mon-a").json()["count"] == 0
    assert [m["id"] for m in world.get("/meetings", "stu-a1").json()["data"]] == [meeting["id"]]
    assert world.get("/meetings", "stu-b1").json()["count"] == 0

    # Answers, within the capacity of two.
    def reply(who: str, id_: str, what: str):
        return world.post(f"{path}/invitations/{id_}/answer", who, json={"answer": what})

    assert reply("stu-a2", invited["stu-a1"]["id"], "accepted").status_code == 404  # not theirs
    assert reply("stu-a1", invited["stu-a1"]["id"], "invited").status_code == 422
    assert reply("stu-a1", invited["stu-a1"]["id"], "accepted").status_code == 200
    assert reply("sme-a", invited["org-sme-a"]["id"], "accepted").status_code == 200
    full = reply("stu-a2", invited["stu-a2"]["id"], "accepted")
    assert full.status_code == 409
    assert reply("stu-a2", invited["stu-a2"]["id"], "declined").json()["status"] == "declined"
    assert world.get(path, "int-a").json()["meeting"]["accepted"] == 2
    late = world.post(
        path + "/invitations",
        "int-a",
        json={"invitee_kind": "research_group", "invitee_id": "rg-a"},
    )
    assert late.status_code == 409  # full

    # Attendance: the intermediary's; names for them only.
    present = {"present": [invited["stu-a1"]["id"]]}
    assert world.put(path + "/attendance", "stu-a1", json=present).status_code == 403
    stranger = world.put(path + "/attendance", "int-a", json={"present": ["inv-nergens"]})
    assert stranger.status_code == 422 and "present" in stranger.text
    assert world.put(path + "/attendance", "int-a", json=present).status_code == 200
    detail = world.get(path, "int-a").json()
    attended = {i["invitee_id"]: i["attended"] for i in detail["invitations"]}
    assert attended == {"stu-a1": True, "org-sme-a": False, "stu-a2": False}
    assert {i["name"] for i in detail["invitations"]} >= {"Sanne Installateur A"}

    # The right of access: the student's own export holds the invitation and its answer.
    exported = world.get("/users/me/export", "stu-a1").json()["meeting_invitations"]
    assert [(i["meeting_id"], i["status"], i["attended"]) for i in exported] == [
        (meeting["id"], "accepted", True)
    ]
    assert (
        world.get("/users/me/export", "stu-a2").json()["meeting_invitations"][0]["attended"]
        is False
    )

    # Led to a match: stu-a1 introduced after the meeting; stu-a2 before it (does not count).
    starts = datetime(2027, 3, 10, 14, tzinfo=UTC)
    with world.session() as session:
        for student, at in (
            ("stu-a1", starts + timedelta(days=30)),
            ("stu-a2", starts - timedelta(days=1)),
        ):
            match = Suggestion(
                community_id="com-a",
                challenge_id="ch-a-other",
                target_kind="student",
                target_id=student,
                score=1.0,
                dense=0.5,
                lexical=0.5,
                skill=0.5,
                model_version="test",
                status="introduced",
            )
            session.add(match)
            session.flush()
            session.add(
                SuggestionEvent(
                    suggestion_id=match.id,
                    actor_id="usr-int-a",
                    action="introduce",
                    from_status="approved",
                    to_status="introduced",
                    at=at,
                )
            )
        session.commit()
    listed = world.get("/meetings", "int-a").json()["data"]
    # stu-a1 directly, and org-sme2-a's challenge is not org-sme-a's: one invitee.
    assert [m["led_to_matches"] for m in listed] == [1]
    assert world.get("/meetings", "stu-a1").json()["data"][0]["led_to_matches"] is None


def test_an_invitation_is_gone_with_its_meeting_rows(world: World) -> None:
    """Invitations are stored once per invitee and meeting (the database refuses a second)."""
    meeting = _meeting(world)
    world.post(
        f"/meetings/{meeting['id']}/invitations",
        "int-a",
        json={"invitee_kind": "research_group", "invitee_id": "rg-a"},
    )
    with world.session() as session:
        rows = list(session.exec(select(Invitation).where(Invitation.meeting_id == meeting["id"])))
        mails = list(session.exec(select(OutboxMail).where(OutboxMail.meeting_id == meeting["id"])))
    assert [(r.invitee_kind, r.user_id) for r in rows] == [("research_group", None)]
    assert [m.to_address for m in mails] == ["lectoraat-a@example.nl"]  # its contact address


def test_erasing_a_person_erases_their_invitations(world: World) -> None:
    meeting = _meeting(world)
    for kind, id_ in (("student", "stu-a1"), ("sme", "org-sme-a")):
        made = world.post(
            f"/meetings/{meeting['id']}/invitations",
            "int-a",
            json={"invitee_kind": kind, "invitee_id": id_},
        )
        assert made.status_code == 201, made.text
    assert world.delete("/users/usr-stu-a1", "admin").status_code in (200, 204)
    assert world.delete("/users/usr-sme-a", "admin").status_code in (200, 204)
    with world.session() as session:
        rows = list(session.exec(select(Invitation).where(Invitation.meeting_id == meeting["id"])))
    # The student's invitation is gone; the SME's stays its organisation's, without the login.
    assert [(r.invitee_id, r.user_id) for r in rows] == [("org-sme-a", None)]


def test_a_professional_of_the_community_is_invited_and_goes_with_their_profile(
    world: World,
) -> None:
    meeting = _meeting(world, capacity=10)
    path = f"/meetings/{meeting['id']}/invitations"
    for community, id_ in (("com-a", "pro-mtg-a"), ("com-b", "pro-mtg-b")):
        made = world.post(
            "/professionals",
            "admin",
            json={
                "id": id_,
                "full_name": f"Vakman {community}",
                "job_role": "werknemer",
                "organisation_id": f"org-sme-{community[-1]}",
                "community_ids": [community],
            },
        )
        assert made.status_code == 201, made.text
    elsewhere = world.post(
        path, "int-a", json={"invitee_kind": "professional", "invitee_id": "pro-mtg-b"}
    )
    assert elsewhere.status_code == 422 and "invitee_id" in elsewhere.text
    unknown = world.post(path, "int-a", json={"invitee_kind": "teacher", "invitee_id": "tea-nope"})
    assert unknown.status_code == 422 and "invitee_id" in unknown.text
    invited = world.post(
        path, "int-a", json={"invitee_kind": "professional", "invitee_id": "pro-mtg-a"}
    )
    assert invited.status_code == 201, invited.text
    detail = world.get(f"/meetings/{meeting['id']}", "int-a").json()
    assert [(i["invitee_kind"], i["name"]) for i in detail["invitations"]] == [
        ("professional", "Vakman com-a")
    ]
    assert world.delete("/professionals/pro-mtg-a", "int-a").status_code == 204
    with world.session() as session:
        assert (
            session.exec(select(Invitation).where(Invitation.invitee_id == "pro-mtg-a")).all() == []
        )


def _professional(world: World, id_: str, community: str, wishes: str, **more) -> None:
    made = world.post(
        "/professionals",
        "admin",
        json={
            "id": id_,
            "full_name": f"Vakman {id_}",
            "job_role": "werknemer",
            "organisation_id": f"org-sme-{community[-1]}",
            "community_ids": [community],
            "learning_wishes": wishes,
            **more,
        },
    )
    assert made.status_code == 201, made.text


def test_professionals_and_teachers_of_the_community_are_suggested_with_the_reason(
    world: World,
) -> None:
    meeting = _meeting(world, capacity=10)
    path = f"/meetings/{meeting['id']}"
    wishes = "Ik wil leren hoe je warmtepompen installeert in woningen."
    _professional(world, "pro-warm-a", "com-a", wishes)
    _professional(world, "pro-warm-b", "com-b", wishes)  # the same wish, another community
    teacher = world.post(
        "/teachers",
        "admin",
        json={
            "id": "tea-warm-a",
            "full_name": "Docent Warmte",
            "programme": "Installatietechniek",
            "expertise": "Warmtepompen en duurzame warmte in woningen.",
            "community_ids": ["com-a"],
        },
    )
    assert teacher.status_code == 201, teacher.text

    answer = world.get(path + "/suggestions", "int-a")
    assert answer.status_code == 200, answer.text
    found = {(s["invitee_kind"], s["invitee_id"]): s for s in answer.json()}
    professional = found[("professional", "pro-warm-a")]
    assert professional["name"] == "Vakman pro-warm-a"
    assert "warmtepompen" in professional["reason"]
    assert professional["reason_nl"].startswith("wil leren over")
    assert "warmtepompen" in professional["reason_nl"]
    assert professional["reason_en"].startswith("wants to learn about")
    assert ("professional", "pro-warm-b") not in found  # not of the meeting's community
    assert "warmtepompen" in found[("teacher", "tea-warm-a")]["reason_en"]
    assert found[("student", "stu-a1")]["reason_en"].startswith("shares with the theme")

    invited = world.post(
        path + "/invitations",
        "int-a",
        json={"invitee_kind": "professional", "invitee_id": "pro-warm-a"},
    )
    assert invited.status_code == 201, invited.text
    assert "warmtepompen" in invited.json()["reason"]  # the suggestion's reason, stored
    again = {
        (s["invitee_kind"], s["invitee_id"])
        for s in world.get(path + "/suggestions", "int-a").json()
    }
    assert ("professional", "pro-warm-a") not in again  # invited already
    assert ("teacher", "tea-warm-a") in again
