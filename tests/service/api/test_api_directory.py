"""Communities, organisations and research groups: who lists, creates and edits them."""

from __future__ import annotations

from apiworld import World
from sqlmodel import select

from service.domain.tables import Community, Membership, Organisation, ResearchGroup, Suggestion

RG_SUGGEST = "/challenges/ch-a-pub/suggestions/research-groups?k=10"
RESEARCH_GROUP = {
    "name": "Lectoraat Warmtetransitie",
    "institution": "Hogeschool Achterhoek",
    "expertise": "Onderzoek naar warmtepompen en het installeren van warmtepompen in woningen.",
    "themes": ["energietransitie"],
    "capacity_projects": 3,
    "contact_email": "warmte@example.nl",
}


def _ids(answer) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [row["id"] for row in answer.json()["data"]]


def _suggested_groups(world: World, as_: str = "sme-a") -> list[str]:
    answer = world.get(RG_SUGGEST, as_)
    assert answer.status_code == 200, answer.text
    return [row["target_id"] for row in answer.json()["data"]]


# -- communities ----------------------------------------------------------------------------


def test_members_list_their_communities_and_admins_all(world: World) -> None:
    mine = world.get("/communities", "int-a").json()
    assert (mine["count"], _ids(world.get("/communities", "int-a"))) == (1, ["com-a"])
    assert _ids(world.get("/communities", "stu-b1")) == ["com-b"]
    everything = world.get("/communities", "admin").json()
    assert everything["count"] == 2
    assert [row["name"] for row in everything["data"]] == [
        "Leergemeenschap Achterhoek",
        "Leergemeenschap Twente",
    ]


def test_an_admin_starts_a_community_once_per_id(world: World) -> None:
    body = {"id": "com-z", "name": "Leergemeenschap Zeeland", "region": "Zeeland"}
    created = world.post("/communities", "admin", json=body)
    assert created.status_code == 201
    assert created.json()["approval_mode"] == "approval"
    assert world.post("/communities", "admin", json=body).status_code == 409
    assert world.post("/communities", "admin", json={**body, "id": "com z/1"}).status_code == 422
    assert world.get("/communities", "admin").json()["count"] == 3
    # Nobody is a member yet: an intermediary of A does not see it.
    assert world.get("/communities/com-z", "int-a").status_code == 404


def test_an_intermediary_edits_their_community_only_with_valid_values(world: World) -> None:
    answer = world.patch(
        "/communities/com-a", "int-a", json={"description": "Samen aan de energietransitie."}
    )
    assert answer.status_code == 200
    assert answer.json()["description"] == "Samen aan de energietransitie."
    before = world.row(Community, "com-a")
    for bad in ({"name": "A"}, {"name": None}, {"approval_mode": "iedereen"}):
        refused = world.patch("/communities/com-a", "int-a", json=bad)
        assert refused.status_code == 422, bad
    assert world.row(Community, "com-a") == before
    assert world.patch("/communities/com-b", "int-a", json={"region": "X"}).status_code == 404


# -- organisations --------------------------------------------------------------------------


def test_organisations_of_ones_communities_are_listed(world: World) -> None:
    listed = world.get("/organisations", "sme-a").json()
    assert listed["count"] == 3
    assert sorted(row["id"] for row in listed["data"]) == ["org-int-a", "org-sme-a", "org-sme2-a"]
    smes = _ids(world.get("/organisations?kind=sme", "stu-a1"))
    assert sorted(smes) == ["org-sme-a", "org-sme2-a"]
    assert world.get("/organisations?community_id=com-b", "sme-a").json()["count"] == 0
    assert world.get("/organisations", "admin").json()["count"] == 6
    assert world.get("/organisations/org-sme-a", "sme-a").json()["community_ids"] == ["com-a"]


def test_an_intermediary_registers_organisations_in_their_community_only(world: World) -> None:
    body = {"name": "Bouwbedrijf Achterhoek", "kind": "sme"}
    count = world.get("/organisations", "admin").json()["count"]
    elsewhere = world.post("/organisations", "int-a", json={**body, "community_ids": ["com-b"]})
    assert elsewhere.status_code == 422
    assert elsewhere.json()["detail"].startswith("community_ids: ")
    assert world.get("/organisations", "admin").json()["count"] == count
    created = world.post("/organisations", "int-a", json={**body, "community_ids": ["com-a"]})
    assert created.status_code == 201, created.text
    assert created.json()["community_ids"] == ["com-a"]
    assert created.json()["id"] in _ids(world.get("/organisations", "sme-a"))
    assert (
        world.post(
            "/organisations", "sme-a", json={**body, "id": "org-x", "community_ids": ["com-a"]}
        ).status_code
        == 403
    )


def test_an_organisation_id_taken_by_another_member_is_a_conflict(world: World) -> None:
    answer = world.post(
        "/organisations",
        "admin",
        json={"id": "stu-a1", "name": "Dubbel BV", "kind": "sme", "community_ids": ["com-b"]},
    )
    assert answer.status_code == 409
    with world.session() as session:
        rows = session.exec(select(Membership).where(Membership.member_id == "stu-a1")).all()
        assert [(m.community_id, m.kind) for m in rows] == [("com-a", "student")]


def test_an_intermediary_edits_an_organisation_of_their_community(world: World) -> None:
    answer = world.patch("/organisations/org-sme-a", "int-a", json={"size_employees": 30})
    assert answer.status_code == 200
    assert answer.json()["size_employees"] == 30
    before = world.row(Organisation, "org-sme-a")
    assert (
        world.patch("/organisations/org-sme-a", "int-a", json={"size_employees": 0}).status_code
        == 422
    )
    assert (
        world.patch("/organisations/org-sme-a", "sme-a", json={"city": "Doetinchem"}).status_code
        == 403
    )
    assert world.row(Organisation, "org-sme-a") == before


# -- research groups ------------------------------------------------------------------------


def test_a_registered_research_group_is_suggested_for_challenges_of_its_community(
    world: World,
) -> None:
    assert _suggested_groups(world) == ["rg-a"]
    created = world.post(
        "/research-groups",
        "int-a",
        json={**RESEARCH_GROUP, "community_ids": ["com-a"]},
    )
    assert created.status_code == 201, created.text
    assert sorted(_suggested_groups(world)) == sorted(["rg-a", created.json()["id"]])
    other = world.get("/challenges/ch-b-pub/suggestions/research-groups", "sme-b").json()
    assert [row["target_id"] for row in other["data"]] == ["rg-b"]


def test_a_research_group_without_capacity_is_not_suggested(world: World) -> None:
    answer = world.patch("/research-groups/rg-a", "int-a", json={"capacity_projects": 0})
    assert answer.status_code == 200
    assert _suggested_groups(world) == []


def test_editing_the_expertise_re_embeds_that_group_only(world: World) -> None:
    other = world.row(ResearchGroup, "rg-b")
    before = world.row(ResearchGroup, "rg-a")
    encoded = world.encoder.encoded
    answer = world.patch(
        "/research-groups/rg-a", "int-a", json={"expertise": "Onderzoek naar biobased bouwen."}
    )
    assert answer.status_code == 200
    assert world.encoder.encoded == encoded + 1
    assert world.row(ResearchGroup, "rg-a")["text_hash"] != before["text_hash"]
    assert world.row(ResearchGroup, "rg-b") == other
    assert (
        world.patch("/research-groups/rg-a", "int-a", json={"contact_name": "Dr. X"}).json()[
            "contact_name"
        ]
        == "Dr. X"
    )
    assert world.encoder.encoded == encoded + 1


def test_research_groups_are_seen_within_the_community(world: World) -> None:
    assert _ids(world.get("/research-groups", "stu-a1")) == ["rg-a"]
    assert world.get("/research-groups/rg-a", "sme-a").json()["community_ids"] == ["com-a"]
    assert world.get("/research-groups/rg-b", "sme-a").status_code == 404
    assert world.get("/research-groups", "admin").json()["count"] == 2


def test_invalid_research_group_bodies_create_nothing(world: World) -> None:
    for bad in (
        {**RESEARCH_GROUP, "contact_email": "geen-adres"},
        {**RESEARCH_GROUP, "expertise": "kort"},
        {**RESEARCH_GROUP, "capacity_projects": -1},
        {**RESEARCH_GROUP, "community_ids": []},
    ):
        body = {"community_ids": ["com-a"], **bad, "id": "rg-fout"}
        assert world.post("/research-groups", "int-a", json=body).status_code == 422, bad
    assert world.row(ResearchGroup, "rg-fout") is None


def test_deleting_a_research_group_removes_it_and_its_suggestions(world: World) -> None:
    assert _suggested_groups(world) == ["rg-a"]
    assert world.delete("/research-groups/rg-a", "int-a").status_code == 204
    assert _suggested_groups(world) == []
    assert world.get("/research-groups/rg-a", "int-a").status_code == 404
    with world.session() as session:
        assert session.exec(select(Suggestion).where(Suggestion.target_id == "rg-a")).all() == []


def test_a_research_group_with_reviewed_matches_is_not_deleted(world: World) -> None:
    rows = world.get(RG_SUGGEST, "sme-a").json()["data"]
    assert world.post(f"/suggestions/{rows[0]['id']}/approve", "int-a", json={}).status_code == 200
    before = world.row(ResearchGroup, "rg-a")
    answer = world.delete("/research-groups/rg-a", "int-a")
    assert answer.status_code == 409
    assert world.row(ResearchGroup, "rg-a") == before
    assert world.get(f"/suggestions/{rows[0]['id']}", "sme-a").json()["status"] == "approved"
