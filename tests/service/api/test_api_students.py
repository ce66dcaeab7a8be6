"""Student profiles: consent, who sees which profile, and keeping the index current."""

from __future__ import annotations

from apiworld import CHEAP_HASH, World, email
from sqlmodel import select

from service.domain.tables import Membership, StudentProfile, Suggestion, User

SUGGEST = "/challenges/ch-a-pub/suggestions/students?available=false&k=100"


def _targets(world: World, path: str = SUGGEST, as_: str = "int-a") -> list[str]:
    answer = world.get(path, as_)
    assert answer.status_code == 200, answer.text
    return [row["target_id"] for row in answer.json()["data"]]


def _student_login(world: World, login: str) -> str:
    """A student account without a profile, in community A."""
    user_id = f"usr-{login}"
    with world.session() as session:
        session.add(
            User(
                id=user_id,
                email=email(login),
                full_name="Nieuwe Student",
                role="student",
                hashed_password=CHEAP_HASH,
            )
        )
        session.flush()
        session.add(Membership(community_id="com-a", member_id=user_id, kind="user"))
        session.commit()
    return user_id


def test_a_student_without_consent_is_never_suggested(world: World) -> None:
    # stu-a3's text fits the heat-pump challenge well, but they did not consent.
    assert "stu-a3" not in _targets(world)
    assert "stu-a3" not in _targets(world, SUGGEST + "&level=mbo")
    with world.session() as session:
        stored = session.exec(select(Suggestion).where(Suggestion.target_id == "stu-a3"))
        assert list(stored) == []
    given = world.patch("/students/stu-a3", "int-a", json={"consent_matching": True})
    assert given.status_code == 200
    assert _targets(world) == ["stu-a1", "stu-a3", "stu-a2"]


def test_withdrawn_consent_takes_a_student_out_at_once(world: World) -> None:
    assert "stu-a1" in _targets(world)
    answer = world.patch("/students/stu-a1", "stu-a1", json={"consent_matching": False})
    assert answer.status_code == 200
    assert answer.json()["consent_matching"] is False
    assert _targets(world) == ["stu-a2"]
    assert world.get("/students/stu-a1/suggestions/challenges", "stu-a1").json() == {
        "data": [],
        "count": 0,
    }


def test_withdrawn_consent_takes_stored_suggestions_out_of_review(world: World) -> None:
    # Computed while stu-a1 consented: a stored suggestion waiting in the review queue.
    rows = world.get(SUGGEST, "int-a").json()["data"]
    sid = {row["target_id"]: row["id"] for row in rows}["stu-a1"]
    assert (
        world.patch("/students/stu-a1", "stu-a1", json={"consent_matching": False}).status_code
        == 200
    )
    queue = world.get("/suggestions?status=suggested&community_id=com-a", "int-a").json()
    assert "stu-a1" not in [row["target_id"] for row in queue["data"]]
    approve = world.post(f"/suggestions/{sid}/approve", "int-a", json={})
    assert 400 <= approve.status_code < 500, "a student who withdrew consent cannot be approved"
    stored = world.row(Suggestion, sid)
    assert stored is None or stored["status"] != "approved"
    assert world.get(f"/suggestions/{sid}", "sme-a").status_code == 404


def test_a_student_without_consent_gets_no_challenges_suggested(world: World) -> None:
    answer = world.get("/students/stu-a3/suggestions/challenges?available=false", "int-a")
    assert answer.status_code == 200
    assert answer.json() == {"data": [], "count": 0}


def test_a_student_sees_only_their_own_profile(world: World) -> None:
    listed = world.get("/students", "stu-a1").json()
    assert listed["count"] == 1
    assert [row["id"] for row in listed["data"]] == ["stu-a1"]
    own = world.get("/students/stu-a1", "stu-a1")
    assert own.status_code == 200
    assert own.json()["community_ids"] == ["com-a"]
    assert own.json()["user_id"] == "usr-stu-a1"
    assert "embedding" not in own.json()
    for other in ("stu-a2", "stu-a3", "stu-b1"):
        assert world.get(f"/students/{other}", "stu-a1").status_code == 404


def test_an_sme_cannot_list_or_read_students(world: World) -> None:
    # The route's contract: an SME gets an empty page, never a profile.
    listed = world.get("/students", "sme-a")
    assert listed.status_code == 200
    assert listed.json() == {"data": [], "count": 0}
    assert world.get("/students?community_id=com-a&consent=true", "sme-a").json()["count"] == 0
    assert world.get("/students/stu-a1", "sme-a").status_code == 404


def test_an_intermediary_lists_the_students_of_their_communities(world: World) -> None:
    listed = world.get("/students", "int-a").json()
    assert listed["count"] == 3
    assert sorted(row["id"] for row in listed["data"]) == ["stu-a1", "stu-a2", "stu-a3"]
    no_consent = world.get("/students?consent=false", "int-a").json()
    assert [row["id"] for row in no_consent["data"]] == ["stu-a3"]
    hbo = world.get("/students?level=hbo", "int-a").json()
    assert [row["id"] for row in hbo["data"]] == ["stu-a2"]
    assert world.get("/students?community_id=com-b", "int-a").json()["count"] == 0
    assert world.get("/students", "admin").json()["count"] == 6


def test_a_student_creates_their_own_profile_once(world: World) -> None:
    user_id = _student_login(world, "nieuw-a")
    body = {
        "full_name": "Nina Nieuw",
        "programme": "Bouwkunde",
        "level": "hbo",
        "about": "Biobased bouwen met hout en hennep.",
        "consent_matching": True,
        "community_ids": ["com-a"],
    }
    created = world.post("/students", "nieuw-a", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["user_id"] == user_id
    assert world.get("/users/me", "nieuw-a").json()["student_id"] == created.json()["id"]
    again = world.post("/students", "nieuw-a", json=body)
    assert again.status_code == 409
    assert world.get("/students", "nieuw-a").json()["count"] == 1


def test_a_student_creates_their_profile_only_in_their_own_communities(world: World) -> None:
    _student_login(world, "nieuw-a")
    body = {"full_name": "Nina Nieuw", "programme": "Bouwkunde", "level": "hbo"}
    answer = world.post("/students", "nieuw-a", json={**body, "community_ids": ["com-b"]})
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("community_ids: ")
    assert world.get("/students", "nieuw-a").json()["count"] == 0


def test_a_student_cannot_create_a_profile_for_someone_else(world: World) -> None:
    _student_login(world, "nieuw-a")
    other = _student_login(world, "ander-a")
    answer = world.post(
        "/students",
        "nieuw-a",
        json={
            "full_name": "Iemand Anders",
            "programme": "Bouwkunde",
            "level": "hbo",
            "community_ids": ["com-a"],
            "user_id": other,
        },
    )
    assert answer.status_code == 403
    with world.session() as session:
        assert (
            session.exec(select(StudentProfile).where(StudentProfile.user_id == other)).all() == []
        )


def test_an_intermediary_links_a_new_profile_to_a_students_account(world: World) -> None:
    user_id = _student_login(world, "nieuw-a")
    answer = world.post(
        "/students",
        "int-a",
        json={
            "full_name": "Nina Nieuw",
            "programme": "Bouwkunde",
            "level": "hbo",
            "community_ids": ["com-a"],
            "user_id": user_id,
        },
    )
    assert answer.status_code == 201, answer.text
    assert world.get("/students", "nieuw-a").json()["data"][0]["id"] == answer.json()["id"]
    sme_account = world.post(
        "/students",
        "int-a",
        json={
            "full_name": "Geen Student",
            "programme": "Bouwkunde",
            "level": "hbo",
            "community_ids": ["com-a"],
            "user_id": "usr-sme2-a",
        },
    )
    assert sme_account.status_code == 422


def test_a_new_consenting_student_is_suggested_at_once(world: World) -> None:
    answer = world.post(
        "/students",
        "int-a",
        json={
            "full_name": "Wim Warmte",
            "programme": "Installatietechniek",
            "level": "mbo",
            "about": "Warmtepompen installeren bij woningen is mijn vak.",
            "consent_matching": True,
            "community_ids": ["com-a"],
        },
    )
    assert answer.status_code == 201, answer.text
    new = answer.json()["id"]
    assert new in _targets(world)
    assert new not in _targets(world, "/challenges/ch-b-pub/suggestions/students", "int-b")


def test_a_profile_id_taken_by_any_member_is_a_conflict(world: World) -> None:
    # Only admins choose ids (they see every object: a 409 tells them nothing new).
    body = {"full_name": "Dubbel", "programme": "Bouwkunde", "level": "hbo"}
    for taken in ("stu-a1", "usr-sme-a", "org-sme-a", "rg-a"):
        answer = world.post(
            "/students", "admin", json={**body, "id": taken, "community_ids": ["com-a"]}
        )
        assert answer.status_code == 409, taken
        # An intermediary gets one answer for any id, taken or not.
        mine = world.post(
            "/students", "int-a", json={**body, "id": taken, "community_ids": ["com-a"]}
        )
        assert mine.status_code == 422 and taken not in mine.text
    assert world.get("/students", "int-a").json()["count"] == 3


def test_editing_the_about_text_re_embeds_only_that_profile(world: World) -> None:
    before = world.row(StudentProfile, "stu-a1")
    other = world.row(StudentProfile, "stu-a2")
    encoded = world.encoder.encoded
    answer = world.patch(
        "/students/stu-a1", "stu-a1", json={"about": "Ik wil zonnepanelen leggen."}
    )
    assert answer.status_code == 200
    assert world.encoder.encoded == encoded + 1
    assert world.row(StudentProfile, "stu-a1")["text_hash"] != before["text_hash"]
    assert world.row(StudentProfile, "stu-a2") == other
    assert world.patch("/students/stu-a1", "stu-a1", json={"travel_km": 40}).status_code == 200
    assert world.encoder.encoded == encoded + 1


def test_availability_in_the_wrong_order_is_refused(world: World) -> None:
    before = world.row(StudentProfile, "stu-a1")
    answer = world.patch(
        "/students/stu-a1",
        "stu-a1",
        json={"available_from": "2027-09-01", "available_until": "2027-03-01"},
    )
    assert answer.status_code == 422
    assert "available_until" in str(answer.json()["detail"])
    assert world.row(StudentProfile, "stu-a1") == before


def test_communities_are_set_by_those_who_manage_them(world: World) -> None:
    student = world.put("/students/stu-a1/communities", "stu-a1", json={"community_ids": ["com-a"]})
    assert student.status_code == 403
    foreign = world.put(
        "/students/stu-a1/communities", "int-a", json={"community_ids": ["com-a", "com-b"]}
    )
    assert foreign.status_code == 422
    # A community that does not exist gets the same answer, so the refusal says nothing about B.
    unknown = world.put(
        "/students/stu-a1/communities", "int-a", json={"community_ids": ["com-a", "com-zz"]}
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == foreign.json()["detail"].replace("com-b", "com-zz")
    assert world.get("/students/stu-a1", "int-a").json()["community_ids"] == ["com-a"]
    both = world.put(
        "/students/stu-a1/communities", "admin", json={"community_ids": ["com-a", "com-b"]}
    )
    assert both.status_code == 200
    assert both.json()["community_ids"] == ["com-a", "com-b"]
    assert "stu-a1" in _targets(world, "/challenges/ch-b-pub/suggestions/students", "int-b")
    # int-a may not take the profile out of B, which int-a does not manage.
    leave = world.put("/students/stu-a1/communities", "int-a", json={"community_ids": ["com-a"]})
    assert leave.status_code == 403
    assert world.get("/students/stu-a1", "admin").json()["community_ids"] == ["com-a", "com-b"]


def test_deleting_a_profile_removes_it_from_matching(world: World) -> None:
    assert "stu-a1" in _targets(world)
    assert world.delete("/students/stu-a1", "int-a").status_code == 204
    assert world.get("/students/stu-a1", "int-a").status_code == 404
    assert _targets(world) == ["stu-a2"]
    with world.session() as session:
        assert session.exec(select(Suggestion).where(Suggestion.target_id == "stu-a1")).all() == []
        assert session.exec(select(Membership).where(Membership.member_id == "stu-a1")).all() == []
