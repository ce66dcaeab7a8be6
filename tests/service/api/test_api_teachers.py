"""Teachers (docenten): kept by the intermediaries of their communities, supervisors in rounds."""

from __future__ import annotations

from apiworld import World

NEW = {
    "full_name": "Hanneke Docent",
    "institution": "Graafschap College",
    "expertise": "Praktijkdocent installatietechniek; begeleidt teams bij warmtepompprojecten.",
    "skills": [{"label": "warmtepompen installeren"}],
    "supervision_capacity": 2,
    "community_ids": ["com-a"],
}


def test_an_intermediary_keeps_the_teachers_of_their_community(world: World) -> None:
    made = world.post("/teachers", "int-a", json=NEW)
    assert made.status_code == 201, made.text
    teacher = made.json()
    assert teacher["id"].startswith("tea-") and teacher["community_ids"] == ["com-a"]
    url = f"/teachers/{teacher['id']}"
    assert [t["id"] for t in world.get("/teachers", "int-a").json()["data"]] == [teacher["id"]]
    assert world.get("/teachers", "int-b").json()["count"] == 0
    assert world.get(url, "int-b").status_code == 404
    assert world.patch(url, "int-b", json={"supervision_capacity": 9}).status_code == 404
    assert world.get(url, "sme-a").status_code == 403
    changed = world.patch(url, "int-a", json={"supervision_capacity": 4})
    assert changed.status_code == 200 and changed.json()["supervision_capacity"] == 4
    assert world.patch(url, "int-a", json={"supervision_capacity": -1}).status_code == 422
    # The teacher supervises in the community's rounds.
    opened = world.post(
        "/rounds",
        "int-a",
        json={
            "community_id": "com-a",
            "name": "Ronde",
            "period_label": "voorjaar 2027",
            "period_start": "2027-02-01",
            "period_end": "2027-06-30",
        },
    ).json()
    pins = {"pins": [{"challenge_id": "ch-a-pub", "supervisor_id": teacher["id"]}]}
    assert world.put(f"/rounds/{opened['id']}/pairs", "int-a", json=pins).status_code == 200
    assert world.delete(url, "int-a").status_code == 204
    assert world.get(url, "int-a").status_code == 404
    gone = world.put(f"/rounds/{opened['id']}/pairs", "int-a", json=pins)
    assert gone.status_code == 422
    assert gone.json()["detail"][0]["loc"] == ["body", "pins", 0, "supervisor_id"]
