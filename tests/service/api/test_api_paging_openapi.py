"""Pagination of every list, and the OpenAPI document: summaries, descriptions, error answers."""

from __future__ import annotations

import pytest
from apiworld import World
from authz import read_matrix

from service.app import create_app
from service.settings import Settings

LISTS = [
    "/challenges",
    "/communities",
    "/organisations",
    "/research-groups",
    "/students",
    "/users",
    "/suggestions",
    "/users/me/api-keys",
]


def _fill(world: World) -> str:
    """Some suggestions, events and API keys, so that every list has rows; returns the id of a
    suggestion with three events."""
    for challenge in ("ch-a-pub", "ch-a-other", "ch-b-pub", "ch-b-other"):
        answer = world.get(f"/challenges/{challenge}/suggestions/students?available=false", "admin")
        assert answer.status_code == 200
    for n in range(5):
        world.post("/users/me/api-keys", "admin", json={"name": f"sleutel {n}"})
    sid = world.get("/suggestions?community_id=com-a&limit=1", "admin").json()["data"][0]["id"]
    world.post(f"/suggestions/{sid}/approve", "admin", json={})
    world.post(f"/suggestions/{sid}/introduce", "admin")
    world.post(f"/suggestions/{sid}/respond", "admin", json={"response": "accepted", "side": "sme"})
    return sid


def _all(world: World, path: str) -> dict:
    answer = world.get(f"{path}?limit=100", "admin")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_every_list_pages_through_all_rows_with_a_correct_count(world: World) -> None:
    sid = _fill(world)
    expected_counts = {
        "/challenges": 8,
        "/communities": 2,
        "/organisations": 6,
        "/research-groups": 2,
        "/students": 6,
        "/users": 13,  # the programme monitor too
        "/suggestions": 8,
        "/users/me/api-keys": 5,
        f"/suggestions/{sid}/events": 3,
    }
    for path, expected in expected_counts.items():
        everything = _all(world, path)
        assert everything["count"] == expected, path
        ids = [row["id"] for row in everything["data"]]
        assert len(ids) == expected, path
        paged: list[str] = []
        for skip in range(0, expected + 3, 3):
            page = world.get(f"{path}?limit=3&skip={skip}", "admin").json()
            assert page["count"] == expected, f"{path} skip={skip}: the count is of all rows"
            assert len(page["data"]) == min(3, max(0, expected - skip)), f"{path} skip={skip}"
            paged += [row["id"] for row in page["data"]]
        assert paged == ids, f"{path}: pages in order, none twice, none left out"


@pytest.mark.parametrize("path", [*LISTS, "/suggestions/sug-onbekend/events"])
def test_page_size_and_offset_are_checked(world: World, path: str) -> None:
    for query in ("limit=101", "limit=0", "limit=-1", "skip=-1", "limit=tien"):
        answer = world.get(f"{path}?{query}", "admin")
        assert answer.status_code == 422, f"{path}?{query}"
        assert answer.json()["detail"][0]["loc"] == ["query", query.split("=")[0]]


def test_a_page_of_100_is_allowed(world: World) -> None:
    for path in LISTS:
        assert world.get(f"{path}?limit=100", "admin").status_code == 200, path


# -- the OpenAPI document ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def operations() -> list[tuple[str, str, dict]]:
    app = create_app(Settings(demo_data=False, environment="development"))
    document = app.openapi()
    return [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_route_has_a_summary_and_a_description(operations) -> None:
    missing = [
        f"{method} {path}"
        for method, path, operation in operations
        if not operation.get("summary", "").strip() or not operation.get("description", "").strip()
    ]
    assert missing == []


def test_every_route_behind_a_login_declares_401(operations) -> None:
    public = {("POST", "/api/v1/login/access-token"), ("GET", "/health")}
    missing = [
        f"{method} {path}"
        for method, path, operation in operations
        if (method, path) not in public and "401" not in operation["responses"]
    ]
    assert missing == []


def test_every_route_with_an_object_in_its_path_declares_404(operations) -> None:
    missing = [
        f"{method} {path}"
        for method, path, operation in operations
        if "{" in path and "404" not in operation["responses"]
    ]
    assert missing == []


def test_every_error_the_matrix_expects_is_declared(operations) -> None:
    declared = {(method, path): set(op["responses"]) for method, path, op in operations}
    missing = sorted(
        {
            f"{cell.method} {cell.path}: {cell.status}"
            for cell in read_matrix()
            if cell.status >= 400 and str(cell.status) not in declared[cell.route]
        }
    )
    assert missing == []


#: Errors the behaviour tests provoke outside the matrix (route, status).
SEEN = [
    ("POST", "/api/v1/login/access-token", 400),
    ("POST", "/api/v1/challenges", 422),
    ("PATCH", "/api/v1/challenges/{challenge_id}", 422),
    ("DELETE", "/api/v1/challenges/{challenge_id}", 409),
    ("POST", "/api/v1/challenges/{challenge_id}/publish", 409),
    ("POST", "/api/v1/challenges/{challenge_id}/close", 409),
    ("GET", "/api/v1/challenges/{challenge_id}/suggestions/students", 409),
    ("GET", "/api/v1/challenges/{challenge_id}/suggestions/research-groups", 409),
    ("POST", "/api/v1/communities", 409),
    ("PATCH", "/api/v1/communities/{community_id}", 422),
    ("POST", "/api/v1/organisations", 409),
    ("PATCH", "/api/v1/organisations/{organisation_id}", 422),
    ("POST", "/api/v1/research-groups", 422),
    ("DELETE", "/api/v1/research-groups/{group_id}", 409),
    ("POST", "/api/v1/students", 409),
    ("POST", "/api/v1/students", 422),
    ("PATCH", "/api/v1/students/{student_id}", 422),
    ("PUT", "/api/v1/students/{student_id}/communities", 403),
    ("POST", "/api/v1/users", 409),
    ("POST", "/api/v1/users", 422),
    ("PATCH", "/api/v1/users/{user_id}/active", 409),
    *[
        ("POST", f"/api/v1/suggestions/{{suggestion_id}}/{action}", status)
        for action in ("approve", "reject", "introduce", "respond", "start", "complete", "rate")
        for status in (409, 422)
    ],
]


def test_every_error_the_behaviour_tests_see_is_declared(operations) -> None:
    declared = {(method, path): set(op["responses"]) for method, path, op in operations}
    missing = [
        f"{method} {path}: {status}"
        for method, path, status in SEEN
        if str(status) not in declared[(method, path)]
    ]
    assert missing == []


def test_every_declared_error_is_described(operations) -> None:
    vague = [
        f"{method} {path} {status}"
        for method, path, operation in operations
        for status, response in operation["responses"].items()
        if status.startswith(("4", "5")) and not response.get("description", "").strip()
    ]
    assert vague == []
