"""Domain errors reach a client as the answers the API has always given: status, body, headers."""

from __future__ import annotations

import inspect

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api import errors
from service.domain import errors as domain
from service.domain.errors import (
    Conflict,
    DomainError,
    TooManyAttempts,
    UnknownPlace,
    not_found,
)

DOMAIN_ERRORS = [
    cls
    for _, cls in inspect.getmembers(domain, inspect.isclass)
    if issubclass(cls, DomainError) and cls is not DomainError
]


@pytest.mark.parametrize("error_class", DOMAIN_ERRORS, ids=lambda cls: cls.__name__)
def test_every_domain_error_has_an_http_status(error_class: type[DomainError]) -> None:
    special = {
        TooManyAttempts: lambda: TooManyAttempts(1.5, "Too many"),
        UnknownPlace: lambda: UnknownPlace("place", "Atlantis", ["Almelo"], "unknown place"),
    }
    error = special.get(error_class, lambda: error_class("x"))()
    assert 400 <= errors.http_error(error).status_code < 500


def client_raising(error: DomainError) -> TestClient:
    app = FastAPI()
    errors.install(app)

    @app.get("/thing")
    def thing() -> None:
        raise error

    return TestClient(app)


def test_not_found_is_a_404_with_the_detail_as_body() -> None:
    answer = client_raising(not_found("Challenge", "ch-1")).get("/thing")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Challenge ch-1 not found"}


def test_field_errors_keep_their_shape() -> None:
    detail = [{"type": "value_error", "loc": ["period"], "msg": "ends before it starts"}]
    answer = client_raising(domain.Invalid(detail)).get("/thing")
    assert (answer.status_code, answer.json()) == (422, {"detail": detail})


def test_a_subclass_answers_as_its_parent() -> None:
    class Taken(Conflict):
        pass

    assert client_raising(Taken("id: x exists already")).get("/thing").status_code == 409


def test_too_many_attempts_says_when_to_retry_in_whole_seconds() -> None:
    answer = client_raising(TooManyAttempts(2.1, "Too many failed logins")).get("/thing")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "3"
    assert answer.json() == {"detail": "Too many failed logins: try again in 3 s"}
