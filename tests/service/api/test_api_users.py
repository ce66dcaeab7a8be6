"""User accounts: intermediaries open student and SME accounts in their own community only."""

from __future__ import annotations

from apiworld import API, World
from sqlmodel import func, select

from service.domain.tables import User

NEW = {
    "email": "Nieuwe.Student@Example.nl",
    "full_name": "Nieuwe Student",
    "role": "student",
    "password": "een-lang-wachtwoord",
    "community_ids": ["com-a"],
}


def _users(world: World) -> int:
    with world.session() as session:
        return session.exec(select(func.count()).select_from(User)).one()


def test_an_intermediary_opens_a_student_account_that_can_log_in(world: World) -> None:
    answer = world.post("/users", "int-a", json=NEW)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["email"] == "nieuwe.student@example.nl"
    assert (body["role"], body["community_ids"], body["is_active"]) == ("student", ["com-a"], True)
    assert "password" not in body
    assert "hashed_password" not in body
    login = world.login("nieuwe.student@example.nl", "een-lang-wachtwoord")
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert world.client.get(f"{API}/users/me", headers=headers).json()["id"] == body["id"]


def test_an_intermediary_opens_an_sme_account_for_an_organisation_of_the_community(
    world: World,
) -> None:
    sme = {**NEW, "email": "nieuw-mkb@example.nl", "role": "sme"}
    assert world.post("/users", "int-a", json=sme).status_code == 422  # no organisation
    foreign = world.post("/users", "int-a", json={**sme, "organisation_id": "org-sme-b"})
    assert foreign.status_code == 422
    assert "organisation_id" in foreign.json()["detail"]
    answer = world.post("/users", "int-a", json={**sme, "organisation_id": "org-sme2-a"})
    assert answer.status_code == 201
    assert answer.json()["organisation_id"] == "org-sme2-a"


def test_an_intermediary_cannot_open_accounts_with_more_rights(world: World) -> None:
    count = _users(world)
    for role in ("intermediary", "admin"):
        answer = world.post("/users", "int-a", json={**NEW, "email": f"{role}@x.nl", "role": role})
        assert answer.status_code == 403, role
    assert _users(world) == count


def test_an_intermediary_cannot_open_accounts_in_another_community(world: World) -> None:
    count = _users(world)
    answer = world.post("/users", "int-a", json={**NEW, "community_ids": ["com-b"]})
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("community_ids: ")
    both = world.post("/users", "int-a", json={**NEW, "community_ids": ["com-a", "com-b"]})
    assert both.status_code == 422
    nowhere = world.post("/users", "int-a", json={**NEW, "community_ids": []})
    assert nowhere.status_code == 422
    assert _users(world) == count
    assert world.login("nieuwe.student@example.nl", "een-lang-wachtwoord").status_code == 400


def test_smes_and_students_cannot_open_accounts(world: World) -> None:
    count = _users(world)
    assert world.post("/users", "sme-a", json=NEW).status_code == 403
    assert world.post("/users", "stu-a1", json=NEW).status_code == 403
    assert _users(world) == count


def test_an_admin_opens_any_role_anywhere(world: World) -> None:
    answer = world.post(
        "/users",
        "admin",
        json={
            **NEW,
            "email": "int2-b@example.nl",
            "role": "intermediary",
            "community_ids": ["com-b"],
        },
    )
    assert answer.status_code == 201
    assert answer.json()["community_ids"] == ["com-b"]


def test_an_email_has_one_account_whatever_its_case(world: World) -> None:
    taken = world.post("/users", "int-a", json={**NEW, "email": "SME-A@example.nl"})
    assert taken.status_code == 409
    assert world.post("/users", "int-a", json={**NEW, "id": "me"}).status_code == 422
    assert world.post("/users", "int-a", json={**NEW, "email": "geen-adres"}).status_code == 422
    assert world.post("/users", "int-a", json={**NEW, "password": "kort"}).status_code == 422


def test_users_are_listed_per_community(world: World) -> None:
    listed = world.get("/users", "int-a").json()
    assert listed["count"] == 6
    assert sorted(row["id"] for row in listed["data"]) == [
        "usr-int-a",
        "usr-off-a",
        "usr-sme-a",
        "usr-sme2-a",
        "usr-stu-a1",
        "usr-stu-a2",
    ]
    # the eleven accounts of A and B, the admin, and the programme monitor of A
    assert world.get("/users", "admin").json()["count"] == 13
    assert world.get("/users", "sme-a").status_code == 403
    assert world.get("/users/usr-stu-a1", "int-a").json()["student_id"] == "stu-a1"
    assert world.get("/users/usr-stu-b1", "int-a").status_code == 404
    assert world.get("/users/usr-sme2-a", "sme-a").status_code == 404


def test_an_admin_disables_and_enables_an_account(world: World) -> None:
    token = world.headers("sme-a")
    disabled = world.patch("/users/usr-sme-a/active", "admin", json={"is_active": False})
    assert disabled.status_code == 200
    assert disabled.json()["is_active"] is False
    assert world.client.get(f"{API}/users/me", headers=token).status_code == 401
    assert world.login("sme-a").json()["detail"] == "Incorrect email or password"
    assert (
        world.patch("/users/usr-sme-a/active", "admin", json={"is_active": True}).status_code == 200
    )
    assert world.client.get(f"{API}/users/me", headers=token).status_code == 200


def test_an_admin_cannot_disable_themself(world: World) -> None:
    answer = world.patch("/users/usr-admin/active", "admin", json={"is_active": False})
    assert answer.status_code == 409
    assert world.row(User, "usr-admin")["is_active"] is True
    assert (
        world.patch("/users/usr-sme-a/active", "int-a", json={"is_active": False}).status_code
        == 403
    )
    assert world.row(User, "usr-sme-a")["is_active"] is True
