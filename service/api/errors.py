"""The one place domain errors become HTTP answers: a status per error, the detail as the body."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request, Response, status
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    LoginRefused,
    NotFound,
    TooManyAttempts,
)

STATUS: dict[type[DomainError], int] = {
    NotFound: status.HTTP_404_NOT_FOUND,
    Forbidden: status.HTTP_403_FORBIDDEN,
    Conflict: status.HTTP_409_CONFLICT,
    Invalid: status.HTTP_422_UNPROCESSABLE_CONTENT,
    LoginRefused: status.HTTP_400_BAD_REQUEST,
    TooManyAttempts: status.HTTP_429_TOO_MANY_REQUESTS,
}


def http_error(error: DomainError) -> HTTPException:
    """The HTTP answer for a domain error (its nearest listed class decides the status)."""
    code = next(STATUS[cls] for cls in type(error).__mro__ if cls in STATUS)
    headers = None
    if isinstance(error, TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after)}
    return HTTPException(code, error.detail, headers=headers)


async def answer_domain_error(request: Request, error: Exception) -> Response:
    """Answer as the app answers an HTTPException with that status: JSON for the API, the
    error page for the pages (whichever handler the app installed for HTTPException)."""
    assert isinstance(error, DomainError)
    handler = request.app.exception_handlers.get(StarletteHTTPException, http_exception_handler)
    return await handler(request, http_error(error))


def install(app: FastAPI) -> None:
    """Let the app answer every domain error a route or dependency raises."""
    app.add_exception_handler(DomainError, answer_domain_error)
