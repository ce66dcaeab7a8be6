"""What the rules refuse: the errors use cases raise, which the API answers in one place."""

from __future__ import annotations

import math
from typing import Any


class DomainError(Exception):
    """A request the rules refuse; `detail` says why: a sentence, or a list of field errors
    shaped like the validation errors (`type`, `loc`, `msg`)."""

    def __init__(self, detail: Any) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The object does not exist, or the caller may not see it (the same answer for both, so
    that ids of hidden objects leak nothing)."""


class Forbidden(DomainError):
    """The caller sees the object but may not do this with it."""


class Conflict(DomainError):
    """The object's state does not allow this now: an id taken, a status that moved on, a
    concurrent change."""


class Invalid(DomainError):
    """A value breaks a rule the models alone cannot check (`detail` names the field)."""


class LoginRefused(DomainError):
    """Wrong e-mail address or password, or a disabled account."""


class TooManyAttempts(DomainError):
    """The caller used up an allowance; `retry_after` whole seconds until they may again."""

    def __init__(self, wait: float, detail: str) -> None:
        self.retry_after = max(1, math.ceil(wait))
        super().__init__(f"{detail}: try again in {self.retry_after} s")


def not_found(what: str, id_: str) -> NotFound:
    """The refusal for a missing object, and for one the caller may not see."""
    return NotFound(f"{what} {id_} not found")


def unknown_reference(field: str, what: str, id_: str) -> Invalid:
    """The refusal for a body field naming an object that does not exist or that the caller
    may not use: a 422 on the field, since the URL's own resource was found (a 404 would say
    it was not); the same answer for both, so that ids of hidden objects leak nothing."""
    return Invalid(f"{field}: no {what} {id_!r} that you may use")


class UnknownPlace(Invalid):
    """A place name the gazetteer does not know: a 422 on the field, with close names to try."""

    def __init__(self, field: str, name: str, suggestions: list[str], message: str) -> None:
        self.field = field
        self.name = name
        self.suggestions = suggestions
        super().__init__(
            [
                {
                    "type": "unknown_place",
                    "loc": ["body", field],
                    "msg": message,
                    "input": name,
                    "suggestions": suggestions,
                }
            ]
        )
