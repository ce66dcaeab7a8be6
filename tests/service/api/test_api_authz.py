"""The authorization matrix: every route × persona × relation to the object, on both databases.

data/authz_matrix.csv holds the expected status of each cell; authz.py says how to make the
cell's object and body. After every denied write the object is read back and must be unchanged.
"""

from __future__ import annotations

from collections import Counter

import pytest
from apiworld import World
from authz import PERSONAS, RELATIONS, ROUTES, WRITES, make_target, read_matrix, request_arguments
from authz import snapshot as read_back

from service.app import create_app
from service.settings import Settings

CELLS = read_matrix()


def openapi_routes() -> set[tuple[str, str]]:
    app = create_app(Settings(demo_data=False, environment="development"))
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }


def test_the_matrix_names_every_route_of_the_api_and_no_other() -> None:
    in_api = openapi_routes()
    in_matrix = {cell.route for cell in CELLS}
    assert sorted(in_api - in_matrix) == [], "routes missing from data/authz_matrix.csv"
    assert sorted(in_matrix - in_api) == [], "routes in data/authz_matrix.csv that do not exist"
    assert sorted(set(ROUTES) - in_api) == [], "bodies in authz.py for routes that do not exist"


def test_the_matrix_is_complete_and_has_no_duplicate_cells() -> None:
    keys = Counter((c.method, c.path, c.persona, c.relation) for c in CELLS)
    assert [key for key, n in keys.items() if n > 1] == []
    for cell in CELLS:
        assert cell.persona in PERSONAS, cell
        assert cell.relation in RELATIONS, cell
        assert 200 <= cell.status < 600, cell
    for route in {cell.route for cell in CELLS}:
        relations = {(c.persona, c.relation) for c in CELLS if c.route == route}
        personas = {persona for persona, _ in relations}
        assert personas == set(PERSONAS), f"{route}: every persona needs a row"
        with_object = {relation for _, relation in relations} - {"-"}
        if with_object:
            # A route with an object is tried on one of the same community and one elsewhere,
            # by everyone (and some on a member of both communities: "shared").
            for persona in PERSONAS:
                for relation in ("same_community", "other_community"):
                    assert (persona, relation) in relations, f"{route}: {persona} {relation}"


def test_every_cell_of_the_matrix(world: World) -> None:
    wrong: list[str] = []
    changed: list[str] = []
    leaked: list[str] = []
    for cell in CELLS:
        route = ROUTES[cell.route]
        target = make_target(world, cell, route)
        write = cell.method in WRITES and route.changes_state
        before = read_back(world, target) if write else None
        answer = world.request(
            cell.method,
            cell.path.format(**target.params),
            target.login,
            **request_arguments(cell, route, target),
        )
        if route.ends_session:
            world.tokens.pop(target.login, None)  # the next cell logs in afresh
        if answer.status_code != cell.status:
            wrong.append(
                f"{cell}: expected {cell.status}, got {answer.status_code} {answer.text[:160]}"
            )
        if target.hidden and cell.persona != "admin" and target.hidden in answer.text:
            leaked.append(f"{cell}: answered with another community's data")
        if write and 400 <= answer.status_code < 500:
            after = read_back(world, target)
            if after != before:
                changed.append(f"{cell}: denied with {answer.status_code} but changed the data")
    assert wrong == [], "\n".join(wrong)
    assert changed == [], "\n".join(changed)
    assert leaked == [], "\n".join(leaked)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_matrix_tries_every_persona_on_every_write(persona: str) -> None:
    writes = {cell.route for cell in CELLS if cell.method in WRITES}
    tried = {cell.route for cell in CELLS if cell.method in WRITES and cell.persona == persona}
    assert tried == writes
