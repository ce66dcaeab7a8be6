"""Schemathesis against the OpenAPI document, in process, as every role.

The app runs on a copy of the seeded world (tests/service/api/apiworld.py) and is called through
its ASGI interface: no network. For each role (admin, intermediary, SME, student) every
operation of the document is fuzzed with schema-valid (positive) and schema-invalid (negative)
requests, each response going through Schemathesis' default checks (no 5xx, documented status
codes, content types and headers, the response schema, positive data accepted, negative data
rejected, auth enforced). Then Schemathesis' stateful testing chains the operations along the
links it infers from the document (create -> read -> edit -> delete -> read ...), with the
stateful checks on top (a deleted resource answers 404, a created one can be read).

Before the fuzzing, each role walks one resource through create -> read -> delete -> read
(404) with the same checks, so that the lifecycle is covered whatever the state machine draws.

Generation is seeded (a fixed Hypothesis seed for every operation and mode; the state machine
derandomized): a run makes the same requests as the last one, bar the ids the service makes up.
The counts (operations, cases per operation and mode, stateful steps and the lifecycles they
closed) are written to a JSON file per backend and role in pytest's temporary folder, printed,
and checked: every operation of the document must have been exercised, and nothing may fail.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.strategies as st
import pytest
import schemathesis
from apiworld import API, World, settings_for
from fastapi.testclient import TestClient
from hypothesis.errors import Flaky, Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput

from matcher import HashingEncoder
from service.app import create_app
from service.settings import Settings

SEED = 20_260_611

#: The world's account that acts in each role.
ROLES = {"admin": "admin", "intermediary": "int-a", "sme": "sme-a", "student": "stu-a1"}

#: Examples per operation and generation mode, and stateful scenarios, per backend. SQLite gets
#: the full run; PostgreSQL a shorter one (its calls cost more), enough to meet its own errors.
EXAMPLES = {
    "sqlite": {"positive": 12, "negative": 8},
    "postgresql": {"positive": 4, "negative": 2},
}
SCENARIOS = {"sqlite": 25, "postgresql": 10}
STEPS_PER_SCENARIO = 12
STATEFUL_ATTEMPTS = 4
#: Body fields the stateful run sometimes points at the world's community A (see below).
HOME = {"community_id": "com-a", "community_ids": ["com-a"], "organisation_id": "org-sme-a"}

#: Schemathesis' default statuses for schema-valid requests, plus 422. Some rules cannot be
#: written in JSON Schema: a period's end after its start, an organisation that must be in the
#: account's communities, the id syntax. The service answers them with its documented 422,
#: and the response schema check still holds that 422 to its documented shape.
POSITIVE_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]

#: The limits are lifted so that the fuzzer reaches the routes behind them: a run makes far
#: more suggestion requests and failed logins than one user may. The limits have tests of
#: their own; a 429 is documented and would pass the checks, it would only hide the route.
LIFTED_LIMITS = {
    "suggestion_requests": 1_000_000,
    "login_failures_per_account": 1_000_000,
    "login_failures_per_address": 1_000_000,
}


@contextmanager
def fuzzable_app(home: Path, url: str) -> Iterator[World]:
    """The app on a database with the test settings, its rate limits lifted."""
    settings = settings_for(home, url)
    lifted = {name: value for name, value in LIFTED_LIMITS.items() if name in Settings.model_fields}
    settings = settings.model_copy(update=lifted)
    encoder = HashingEncoder()
    app = create_app(settings, encoder=encoder)
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    with TestClient(app) as client:
        yield World(app=app, client=client, encoder=encoder, backend=backend)


def load_schema(world: World, login: str) -> schemathesis.BaseSchema:
    """The app's OpenAPI document as a Schemathesis schema that acts as this account."""
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_ACCEPTED}},
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.app, config=config)

    # The account's API key, registered as the schema's auth. Schemathesis knows X-API-Key from
    # the document (it does not take the OAuth2 bearer header for a credential), so its
    # ignored_auth check can probe every operation without the key and with a made-up one and
    # expect a 401. A key the fuzzer revokes (DELETE /users/me/api-keys/{id}) answers 401: the
    # provider then makes a new one and the request is sent again. The fuzzer's POST /logout
    # and password changes end every session of the account, the provider's own login among
    # them: it then logs in again.
    @schema.auth(refresh_interval=24 * 3600, retry_on=[401])
    class ApiKey:
        def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
            answer = self._new_key()
            if answer.status_code == 401:
                world.tokens.pop(login, None)
                answer = self._new_key()
            assert answer.status_code == 201, answer.text
            return answer.json()["key"]

        def _new_key(self):
            return world.client.post(
                f"{API}/users/me/api-keys",
                headers=world.headers(login),
                json={"name": "schemathesis"},
            )

        def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext):
            case.headers = {**(case.headers or {}), "X-API-Key": data}

    return schema


def _settings(max_examples: int, **extra: Any) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=max_examples,
        database=None,  # nothing replayed from earlier runs, nothing written to the checkout
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        # No shrinking: a failure is reported as found, with its curl command, at once.
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        **extra,
    )


@dataclass
class Report:
    """What a run covered and what it found."""

    role: str
    backend: str
    operations: int = 0
    cases: dict[str, dict[str, int]] = field(default_factory=dict)  # label -> mode -> count
    not_negatable: list[str] = field(default_factory=list)  # no invalid request exists
    stateful_scenarios: int = 0
    stateful_steps: int = 0
    stateful_linked_steps: int = 0  # steps whose input came from an earlier response
    stateful_statuses: dict[str, int] = field(default_factory=dict)  # "label status" -> count
    stateful_restarts: int = 0  # runs Hypothesis ended as Flaky (see `stateful`)
    stateful_chains: dict[str, int] = field(default_factory=dict)  # see `chains_closed_by`
    lifecycle: list[str] = field(default_factory=list)  # the explicit create ... read
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    seconds_per_operation: dict[str, float] = field(default_factory=dict)

    @property
    def total_cases(self) -> int:
        return sum(sum(modes.values()) for modes in self.cases.values())

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "total_cases": self.total_cases}


def _cases(operation, mode: GenerationMode, examples: int, counts: dict[str, int]):
    """A seeded Hypothesis test that sends `examples` cases of one operation and mode."""
    counts[mode.value] = 0

    @_settings(examples)
    @hypothesis.seed(SEED)
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        counts[mode.value] += 1
        case.call_and_validate()

    return run


def negatable(operation: schemathesis.APIOperation) -> bool:
    """Whether an invalid request exists: only with a body or query parameters. A free string
    in the path cannot be made invalid, and Hypothesis would spend hundreds of attempts on
    finding that out for each such operation."""
    return len(operation.query) > 0 or len(operation.body) > 0


def fuzz(schema: schemathesis.BaseSchema, report: Report, examples: dict[str, int]) -> None:
    """Every operation with positive and (where they exist) negative cases, `examples[mode]`
    of each; failures are collected, not raised."""
    for result in schema.get_all_operations():
        operation = result.ok()
        report.operations += 1
        counts = report.cases.setdefault(operation.label, {})
        started = time.monotonic()
        modes = [GenerationMode.POSITIVE]
        if negatable(operation):
            modes.append(GenerationMode.NEGATIVE)
        else:
            report.not_negatable.append(operation.label)
        for mode in modes:
            try:
                _cases(operation, mode, examples[mode.value], counts)()
            except Unsatisfiable:
                report.failures.append(f"{operation.label} [{mode.value}]: no case generated")
            except (Exception, BaseExceptionGroup) as error:
                report.failures.append(f"{operation.label} [{mode.value}]: {error}")
        report.seconds_per_operation[operation.label] = round(time.monotonic() - started, 2)


def chains_closed_by(trail: list[tuple[str, str, int]], step: tuple[str, str, int]) -> list[str]:
    """The lifecycles a scenario's step completes, by path template: a resource created and
    then read ("create -> read"), created and deleted ("create -> delete"), and deleted and
    then read, answered 404 ("delete -> read 404")."""

    def item_of(path: str, collection: str) -> bool:
        return path.startswith(collection + "/{") and path.count("/") == collection.count("/") + 1

    method, path, status = step
    found = []
    created = [p for m, p, s in trail if m == "POST" and s == 201]
    deleted = [p for m, p, s in trail if m == "DELETE" and s == 204]
    if method == "GET" and status == 200 and any(item_of(path, c) for c in created):
        found.append("create -> read")
    if method == "DELETE" and status == 204 and any(item_of(path, c) for c in created):
        found.append("create -> delete")
    if method == "GET" and status == 404 and path in deleted:
        found.append("delete -> read 404")
    return found


def settle_in_the_world(schema: schemathesis.BaseSchema) -> None:
    """Let half of the generated bodies name the world's community A and its SME, so that the
    scenarios also create things (a made-up community_id only ever answers 404) and go on to
    read, edit and delete them along the links."""

    @schema.hook("flatmap_body")
    def in_community_a(context: schemathesis.HookContext, body: Any):
        if not isinstance(body, dict):
            return st.just(body)
        settled = dict(body)
        for name, value in HOME.items():
            if name in settled:
                settled[name] = value
        return st.sampled_from([body, settled])


def stateful(schema: schemathesis.BaseSchema, report: Report, scenarios: int) -> None:
    """Schemathesis' state machine over the inferred links, `scenarios` runs."""
    settle_in_the_world(schema)
    machine = schema.as_state_machine()

    class Counted(machine):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            super().setup()
            report.stateful_scenarios += 1
            self.trail: list[tuple[str, str, int]] = []  # (method, path template, status)

        def step(self, input: StepInput) -> StepOutput:
            report.stateful_steps += 1
            if input.transition is not None:
                report.stateful_linked_steps += 1
            return super().step(input)

        def after_call(self, response, case) -> None:
            super().after_call(response, case)
            key = f"{case.operation.label} {response.status_code}"
            report.stateful_statuses[key] = report.stateful_statuses.get(key, 0) + 1
            step = (case.operation.method.upper(), case.operation.path, response.status_code)
            for chain in chains_closed_by(self.trail, step):
                report.stateful_chains[chain] = report.stateful_chains.get(chain, 0) + 1
            self.trail.append(step)

        def validate_response(self, response, case, *args: Any, **kwargs: Any) -> None:
            # Noted here as well: when Hypothesis replays a failing scenario against a database
            # that has moved on, it may only report that the replay went differently.
            try:
                super().validate_response(response, case, *args, **kwargs)
            except BaseExceptionGroup as error:
                report.failures.append(f"stateful step {case.operation.label}: {error}")
                raise

    # Hypothesis replays parts of earlier scenarios while it generates; against a database that
    # has moved on since, a replay may draw differently, and Hypothesis stops with Flaky. That
    # says nothing about the service (Schemathesis' own runner restarts the suite then, too):
    # the run restarts with the next rule order, a fixed number of times at most.
    for attempt in range(STATEFUL_ATTEMPTS):
        if report.stateful_scenarios >= scenarios:
            break
        Counted.rule_order_seed = SEED + attempt
        try:
            # A state machine takes no @seed: derandomize seeds it from the machine instead.
            Counted.run(
                settings=_settings(
                    scenarios - report.stateful_scenarios,
                    derandomize=True,
                    stateful_step_count=STEPS_PER_SCENARIO,
                )
            )
        except (Exception, BaseExceptionGroup) as error:
            found = any(failure.startswith("stateful step") for failure in report.failures)
            if found:
                return  # the failure is noted already; the error is Hypothesis' replay of it
            if not replay_went_differently(error):
                report.failures.append(f"stateful: {error}")
                return
            report.stateful_restarts += 1


def replay_went_differently(error: BaseException) -> bool:
    """Hypothesis' Flaky, or the assertion its data tree raises for the same reason."""
    if isinstance(error, Flaky):
        return True
    if isinstance(error, AssertionError):
        frame = error.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        module = frame.tb_frame.f_globals.get("__name__", "") if frame else ""
        return module.startswith("hypothesis.internal.conjecture")
    return False


#: Per role, one thing it may create and delete: (collection, item path, id parameter, body).
#: A student has no such resource but its API keys, which have no single-item read: the list
#: and the key itself stand in for the reads.
LIFECYCLES = {
    "admin": (
        "/api/v1/research-groups",
        "/api/v1/research-groups/{group_id}",
        "group_id",
        {
            "name": "Lectoraat Levenscyclus",
            "expertise": "Levenscyclus testen.",
            "community_ids": ["com-a"],
        },
    ),
    "intermediary": (
        "/api/v1/research-groups",
        "/api/v1/research-groups/{group_id}",
        "group_id",
        {
            "name": "Lectoraat Levenscyclus",
            "expertise": "Levenscyclus testen.",
            "community_ids": ["com-a"],
        },
    ),
    "sme": (
        "/api/v1/challenges",
        "/api/v1/challenges/{challenge_id}",
        "challenge_id",
        {"title": "Levenscyclus", "description": "Aanmaken en weggooien.", "community_id": "com-a"},
    ),
    "student": (
        "/api/v1/users/me/api-keys",
        "/api/v1/users/me/api-keys/{key_id}",
        "key_id",
        {"name": "levenscyclus"},
    ),
}


def lifecycle(schema: schemathesis.BaseSchema, world: World, role: str, report: Report) -> None:
    """create -> read -> delete -> read, each response through the default checks (the read
    after the delete must answer 404)."""
    collection, item, parameter, body = LIFECYCLES[role]
    operations = schema[collection]
    key = {
        "X-API-Key": world.client.post(
            f"{API}/users/me/api-keys", headers=world.headers(ROLES[role]), json={"name": "cycle"}
        ).json()["key"]
    }

    def send(method: str, path: str, expected: int, **kwargs: Any) -> Any:
        operation = (schema[path] if path != collection else operations)[method]
        case = operation.Case(**kwargs)
        response = case.call_and_validate(headers=key)
        report.lifecycle.append(f"{method} {path} {response.status_code}")
        assert response.status_code == expected, (method, path, response.text)
        return response.json() if response.content else None

    created = send("POST", collection, 201, body=body)
    where = {parameter: created["id"]}
    readable = "get" in schema.raw_schema["paths"][item]
    if readable:
        assert send("GET", item, 200, path_parameters=where)["id"] == created["id"]
    else:
        assert created["id"] in {row["id"] for row in send("GET", collection, 200)["data"]}
    send("DELETE", item, 204, path_parameters=where)
    if readable:
        send("GET", item, 404, path_parameters=where)
    else:
        # A revoked key stays listed, marked revoked, and no longer lets anyone in.
        rows = {row["id"]: row for row in send("GET", collection, 200)["data"]}
        assert rows[created["id"]]["revoked_at"] is not None
        me = world.client.get(f"{API}/users/me", headers={"X-API-Key": created["key"]})
        report.lifecycle.append(f"GET /api/v1/users/me with the revoked key {me.status_code}")
        assert me.status_code == 401


def run_schemathesis(
    world: World, role: str, backend: str, out_dir: Path, examples: dict[str, int], scenarios: int
) -> Report:
    report = Report(role=role, backend=backend)
    started = time.monotonic()
    schema = load_schema(world, ROLES[role])
    lifecycle(schema, world, role, report)
    fuzz(schema, report, examples)
    stateful(load_schema(world, ROLES[role]), report, scenarios)
    report.seconds = round(time.monotonic() - started, 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"schemathesis-{backend}-{role}.json"
    path.write_text(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    print(
        f"\nschemathesis {backend} {role}: {report.operations} operations, "
        f"{report.total_cases} cases, {report.stateful_scenarios} stateful scenarios with "
        f"{report.stateful_steps} steps ({report.stateful_linked_steps} along links), "
        f"{len(report.failures)} failures, {report.seconds} s -> {path}"
    )
    return report


def check(report: Report, schema_operations: set[str]) -> None:
    """The run's figures: everything covered, nothing failed."""
    covered = {label for label, modes in report.cases.items() if modes.get("positive", 0) > 0}
    assert report.operations == len(schema_operations) > 0
    assert covered == schema_operations, f"never exercised: {schema_operations - covered}"
    assert report.total_cases > report.operations
    assert report.stateful_steps > 0 and report.stateful_linked_steps > 0
    created = Counter(
        key.split()[0] for key, n in report.stateful_statuses.items() if key.endswith(" 201")
    )
    assert created["POST"] > 0, "the stateful run never created anything"
    assert report.failures == [], "\n\n".join(report.failures)


@pytest.fixture
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the runs write their figures (one JSON file per backend and role)."""
    return tmp_path_factory.getbasetemp() / "reliability"


def _operations(world: World) -> set[str]:
    document = world.client.get("/openapi.json").json()
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in methods
    }


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("role", list(ROLES))
def test_schemathesis_sqlite(role: str, world_url: str, tmp_path: Path, report_dir: Path) -> None:
    with fuzzable_app(tmp_path, world_url) as world:
        report = run_schemathesis(
            world, role, "sqlite", report_dir, EXAMPLES["sqlite"], SCENARIOS["sqlite"]
        )
        check(report, _operations(world))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("role", list(ROLES))
def test_schemathesis_postgresql(
    role: str, world_url: str, tmp_path: Path, report_dir: Path
) -> None:
    with fuzzable_app(tmp_path, world_url) as world:
        report = run_schemathesis(
            world, role, "postgresql", report_dir, EXAMPLES["postgresql"], SCENARIOS["postgresql"]
        )
        check(report, _operations(world))


def test_what_the_fuzzer_found_stays_fixed(world: World) -> None:
    """The 500 and the schema mismatches the runs above found, one request each (both
    backends). Every answer must match the document."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.app)
    document = world.client.get("/openapi.json").json()

    def conforms(path: str, method: str, answer) -> None:
        schema[path][method].validate_response(answer)  # raises on a mismatch

    # A skip beyond the databases' 64-bit integers was a 500 (OverflowError on SQLite).
    answer = world.get("/communities", "admin", params={"skip": 10**20})
    assert answer.status_code == 422
    conforms("/api/v1/communities", "GET", answer)
    # A body that is not UTF-8 is FastAPI's 400, which no operation declared.
    headers = {**world.headers("admin"), "Content-Type": "application/json"}
    answer = world.client.post(
        f"{API}/communities", content=b'{"name": "caf\xe9"}', headers=headers
    )
    assert answer.status_code == 400
    conforms("/api/v1/communities", "POST", answer)
    with_body = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation and "400" not in operation["responses"]
    ]
    assert with_body == []
    # POST /challenges without an organisation answers a 422 with a sentence for its detail,
    # where the document promised FastAPI's list of validation errors.
    body = {"community_id": "com-a", "title": "Zonder bedrijf", "description": "Wie plaatst dit?"}
    answer = world.post("/challenges", "int-a", json=body)
    assert answer.status_code == 422
    assert "organisation_id" in answer.json()["detail"]
    conforms("/api/v1/challenges", "POST", answer)


def test_a_nul_character_is_refused_or_stored_never_a_500(world: World) -> None:
    """PostgreSQL takes no NUL character in text; SQLite does. Found by the PostgreSQL run:
    it was a 500 there. In a body, a path and a query it is now a 422 on PostgreSQL."""
    body = {"name": "Leergemeenschap \x00 Nul", "region": "Achterhoek"}
    created = world.post("/communities", "admin", json=body)
    read = world.get("/communities/com-%00", "admin")
    listed = world.get("/challenges", "int-a", params={"community_id": "com-\x00"})
    if world.backend == "postgresql":
        assert [created.status_code, read.status_code, listed.status_code] == [422, 422, 422]
        assert "NUL" in created.json()["detail"][0]["msg"]
    else:
        assert [created.status_code, read.status_code, listed.status_code] == [201, 404, 200]
