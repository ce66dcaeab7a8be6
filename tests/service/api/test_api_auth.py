"""Logging in, /users/me and API keys, on both databases."""

from __future__ import annotations

from apiworld import API, PASSWORD, World, email

from service.domain.tables import ApiKey, User


def test_login_returns_a_bearer_token_that_identifies_the_user(world: World) -> None:
    answer = world.login("sme-a")
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    me = world.client.get(
        f"{API}/users/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["id"] == "usr-sme-a"


def test_login_ignores_the_case_of_the_email(world: World) -> None:
    assert world.login(email("sme-a").upper()).status_code == 200


def test_wrong_password_is_400_and_gives_no_token(world: World) -> None:
    answer = world.login("sme-a", "niet-het-wachtwoord")
    assert answer.status_code == 400
    assert answer.json()["detail"] == "Incorrect email or password"
    assert "access_token" not in answer.json()


def test_unknown_account_gets_the_same_answer_as_a_wrong_password(world: World) -> None:
    answer = world.login("niemand@example.nl")
    assert answer.status_code == 400
    assert answer.json()["detail"] == "Incorrect email or password"


def test_disabled_account_cannot_log_in(world: World) -> None:
    answer = world.login("off-a")
    assert answer.status_code == 400
    # The same answer as a wrong password: it must not confirm that the password is right.
    assert answer.json()["detail"] == "Incorrect email or password"


def test_disabled_account_with_the_wrong_password_does_not_learn_it_is_disabled(
    world: World,
) -> None:
    answer = world.login("off-a", "niet-het-wachtwoord")
    assert answer.json()["detail"] == "Incorrect email or password"


def test_token_of_an_account_disabled_after_login_stops_working(world: World) -> None:
    headers = world.headers("sme-a")
    with world.session() as session:
        user = session.get(User, "usr-sme-a")
        user.is_active = False
        session.add(user)
        session.commit()
    assert world.client.get(f"{API}/users/me", headers=headers).status_code == 401


def test_forged_and_missing_tokens_are_401(world: World) -> None:
    assert world.get("/users/me", None).status_code == 401
    forged = {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c3ItYWRtaW4ifQ."}
    assert world.client.get(f"{API}/users/me", headers=forged).status_code == 401
    garbage = {"Authorization": "Bearer dit-is-geen-token"}
    assert world.client.get(f"{API}/users/me", headers=garbage).status_code == 401


def test_users_me_shows_role_communities_and_student_profile(world: World) -> None:
    student = world.get("/users/me", "stu-a1").json()
    assert student["role"] == "student"
    assert student["community_ids"] == ["com-a"]
    assert student["student_id"] == "stu-a1"
    assert "hashed_password" not in student
    sme = world.get("/users/me", "sme-b").json()
    assert (sme["role"], sme["organisation_id"], sme["community_ids"]) == (
        "sme",
        "org-sme-b",
        ["com-b"],
    )
    assert sme["student_id"] is None


def test_users_me_patch_changes_name_and_password(world: World) -> None:
    body = {
        "full_name": "Ineke Intermediair",
        "password": "nieuw-geheim-1",
        "current_password": PASSWORD,
    }
    answer = world.patch("/users/me", "int-a", json=body)
    assert answer.status_code == 200
    assert answer.json()["full_name"] == "Ineke Intermediair"
    assert world.login("int-a").status_code == 400
    assert world.login("int-a", "nieuw-geheim-1").status_code == 200


def test_users_me_patch_cannot_change_role_or_organisation(world: World) -> None:
    before = world.row(User, "usr-stu-a1")
    answer = world.patch(
        "/users/me", "stu-a1", json={"role": "admin", "organisation_id": "org-sme-a"}
    )
    assert answer.status_code in (200, 422)
    after = world.row(User, "usr-stu-a1")
    assert (after["role"], after["organisation_id"]) == ("student", None)
    assert after["hashed_password"] == before["hashed_password"]


def test_users_me_patch_rejects_a_short_password(world: World) -> None:
    answer = world.patch("/users/me", "sme-a", json={"password": "kort"})
    assert answer.status_code == 422
    assert world.login("sme-a", PASSWORD).status_code == 200


def test_api_key_works_until_it_is_revoked(world: World) -> None:
    created = world.post("/users/me/api-keys", "sme-a", json={"name": "script"})
    assert created.status_code == 201
    key = created.json()
    assert key["key"].startswith("lcm_")
    assert key["revoked_at"] is None
    with world.session() as session:
        stored = session.get(ApiKey, key["id"])
        assert stored.key_hash != key["key"]
        assert key["key"] not in stored.key_hash
    api_key = {"X-API-Key": key["key"]}
    me = world.client.get(f"{API}/users/me", headers=api_key)
    assert me.status_code == 200
    assert me.json()["id"] == "usr-sme-a"
    listed = world.get("/users/me/api-keys", "sme-a").json()
    assert listed["count"] == 1
    assert [row["name"] for row in listed["data"]] == ["script"]
    assert "key" not in listed["data"][0]

    assert world.delete(f"/users/me/api-keys/{key['id']}", "sme-a").status_code == 204
    assert world.client.get(f"{API}/users/me", headers=api_key).status_code == 401
    again = world.get("/users/me/api-keys", "sme-a").json()
    assert again["data"][0]["revoked_at"] is not None
    assert world.delete(f"/users/me/api-keys/{key['id']}", "sme-a").status_code == 404


def test_an_unknown_api_key_is_401(world: World) -> None:
    answer = world.client.get(f"{API}/users/me", headers={"X-API-Key": "lcm_onbekend"})
    assert answer.status_code == 401


def test_nobody_revokes_another_users_api_key(world: World) -> None:
    key = world.post("/users/me/api-keys", "sme-a", json={"name": "script"}).json()
    for other in ("sme2-a", "int-a", "admin"):
        assert world.delete(f"/users/me/api-keys/{key['id']}", other).status_code == 404
    assert world.client.get(f"{API}/users/me", headers={"X-API-Key": key["key"]}).status_code == 200
    assert world.get("/users/me/api-keys", "int-a").json()["count"] == 0


def test_api_key_of_a_disabled_account_stops_working(world: World) -> None:
    key = world.post("/users/me/api-keys", "sme-a", json={"name": "script"}).json()
    with world.session() as session:
        user = session.get(User, "usr-sme-a")
        user.is_active = False
        session.add(user)
        session.commit()
    assert world.client.get(f"{API}/users/me", headers={"X-API-Key": key["key"]}).status_code == 401
