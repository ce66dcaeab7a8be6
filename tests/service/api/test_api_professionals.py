"""Professionals (werknemers, leidinggevenden of SMEs): who keeps and sees their profiles, and
their learning suggestions: challenges of other organisations of their community."""

from __future__ import annotations

from apiworld import PASSWORD, World, email

WISHES_DATA = "Ik wil leren energiedata analyseren met Python en pandas en een dashboard maken."
WISHES_HEAT = "Ik wil leren warmtepompen installeren bij woningen en bewoners adviseren."


def _new(organisation_id: str, **extra) -> dict:
    return {
        "full_name": "Petra Planner",
        "job_role": "werknemer",
        "job_title": "Werkvoorbereider",
        "skills": [{"label": "Python"}],
        "learning_wishes": WISHES_DATA,
        "hours_per_week": 4,
        "organisation_id": organisation_id,
        "community_ids": ["com-a"],
        **extra,
    }


def _login(world: World, login: str, organisation_id: str) -> str:
    """A professional's account, opened by community A's intermediary; its user id."""
    made = world.post(
        "/users",
        "int-a",
        json={
            "email": email(login),
            "full_name": "Petra Planner",
            "role": "professional",
            "password": PASSWORD,
            "community_ids": ["com-a"],
            "organisation_id": organisation_id,
        },
    )
    assert made.status_code == 201, made.text
    return made.json()["id"]


def test_intermediaries_keep_professionals_and_the_employer_reads_its_own(world: World) -> None:
    made = world.post("/professionals", "int-a", json=_new("org-sme-a"))
    assert made.status_code == 201, made.text
    professional = made.json()
    assert professional["id"].startswith("pro-") and professional["community_ids"] == ["com-a"]
    url = f"/professionals/{professional['id']}"
    assert world.get(url, "sme-a").json()["job_role"] == "werknemer"
    for outsider in ("sme2-a", "sme-b", "int-b"):
        assert world.get(url, outsider).status_code == 404, outsider
    # A student and the monitor (who never sees a person) are refused by role.
    assert world.get(url, "stu-a1").status_code == 403
    assert world.get(url, "mon-a").status_code == 403
    assert world.get("/professionals", "mon-a").status_code == 403
    # The employer reads and registers its own staff, but neither edits nor deletes.
    assert world.patch(url, "sme-a", json={"hours_per_week": 8}).status_code == 403
    assert world.delete(url, "sme-a").status_code == 403
    own = world.post("/professionals", "sme-a", json=_new("org-sme-a", job_role="leidinggevende"))
    assert own.status_code == 201, own.text
    other = world.post("/professionals", "sme-a", json=_new("org-sme2-a"))
    assert other.status_code == 403 and "organisation_id" in other.text
    listed = {p["id"] for p in world.get("/professionals", "sme-a").json()["data"]}
    assert listed == {professional["id"], own.json()["id"]}
    assert world.get("/professionals", "sme2-a").json()["count"] == 0
    assert world.get("/professionals", "int-b").json()["count"] == 0
    # An organisation of another community, a role that does not exist: 422 naming the field.
    elsewhere = world.post("/professionals", "int-a", json=_new("org-sme-b"))
    assert elsewhere.status_code == 422 and "organisation_id" in elsewhere.text
    bad_role = world.post("/professionals", "int-a", json=_new("org-sme-a", job_role="baas"))
    assert bad_role.status_code == 422 and "job_role" in bad_role.text
    changed = world.patch(url, "int-a", json={"hours_per_week": 6})
    assert changed.status_code == 200 and changed.json()["hours_per_week"] == 6
    assert world.patch(url, "int-a", json={"hours_per_week": 0}).status_code == 422
    assert world.delete(url, "int-a").status_code == 204
    assert world.get(url, "int-a").status_code == 404


def test_a_professional_sees_and_edits_only_their_own_profile(world: World) -> None:
    user_id = _login(world, "pro-a", "org-sme-a")
    mine = world.post("/professionals", "int-a", json=_new("org-sme-a", user_id=user_id)).json()
    colleague = world.post("/professionals", "int-a", json=_new("org-sme-a")).json()
    url = f"/professionals/{mine['id']}"
    assert world.get(url, "pro-a").json()["user_id"] == user_id
    changed = world.patch(url, "pro-a", json={"learning_wishes": WISHES_HEAT})
    assert changed.status_code == 200 and changed.json()["learning_wishes"] == WISHES_HEAT
    assert world.get(f"/professionals/{colleague['id']}", "pro-a").status_code == 404
    assert [p["id"] for p in world.get("/professionals", "pro-a").json()["data"]] == [mine["id"]]
    assert world.delete(url, "pro-a").status_code == 403
    # No student's data, no one else's: a professional is not a student nor an intermediary.
    assert world.get("/students/stu-a1", "pro-a").status_code in (403, 404)
    assert world.get("/teachers", "pro-a").status_code == 403
    # One login, one profile.
    again = world.post("/professionals", "int-a", json=_new("org-sme-a", user_id=user_id))
    assert again.status_code == 409
    # The right of access: their own export holds the profile and its community.
    export = world.get("/users/me/export", "pro-a")
    assert export.status_code == 200, export.text
    assert export.json()["professional_profile"]["learning_wishes"] == WISHES_HEAT
    assert {"community_id": "com-a", "kind": "professional"}.items() <= {
        **next(m for m in export.json()["memberships"] if m["kind"] == "professional")
    }.items()
    # Erasing the account erases the profile it logs in to, and nothing else.
    assert world.delete(f"/users/{user_id}", "admin").status_code in (200, 204)
    assert world.get(url, "int-a").status_code == 404
    assert world.get(f"/professionals/{colleague['id']}", "int-a").status_code == 200


def test_learning_suggestions_are_other_organisations_challenges(world: World) -> None:
    """Hand-checked against the world: community A publishes `ch-a-pub` (heat pumps, of
    org-sme-a) and `ch-a-other` (energy data with Python, of org-sme2-a); B's are B's."""
    user_id = _login(world, "pro-a", "org-sme-a")
    own_staff = world.post("/professionals", "int-a", json=_new("org-sme-a", user_id=user_id))
    url = f"/professionals/{own_staff.json()['id']}/suggestions"
    found = world.get(url, "pro-a")
    assert found.status_code == 200, found.text
    # Their own organisation's heat-pump challenge is not "elsewhere"; B's are not theirs.
    [only] = found.json()["data"]
    assert only["challenge_id"] == "ch-a-other" and only["shared_skills"] == ["Python"]
    assert "python" in only["matching_terms"]
    assert world.get(url, "int-a").json() == found.json()
    for refused, status in (("sme-a", 404), ("int-b", 404), ("stu-a1", 403), ("mon-a", 403)):
        assert world.get(url, refused).status_code == status, refused
    # A professional of a third SME: both of A's challenges, in the order of their wishes.
    third = world.post(
        "/organisations",
        "int-a",
        json={"name": "Bouwbedrijf Derde", "kind": "sme", "community_ids": ["com-a"]},
    )
    assert third.status_code == 201, third.text
    org = third.json()["id"]
    for wishes, skill, first in (
        (WISHES_DATA, "Python", "ch-a-other"),
        (WISHES_HEAT, "warmtepompen installeren", "ch-a-pub"),
    ):
        body = _new(org, learning_wishes=wishes, skills=[{"label": skill}])
        made = world.post("/professionals", "int-a", json=body).json()
        ranked = world.get(f"/professionals/{made['id']}/suggestions", "int-a").json()["data"]
        assert ranked[0]["challenge_id"] == first, wishes
        assert {r["challenge_id"] for r in ranked} == {"ch-a-pub", "ch-a-other"}
        assert ranked[0]["score"] > ranked[1]["score"]
        assert ranked[0]["shared_skills"] == [skill]
