"""Limits that keep one client from exhausting the service, as HTTP: the suggestions allowance
as a dependency, the request body size as middleware, their OpenAPI descriptions and 429s.
The counting itself is `service.usecases.limits`."""

from __future__ import annotations

import math
import time
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.deps import CurrentUser
from service.api.proxies import forwarded_client
from service.settings import Settings
from service.usecases.limits import Clock, Limits

#: OpenAPI descriptions of the answers these limits give.
TOO_LARGE = {413: {"description": "The request body is larger than the server accepts"}}
#: FastAPI's answer to a body it cannot even decode (bytes that are not UTF-8, say): declared
#: with the 413 so that every status an operation can give is in the document.
UNREADABLE = {400: {"description": "The request body cannot be read (not UTF-8 text)"}}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}
LOGIN_LIMITED = {
    429: {
        "description": "Too many failed logins from this address or for this account: retry "
        "after the seconds in the Retry-After header",
        "headers": RETRY_AFTER,
    }
}
SUGGESTIONS_LIMITED = {
    429: {
        "description": "Too many suggestion requests by this user: retry after the seconds "
        "in the Retry-After header",
        "headers": RETRY_AFTER,
    }
}


def too_many_requests(wait: float, detail: str) -> HTTPException:
    """A 429 whose Retry-After header holds the whole seconds to wait."""
    seconds = max(1, math.ceil(wait))
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"{detail}: try again in {seconds} s",
        headers={"Retry-After": str(seconds)},
    )


async def get_limits(request: Request) -> Limits:
    # `async def`: no I/O, and a plain `def` would cost a thread pool hand-off per request.
    return request.app.state.limits


LimitsDep = Annotated[Limits, Depends(get_limits)]


def client_address(request: Request) -> str:
    """The caller's address: the peer's, or behind a proxy named in LCMATCH_TRUSTED_PROXIES
    the one that proxy puts in X-Forwarded-For (from anyone else the header is ignored)."""
    peer = request.client.host if request.client else "unknown"
    trusted = request.app.state.settings.trusted_proxies
    if not trusted:
        return peer
    return forwarded_client(peer, request.headers.get("x-forwarded-for"), trusted)


async def limit_suggestions(limits: LimitsDep, actor: CurrentUser) -> None:
    """A dependency: 429 once the caller has made their allowance of suggestion requests.
    (`async def`: it only counts in memory, under a lock held for microseconds.)"""
    wait = limits.suggestions.hit(actor.id)
    if wait is not None:
        raise too_many_requests(wait, "Too many suggestion requests")


# -- request body size --------------------------------------------------------------------


class BodyTooLarge(HTTPException):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"The request body is larger than {max_bytes} bytes",
        )


class BodySizeLimit:
    """ASGI middleware: 413 for a request body above `max_bytes`.

    A declared Content-Length above the limit is refused before the app runs at all. A body
    without one (chunked) is counted as it is read: the read that passes the limit raises, so
    the route is never called with it, and the rest of the body is never read.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            error = BodyTooLarge(self.max_bytes)
            response = JSONResponse({"detail": error.detail}, status_code=error.status_code)
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # An HTTPException: FastAPI passes it on from reading the body, and the
                    # app's exception handling turns it into the 413 answer.
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)


# -- wiring -------------------------------------------------------------------------------


def install(app: FastAPI, settings: Settings, clock: Clock = time.monotonic) -> None:
    """Give the app its limits and the body size middleware."""
    app.state.limits = Limits(settings, clock)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)


def declare_body_limit(app: FastAPI) -> None:
    """Declare the 413 (and the 400 of an unreadable body) in the OpenAPI document, on every
    operation that takes a body."""
    make_document = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = make_document()  # made once and kept in app.openapi_schema
            for operations in document.get("paths", {}).values():
                for operation in operations.values():
                    if isinstance(operation, dict) and "requestBody" in operation:
                        responses = operation.setdefault("responses", {})
                        for code, response in {**TOO_LARGE, **UNREADABLE}.items():
                            responses.setdefault(str(code), dict(response))
        return app.openapi_schema

    app.openapi = openapi  # FastAPI's way to extend the document
