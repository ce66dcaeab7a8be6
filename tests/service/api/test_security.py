"""Security: tokens, the placeholder secret, login and suggestion rate limits, the body size
limit, page sizes, and writes that try to set what a client may not set (mass assignment).

Tests that touch the database run on SQLite and on PostgreSQL (the `world` and `world_url`
fixtures). The rate limits run on a fake clock, so no test sleeps.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from apiworld import API, PASSWORD, SECRET, World, email, settings_for
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlmodel import delete, func, select
from typer.testing import CliRunner

from matcher import HashingEncoder
from service.api.limits import BodySizeLimit
from service.app import create_app
from service.domain.tables import (
    ApiKey,
    Challenge,
    Community,
    Membership,
    Organisation,
    ResearchGroup,
    StudentProfile,
    Suggestion,
    User,
)
from service.settings import PLACEHOLDER_SECRET, Settings
from service.usecases.limits import RateLimiter
from service.usecases.security import create_token, hash_api_key, verify_password

ME = f"{API}/users/me"


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextmanager
def app_with(home: Path, url: str, clock: FakeClock, **settings: Any) -> Iterator[World]:
    """The app on a database, with some settings changed and the limits on a fake clock."""
    encoder = HashingEncoder()
    app = create_app(
        settings_for(home, url).model_copy(update=settings), encoder=encoder, clock=clock
    )
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    with TestClient(app) as client:
        yield World(app=app, client=client, encoder=encoder, backend=backend)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def me_with(world: World, token: str) -> int:
    """The status of GET /users/me with this token."""
    return world.client.get(ME, headers=bearer(token)).status_code


# -- tokens -----------------------------------------------------------------------------------


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(**extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"sub": "usr-admin", "iat": now, "exp": now + timedelta(minutes=5), **extra}


def test_a_token_made_with_the_app_secret_works(world: World) -> None:
    # The control for the refusals below: the same claims, rightly signed, are accepted.
    assert me_with(world, create_token("usr-admin", SECRET, 5)) == 200
    assert me_with(world, jwt.encode(_claims(), SECRET, algorithm="HS256")) == 200


def test_an_expired_token_is_401(world: World) -> None:
    assert me_with(world, create_token("usr-admin", SECRET, -1)) == 401
    past = datetime.now(UTC) - timedelta(seconds=5)
    expired = jwt.encode(_claims(exp=past), SECRET, algorithm="HS256")
    assert me_with(world, expired) == 401


def test_a_token_signed_with_another_secret_is_401(world: World) -> None:
    for secret in (PLACEHOLDER_SECRET, SECRET + "x", "een-ander-geheim-van-genoeg-lengte-0123"):
        assert me_with(world, create_token("usr-admin", secret, 5)) == 401, secret


def test_an_unsigned_alg_none_token_is_401(world: World) -> None:
    claims = {"sub": "usr-admin", "exp": int(datetime.now(UTC).timestamp()) + 300}
    for alg in ("none", "None", "NONE"):
        unsigned = f"{_b64({'alg': alg, 'typ': 'JWT'})}.{_b64(claims)}."
        assert me_with(world, unsigned) == 401, alg
    assert me_with(world, jwt.encode(claims, None, algorithm="none")) == 401


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS512 wants more
def test_a_token_of_another_algorithm_or_with_changed_claims_is_401(world: World) -> None:
    assert me_with(world, jwt.encode(_claims(), SECRET, algorithm="HS512")) == 401
    # Claims changed after signing: sme-a's token turned into the admin's.
    header, _, signature = create_token("usr-sme-a", SECRET, 5).split(".")
    forged = f"{header}.{_b64({'sub': 'usr-admin', 'exp': 4102444800})}.{signature}"
    assert me_with(world, forged) == 401
    no_expiry = {"sub": "usr-admin", "iat": datetime.now(UTC)}
    assert me_with(world, jwt.encode(no_expiry, SECRET, algorithm="HS256")) == 401
    assert me_with(world, jwt.encode(_claims(sub=None), SECRET, algorithm="HS256")) == 401
    assert me_with(world, jwt.encode(_claims(sub="usr-niemand"), SECRET, algorithm="HS256")) == 401


def test_the_token_and_api_key_of_a_deleted_user_are_401(world: World) -> None:
    token = world.login("sme2-b").json()["access_token"]
    key = world.post("/users/me/api-keys", "sme2-b", json={"name": "script"}).json()["key"]
    assert me_with(world, token) == 200
    with world.session() as session:
        session.exec(delete(ApiKey).where(ApiKey.user_id == "usr-sme2-b"))
        session.exec(delete(Membership).where(Membership.member_id == "usr-sme2-b"))
        session.delete(session.get(User, "usr-sme2-b"))
        session.commit()
    assert me_with(world, token) == 401
    assert world.client.get(ME, headers={"X-API-Key": key}).status_code == 401
    assert world.get("/challenges", None, headers=bearer(token)).status_code == 401


def test_the_token_of_a_user_an_admin_disables_is_401(world: World) -> None:
    token = world.login("stu-b1").json()["access_token"]
    assert me_with(world, token) == 200
    answer = world.patch("/users/usr-stu-b1/active", "admin", json={"is_active": False})
    assert answer.status_code == 200
    assert me_with(world, token) == 401
    assert world.client.get(f"{API}/students/stu-b1", headers=bearer(token)).status_code == 401


# -- the secret -------------------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["test", "production"])
def test_create_app_refuses_the_placeholder_secret_outside_development(environment) -> None:
    with pytest.raises(RuntimeError, match="LCMATCH_SECRET_KEY is the placeholder"):
        create_app(
            Settings(environment=environment, demo_data=False, secret_key=PLACEHOLDER_SECRET)
        )
    with pytest.raises(RuntimeError, match="too short"):
        create_app(Settings(environment=environment, demo_data=False, secret_key="kort-geheim"))
    create_app(Settings(environment=environment, demo_data=False, secret_key=SECRET))


def test_create_app_accepts_the_placeholder_in_development() -> None:
    create_app(Settings(environment="development", demo_data=False, secret_key=PLACEHOLDER_SECRET))


def test_serve_exits_with_a_clear_message_on_the_placeholder_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from service.cli.main import app as cli

    def must_not_run(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the server was started")

    monkeypatch.setattr(uvicorn, "run", must_not_run)
    monkeypatch.chdir(tmp_path)  # no .env in reach
    monkeypatch.setenv("LCMATCH_SECRET_KEY", PLACEHOLDER_SECRET)
    monkeypatch.setenv("LCMATCH_HOME", str(tmp_path))
    monkeypatch.setenv("LCMATCH_ENVIRONMENT", "production")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2, result.output
    assert "error: LCMATCH_SECRET_KEY is the placeholder" in result.output
    assert "Traceback" not in result.output

    monkeypatch.setenv("LCMATCH_SECRET_KEY", "kort")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2, result.output
    assert "error: LCMATCH_SECRET_KEY is too short" in result.output


# -- login rate limits ------------------------------------------------------------------------


def login_from(world: World, address: str, login: str, password: str = PASSWORD):
    """POST the login form from a client address."""
    client = TestClient(world.app, client=(address, 50000))  # the app is running already
    username = login if "@" in login else email(login)
    return client.post(
        f"{API}/login/access-token", data={"username": username, "password": password}
    )


def statuses(world: World, address: str, login: str, password: str, times: int) -> list[int]:
    return [login_from(world, address, login, password).status_code for _ in range(times)]


WRONG = "niet-het-wachtwoord"


@pytest.fixture
def login_limited(world_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[World]:
    """Three failed logins per account and four per address, per minute."""
    with app_with(
        tmp_path,
        world_url,
        clock,
        login_failures_per_account=3,
        login_failures_per_address=4,
        login_window_seconds=60,
    ) as world:
        yield world


def test_failed_logins_for_an_account_are_limited_with_retry_after(
    login_limited: World, clock: FakeClock
) -> None:
    world = login_limited
    assert statuses(world, "10.0.0.1", "sme-a", WRONG, 3) == [400, 400, 400]
    clock.advance(15)
    limited = login_from(world, "10.0.0.2", "sme-a", PASSWORD)  # even the right password
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "45"
    assert "Too many failed logins" in limited.json()["detail"]
    assert "access_token" not in limited.json()
    clock.advance(44)
    assert login_from(world, "10.0.0.3", "sme-a", PASSWORD).headers["Retry-After"] == "1"
    clock.advance(1)
    assert login_from(world, "10.0.0.3", "sme-a", PASSWORD).status_code == 200


def test_the_window_slides(login_limited: World, clock: FakeClock) -> None:
    world = login_limited
    for _ in range(3):
        assert login_from(world, "10.0.0.1", "sme-a", WRONG).status_code == 400
        clock.advance(10)
    assert login_from(world, "10.0.0.1", "sme-a", WRONG).headers["Retry-After"] == "30"
    clock.advance(30)  # the first failure is a minute old: one more attempt
    assert login_from(world, "10.0.0.1", "sme-a", WRONG).status_code == 400
    assert login_from(world, "10.0.0.1", "sme-a", WRONG).headers["Retry-After"] == "10"


def test_failed_logins_from_an_address_are_limited_across_accounts(
    login_limited: World,
) -> None:
    world = login_limited
    for login in ("sme-a", "sme2-a", "int-a", "niemand-1@example.nl"):
        assert login_from(world, "203.0.113.9", login, WRONG).status_code == 400
    assert login_from(world, "203.0.113.9", "stu-a1", PASSWORD).status_code == 429
    assert login_from(world, "203.0.113.9", "niemand-2@example.nl", WRONG).status_code == 429
    # Another address logs in as before, into the same accounts.
    assert login_from(world, "198.51.100.4", "stu-a1", PASSWORD).status_code == 200
    assert login_from(world, "198.51.100.4", "sme-a", PASSWORD).status_code == 200


def test_unknown_accounts_are_limited_like_known_ones(login_limited: World) -> None:
    world = login_limited
    known = [login_from(world, f"10.1.0.{n}", "sme-a", WRONG).status_code for n in range(4)]
    unknown = [
        login_from(world, f"10.2.0.{n}", "niemand@example.nl", WRONG).status_code for n in range(4)
    ]
    assert known == unknown == [400, 400, 400, 429]
    # The username is counted as the login reads it: case does not open a new allowance.
    upper = login_from(world, "10.3.0.1", email("sme-a").upper(), PASSWORD)
    assert upper.status_code == 429


def test_a_success_resets_nothing_for_others(login_limited: World) -> None:
    world = login_limited
    attacker, other = "203.0.113.50", "198.51.100.60"
    assert statuses(world, attacker, "sme-a", WRONG, 2) == [400, 400]
    # Logging in to one's own account works, and does not reset the address's failures...
    assert statuses(world, attacker, "stu-a1", PASSWORD, 3) == [200, 200, 200]
    assert statuses(world, attacker, "int-a", WRONG, 2) == [400, 400]
    assert login_from(world, attacker, "stu-a1", PASSWORD).status_code == 429
    # ...nor another account's failures.
    assert login_from(world, other, "sme-a", WRONG).status_code == 400  # sme-a's third
    assert statuses(world, other, "int-b", PASSWORD, 2) == [200, 200]
    assert login_from(world, other, "sme-a", PASSWORD).status_code == 429
    assert login_from(world, attacker, "stu-a1", PASSWORD).status_code == 429


def test_a_success_lets_the_account_start_afresh(login_limited: World) -> None:
    world = login_limited
    for n in range(3):  # a new address each time: only the account's count matters here
        assert statuses(world, f"10.9.{n}.1", "sme-a", WRONG, 2) == [400, 400]
        assert login_from(world, f"10.9.{n}.2", "sme-a", PASSWORD).status_code == 200
    assert statuses(world, "10.9.9.1", "sme-a", WRONG, 4) == [400, 400, 400, 429]


def test_the_default_login_limit_is_five_failures_per_account(world: World) -> None:
    answers = [world.login("sme-a", WRONG) for _ in range(6)]
    assert [a.status_code for a in answers] == [400] * 5 + [429]
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    assert world.login("sme-b").status_code == 200  # another account, the same address


# -- the suggestion rate limit ----------------------------------------------------------------

#: Each suggestion route with someone who may call it.
SUGGESTION_ROUTES = [
    ("/challenges/ch-a-pub/suggestions/students", "int-a"),
    ("/challenges/ch-a-pub/suggestions/research-groups", "sme-a"),
    ("/students/stu-a1/suggestions/challenges", "stu-a1"),
]


@pytest.fixture
def suggestions_limited(world_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[World]:
    """Three suggestion requests per user per minute."""
    with app_with(
        tmp_path, world_url, clock, suggestion_requests=3, suggestion_window_seconds=60
    ) as world:
        yield world


@pytest.mark.parametrize(("path", "login"), SUGGESTION_ROUTES)
def test_each_suggestion_route_is_limited_per_user(
    suggestions_limited: World, clock: FakeClock, path: str, login: str
) -> None:
    world = suggestions_limited
    assert [world.get(path, login).status_code for _ in range(3)] == [200, 200, 200]
    clock.advance(20)
    limited = world.get(path, login)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "40"
    assert "Too many suggestion requests" in limited.json()["detail"]
    assert world.get(path, "admin").status_code == 200  # another user
    assert world.get("/challenges", login).status_code == 200  # other routes
    clock.advance(40)
    assert world.get(path, login).status_code == 200


def test_the_allowance_is_shared_by_the_routes_and_by_a_users_api_keys(
    suggestions_limited: World,
) -> None:
    world = suggestions_limited
    key = world.post("/users/me/api-keys", "int-a", json={"name": "script"}).json()["key"]
    by_key = {"X-API-Key": key}
    assert world.get("/challenges/ch-a-pub/suggestions/students", "int-a").status_code == 200
    assert world.get("/students/stu-a1/suggestions/challenges", "int-a").status_code == 200
    path = "/challenges/ch-a-other/suggestions/research-groups"
    assert world.get(path, None, headers=by_key).status_code == 200
    assert world.get(path, None, headers=by_key).status_code == 429
    assert world.get("/challenges/ch-a-pub/suggestions/students", "int-a").status_code == 429


def test_refused_and_anonymous_suggestion_requests(suggestions_limited: World) -> None:
    world = suggestions_limited
    path = "/challenges/ch-a-pub/suggestions/students"
    for _ in range(5):  # not logged in: 401 every time, never 429
        assert world.get(path, None).status_code == 401
    # A request the role may not make still counts: it costs the server the same checks.
    refused = [world.get(path, "stu-a1").status_code for _ in range(4)]
    assert refused[0] in (403, 404) and refused == [refused[0]] * 3 + [429]


def test_the_default_suggestion_limit_is_thirty_a_minute(world: World) -> None:
    path = "/challenges/ch-b-pub/suggestions/research-groups?k=1"
    answers = [world.get(path, "sme-b").status_code for _ in range(31)]
    assert answers == [200] * 30 + [429]


# -- the body size limit ----------------------------------------------------------------------


@pytest.fixture
def body_limited(world_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[World]:
    """Bodies of at most 2000 bytes."""
    with app_with(tmp_path, world_url, clock, max_body_bytes=2000) as world:
        yield world


def challenge_body(size: int) -> bytes:
    """A challenge for community A as JSON of exactly `size` bytes."""
    body = {
        "community_id": "com-a",
        "title": "Zonnepanelen op bedrijfsdaken",
        "description": "",
        "level": "mbo",
    }
    empty = len(json.dumps(body).encode())
    body["description"] = "zonnepanelen " * ((size - empty) // 13)
    body["description"] += "x" * (size - len(json.dumps(body).encode()))
    raw = json.dumps(body).encode()
    assert len(raw) == size
    return raw


def challenge_count(world: World) -> int:
    with world.session() as session:
        return session.exec(select(func.count()).select_from(Challenge)).one()


def chunks(raw: bytes, size: int = 100) -> Iterator[bytes]:
    """The body as a stream: sent chunked, without a Content-Length."""
    for start in range(0, len(raw), size):
        yield raw[start : start + size]


def test_a_body_up_to_the_limit_is_accepted_declared_or_streamed(body_limited: World) -> None:
    world = body_limited
    before = challenge_count(world)
    json_type = {"Content-Type": "application/json"}
    answer = world.post("/challenges", "sme-a", content=challenge_body(2000), headers=json_type)
    assert answer.status_code == 201, answer.text
    streamed = world.post(
        "/challenges", "sme-a", content=chunks(challenge_body(2000)), headers=json_type
    )
    assert streamed.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in streamed.request.headers
    assert streamed.status_code == 201, streamed.text
    assert challenge_count(world) == before + 2


def test_a_body_above_the_limit_is_413_and_writes_nothing(body_limited: World) -> None:
    world = body_limited
    before = challenge_count(world)
    json_type = {"Content-Type": "application/json"}
    declared = world.post("/challenges", "sme-a", content=challenge_body(2001), headers=json_type)
    assert declared.status_code == 413
    assert declared.json() == {"detail": "The request body is larger than 2000 bytes"}
    streamed = world.post(
        "/challenges", "sme-a", content=chunks(challenge_body(2001)), headers=json_type
    )
    assert "Content-Length" not in streamed.request.headers
    assert streamed.status_code == 413
    assert streamed.json() == {"detail": "The request body is larger than 2000 bytes"}
    assert challenge_count(world) == before


def test_a_large_body_is_refused_before_a_route_that_ignores_bodies_runs(
    body_limited: World,
) -> None:
    world = body_limited
    answer = world.post("/challenges/ch-a-draft/publish", "sme-a", content=b"x" * 2001)
    assert answer.status_code == 413
    assert world.row(Challenge, "ch-a-draft")["status"] == "draft"


def test_the_login_form_is_limited_too(body_limited: World) -> None:
    form = {"username": email("sme-a"), "password": PASSWORD, "scope": "x" * 2000}
    answer = body_limited.client.post(f"{API}/login/access-token", data=form)
    assert answer.status_code == 413
    assert "access_token" not in answer.text


def test_the_default_body_limit_is_one_mib(world: World) -> None:
    def patch_me(size: int):
        body = json.dumps({"full_name": ""})
        raw = json.dumps({"full_name": "x" * (size - len(body))}).encode()
        assert len(raw) == size
        headers = {"Content-Type": "application/json"}
        return world.patch("/users/me", "sme-a", content=raw, headers=headers)

    assert patch_me(1024 * 1024).status_code == 422  # read, and refused for its content
    assert patch_me(1024 * 1024 + 1).status_code == 413


def test_the_body_limit_stops_reading_a_stream_once_it_is_passed() -> None:
    inner = FastAPI()

    @inner.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    app = BodySizeLimit(inner, max_bytes=1000)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/echo",
        "raw_path": b"/echo",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }

    async def call(parts: int) -> tuple[int, int]:
        read = 0

        async def receive() -> dict[str, Any]:
            nonlocal read
            read += 1
            return {"type": "http.request", "body": b"x" * 100, "more_body": read < parts}

        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(dict(scope), receive, send)
        return sent[0]["status"], read

    assert asyncio.run(call(10)) == (200, 10)
    assert asyncio.run(call(1000)) == (413, 11)  # stops at the chunk that passes 1000 bytes


# -- page sizes -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(Settings(demo_data=False, environment="development")).openapi()


def list_routes(document: dict[str, Any]) -> list[str]:
    """Every GET route with a `limit` (a page size), its path parameters filled in."""
    found = []
    for path, operations in document["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        if any(p["name"] == "limit" and p["in"] == "query" for p in parameters):
            found.append(path.replace("{", "").replace("}", ""))
    return sorted(found)


def test_every_page_size_is_at_most_100_in_the_openapi_document(document) -> None:
    routes = list_routes(document)
    assert f"{API}/challenges" in routes and f"{API}/suggestions" in routes
    for path, operations in document["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["name"] in ("limit", "k"):
                assert parameter["schema"]["maximum"] == 100, f"{path} {parameter['name']}"


def test_every_list_route_refuses_a_page_above_100(world: World, document) -> None:
    routes = list_routes(document)
    assert len(routes) >= 9
    for path in routes:
        answer = world.request("GET", f"{path}?limit=101", "admin")
        assert answer.status_code == 422, path
        assert ["query", "limit"] in [error["loc"] for error in answer.json()["detail"]], path
        assert world.request("GET", f"{path}?limit=100", "admin").status_code != 422, path


@pytest.mark.parametrize(("path", "login"), SUGGESTION_ROUTES)
def test_every_suggestion_route_refuses_more_than_100(world: World, path, login) -> None:
    answer = world.get(f"{path}?k=101", login)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "k"]
    assert world.get(f"{path}?k=100", login).status_code == 200


# -- mass assignment: fields a client may not set ---------------------------------------------

#: Fields no body may set: ids, owners, status, scores, embeddings and timestamps.
FORGED_ROW = {
    "id": "vervalst",
    "created_at": "2000-01-01T00:00:00Z",
    "updated_at": "2000-01-01T00:00:00Z",
    "embedding": [1.0] * 8,
    "embedding_model": "vervalst",
    "text_hash": "0" * 64,
}


def only_changed(before: dict, after: dict) -> set[str]:
    return {key for key in before if before[key] != after[key]}


def communities_of(world: World, member_id: str, kind: str) -> set[str]:
    with world.session() as session:
        query = select(Membership.community_id).where(
            Membership.member_id == member_id, Membership.kind == kind
        )
        return set(session.exec(query))


def test_patch_users_me_cannot_set_role_owner_status_or_id(world: World) -> None:
    before = world.row(User, "usr-stu-a1")
    answer = world.patch(
        "/users/me",
        "stu-a1",
        json={
            **FORGED_ROW,
            "full_name": "Sanne Nieuw",
            "role": "admin",
            "organisation_id": "org-int-a",
            "is_active": False,
            "email": "admin@example.nl",
            "hashed_password": "vervalst",
            "community_ids": ["com-a", "com-b"],
            "student_id": "stu-b1",
        },
    )
    assert answer.status_code == 200
    after = world.row(User, "usr-stu-a1")
    assert only_changed(before, after) == {"full_name"}
    assert communities_of(world, "usr-stu-a1", "user") == {"com-a"}
    me = world.get("/users/me", "stu-a1").json()
    assert (me["role"], me["student_id"]) == ("student", "stu-a1")


def test_patch_user_active_changes_only_whether_it_is_active(world: World) -> None:
    before = world.row(User, "usr-off-a")
    body = {"is_active": True, "role": "admin", "organisation_id": "org-sme2-a", "id": "x"}
    assert world.patch("/users/usr-off-a/active", "admin", json=body).status_code == 200
    assert only_changed(before, world.row(User, "usr-off-a")) == {"is_active"}


def test_create_user_cannot_set_the_password_hash_or_status(world: World) -> None:
    body = {
        "email": "nieuw@example.nl",
        "full_name": "Nieuwe Student",
        "role": "student",
        "password": "een-goed-wachtwoord",
        "community_ids": ["com-a"],
        "hashed_password": "vervalst",
        "is_active": False,
        "created_at": "2000-01-01T00:00:00Z",
    }
    made = world.post("/users", "int-a", json=body)
    assert made.status_code == 201
    row = world.row(User, made.json()["id"])
    assert verify_password("een-goed-wachtwoord", row["hashed_password"])
    assert row["is_active"] is True
    assert row["created_at"].year >= 2025


def test_patch_challenge_cannot_set_status_owner_community_or_id(world: World) -> None:
    before = world.row(Challenge, "ch-a-draft")
    body = {
        **FORGED_ROW,
        "title": "Onderhoud van warmtepompen inplannen",
        "status": "published",
        "organisation_id": "org-sme2-a",
        "community_id": "com-b",
    }
    assert world.patch("/challenges/ch-a-draft", "sme-a", json=body).status_code == 200
    after = world.row(Challenge, "ch-a-draft")
    # The new title is re-embedded by the app; nothing else changes.
    assert only_changed(before, after) == {"title", "updated_at", "embedding", "text_hash"}
    assert after["text_hash"] != FORGED_ROW["text_hash"]
    assert after["embedding"][:8] != FORGED_ROW["embedding"]
    assert after["updated_at"].year >= 2025
    assert world.row(Challenge, "vervalst") is None


def test_create_challenge_starts_as_a_draft_of_the_own_organisation(world: World) -> None:
    body = {
        **FORGED_ROW,
        "community_id": "com-a",
        "title": "Zonnepanelen op bedrijfsdaken",
        "description": "Een planning maken voor zonnepanelen op de daken van bedrijfshallen.",
        "status": "published",
    }
    body.pop("id")  # a client may choose the id of a new challenge
    answer = world.post("/challenges", "sme-a", json=body)
    assert answer.status_code == 201
    row = world.row(Challenge, answer.json()["id"])
    assert (row["status"], row["organisation_id"]) == ("draft", "org-sme-a")
    assert row["text_hash"] != FORGED_ROW["text_hash"]
    assert row["embedding_model"] != "vervalst"
    assert row["created_at"].year >= 2025


def test_patch_student_cannot_set_owner_communities_or_embedding(world: World) -> None:
    before = world.row(StudentProfile, "stu-a1")
    body = {
        **FORGED_ROW,
        "about": "Ik wil zonnepanelen leren plaatsen.",
        "user_id": "usr-stu-a2",
        "community_ids": ["com-b"],
    }
    assert world.patch("/students/stu-a1", "stu-a1", json=body).status_code == 200
    after = world.row(StudentProfile, "stu-a1")
    assert only_changed(before, after) == {"about", "updated_at", "embedding", "text_hash"}
    assert after["text_hash"] != FORGED_ROW["text_hash"]
    assert communities_of(world, "stu-a1", "student") == {"com-a"}


def test_create_student_cannot_set_its_embedding(world: World) -> None:
    forged = {key: value for key, value in FORGED_ROW.items() if key != "id"}  # a 422 of its own
    body = {
        **forged,
        "full_name": "Nieuwe Student",
        "programme": "Bouwkunde",
        "level": "hbo",
        "community_ids": ["com-a"],
    }
    made = world.post("/students", "int-a", json=body)
    assert made.status_code == 201
    row = world.row(StudentProfile, made.json()["id"])
    assert row["text_hash"] != FORGED_ROW["text_hash"]
    assert row["embedding_model"] != "vervalst"
    assert row["embedding"][:8] != FORGED_ROW["embedding"]
    assert row["created_at"].year >= 2025


def test_put_student_communities_sets_only_the_communities(world: World) -> None:
    before = world.row(StudentProfile, "stu-a2")
    body = {"community_ids": ["com-a"], "user_id": "usr-stu-a1", "consent_matching": False}
    assert world.put("/students/stu-a2/communities", "int-a", json=body).status_code == 200
    assert only_changed(before, world.row(StudentProfile, "stu-a2")) == {"updated_at"}


@pytest.mark.parametrize(
    ("table", "path", "row_id", "kind", "change"),
    [
        (Community, "/communities/com-a", "com-a", None, {"region": "Oost-Gelderland"}),
        (
            Organisation,
            "/organisations/org-sme-a",
            "org-sme-a",
            "organisation",
            {"city": "Zutphen"},
        ),
        (
            ResearchGroup,
            "/research-groups/rg-a",
            "rg-a",
            "research_group",
            {"capacity_projects": 5},
        ),
    ],
)
def test_patch_directory_rows_cannot_set_ids_communities_or_embeddings(
    world: World, table, path, row_id, kind, change
) -> None:
    before = world.row(table, row_id)
    body = {**FORGED_ROW, **change, "community_ids": ["com-b"], "community_id": "com-b"}
    assert world.patch(path, "int-a", json=body).status_code == 200
    after = world.row(table, row_id)
    assert only_changed(before, after) <= {*change, "updated_at"}
    assert all(after[field] == value for field, value in change.items())
    if kind:
        assert communities_of(world, row_id, kind) == {"com-a"}


def test_api_key_body_cannot_choose_owner_hash_or_state(world: World) -> None:
    body = {
        "name": "script",
        "id": "key-vervalst",
        "user_id": "usr-admin",
        "key_hash": "0" * 64,
        "revoked_at": "2000-01-01T00:00:00Z",
        "key": "lcm_vervalst",
    }
    created = world.post("/users/me/api-keys", "sme-a", json=body).json()
    row = world.row(ApiKey, created["id"])
    assert created["id"] != "key-vervalst" and created["key"] != "lcm_vervalst"
    assert (row["user_id"], row["revoked_at"]) == ("usr-sme-a", None)
    assert row["key_hash"] == hash_api_key(created["key"])


#: What review bodies try to set besides their own fields.
FORGED_SUGGESTION = {
    "id": "sug-vervalst",
    "score": 1.0,
    "dense": 1.0,
    "lexical": 1.0,
    "skill": 1.0,
    "status": "completed",
    "community_id": "com-b",
    "challenge_id": "ch-b-pub",
    "target_kind": "research_group",
    "target_id": "stu-b1",
    "model_version": "vervalst",
    "sme_response": "accepted",
    "target_response": "accepted",
    "sme_rating": 5,
    "target_rating": 5,
    "explanation": {},
    "constraint_notes": [],
}

#: The fields each review step may change.
STATE = {"status", "reason", "updated_at"}


def test_review_bodies_cannot_set_scores_status_or_the_other_side(world: World) -> None:
    rows = world.get("/challenges/ch-a-pub/suggestions/students?available=false", "int-a").json()
    first, second = (row["id"] for row in rows["data"])

    def step(sid: str, action: str, login: str, body: dict | None, allowed: set[str]) -> None:
        before = world.row(Suggestion, sid)
        answer = world.post(f"/suggestions/{sid}/{action}", login, json=body)
        assert answer.status_code == 200, f"{action}: {answer.text}"
        after = world.row(Suggestion, sid)
        assert only_changed(before, after) <= allowed, action

    step(first, "approve", "int-a", {**FORGED_SUGGESTION, "reason": "Past goed"}, STATE)
    assert world.row(Suggestion, first)["status"] == "approved"
    step(first, "introduce", "int-a", FORGED_SUGGESTION, STATE)
    answer = {**FORGED_SUGGESTION, "response": "accepted"}
    step(first, "respond", "sme-a", answer, {*STATE, "sme_response"})
    row = world.row(Suggestion, first)
    assert (row["status"], row["target_response"]) == ("introduced", "pending")
    target = "stu-a1" if row["target_id"] == "stu-a1" else "stu-a2"
    step(first, "respond", target, answer, {*STATE, "target_response"})
    step(first, "start", "int-a", FORGED_SUGGESTION, STATE)
    step(first, "complete", "int-a", FORGED_SUGGESTION, STATE)
    step(first, "rate", "sme-a", {**FORGED_SUGGESTION, "rating": 2}, {*STATE, "sme_rating"})
    row = world.row(Suggestion, first)
    assert (row["sme_rating"], row["target_rating"]) == (2, None)
    step(second, "reject", "int-a", {**FORGED_SUGGESTION, "reason": "Past niet"}, STATE)
    assert world.row(Suggestion, second)["status"] == "rejected"
    assert world.row(Suggestion, "sug-vervalst") is None


# -- the OpenAPI document ---------------------------------------------------------------------

LIMITED = {
    ("post", f"{API}/login/access-token"),
    ("patch", f"{API}/users/me"),  # a wrong current_password counts as a failed login
    ("get", f"{API}/challenges/{{challenge_id}}/suggestions/students"),
    ("get", f"{API}/challenges/{{challenge_id}}/suggestions/research-groups"),
    ("get", f"{API}/students/{{student_id}}/suggestions/challenges"),
}


def test_openapi_declares_413_on_every_body_and_429_on_every_limited_route(document) -> None:
    operations = {
        (method, path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    with_body = {key for key, operation in operations.items() if "requestBody" in operation}
    assert ("patch", f"{API}/users/me") in with_body
    assert {key for key in with_body if "413" not in operations[key]["responses"]} == set()
    declares_429 = {key for key, operation in operations.items() if "429" in operation["responses"]}
    assert declares_429 == LIMITED
    for key in LIMITED:
        assert "Retry-After" in operations[key]["responses"]["429"]["headers"], key


# -- the limiter itself -----------------------------------------------------------------------


def test_rate_limiter_counts_a_sliding_window_per_key() -> None:
    clock = FakeClock()
    limiter = RateLimiter(limit=2, window=10, clock=clock)
    assert limiter.hit("a") is None
    clock.advance(4)
    assert limiter.hit("a") is None
    assert limiter.hit("a") == pytest.approx(6)  # refused, and not counted
    assert limiter.hit("b") is None
    clock.advance(6)
    assert limiter.retry_after("a") is None
    assert limiter.hit("a") is None
    assert limiter.hit("a") == pytest.approx(4)
    limiter.undo("a")
    assert limiter.hit("a") is None
    limiter.reset("a")
    assert limiter.retry_after("a") is None


def test_rate_limiter_forgets_quiet_keys() -> None:
    clock = FakeClock()
    limiter = RateLimiter(limit=5, window=60, clock=clock)
    for n in range(1000):
        limiter.hit(f"adres-{n}")
    assert len(limiter) == 1000
    clock.advance(61)
    limiter.hit("nog-een")
    assert len(limiter) == 1


def test_rate_limiter_refuses_a_meaningless_limit() -> None:
    with pytest.raises(ValueError):
        RateLimiter(limit=0, window=60)
    with pytest.raises(ValueError):
        RateLimiter(limit=1, window=0)
