"""Limits that keep one client from exhausting the service: failed logins, costly suggestion
requests and request body size.

Everything is in-process and in memory: the counts belong to one process and start empty when
it starts. A deployment with several processes multiplies the allowances by their number. The
clock is injectable, so tests step through time instead of sleeping.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.deps import CurrentUser
from service.proxies import forwarded_client
from service.settings import Settings

Clock = Callable[[], float]

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


class RateLimiter:
    """At most `limit` events per key in any `window` seconds (a sliding log), in memory.

    Each key keeps only its last `limit` event times, and keys with no event in the last
    window are dropped once per window, so memory follows the keys active in one window.
    Safe to share between the threads that serve requests.
    """

    def __init__(self, *, limit: int, window: float, clock: Clock = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window positive")
        self.limit = limit
        self.window = window
        self.clock = clock
        self._events: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()
        self._swept = clock()

    def retry_after(self, key: Hashable) -> float | None:
        """Seconds until the key may act again; None when it may act now."""
        with self._lock:
            return self._wait(key, self.clock())

    def hit(self, key: Hashable) -> float | None:
        """Count one event for the key, unless it is over its limit: then count nothing and
        return the seconds until it may act again."""
        with self._lock:
            now = self.clock()
            self._sweep(now)
            wait = self._wait(key, now)
            if wait is None:
                self._events.setdefault(key, deque(maxlen=self.limit)).append(now)
            return wait

    def undo(self, key: Hashable) -> None:
        """Take back the key's most recent event (one that turned out not to count)."""
        with self._lock:
            events = self._events.get(key)
            if events:
                events.pop()
            if not events:
                self._events.pop(key, None)

    def reset(self, key: Hashable) -> None:
        """Forget the key's events."""
        with self._lock:
            self._events.pop(key, None)

    def __len__(self) -> int:
        """How many keys are being tracked."""
        return len(self._events)

    def _wait(self, key: Hashable, now: float) -> float | None:
        events = self._events.get(key)
        if events is None or len(events) < self.limit:
            return None
        wait = events[0] + self.window - now  # when the oldest of the last `limit` expires
        return wait if wait > 0 else None

    def _sweep(self, now: float) -> None:
        if now - self._swept < self.window:
            return
        self._swept = now
        stale = [key for key, events in self._events.items() if events[-1] <= now - self.window]
        for key in stale:
            del self._events[key]


def too_many_requests(wait: float, detail: str) -> HTTPException:
    """A 429 whose Retry-After header holds the whole seconds to wait."""
    seconds = max(1, math.ceil(wait))
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"{detail}: try again in {seconds} s",
        headers={"Retry-After": str(seconds)},
    )


class LoginAttempts:
    """Login attempts, counted per client address and per account (the lower-cased username,
    known or not, so that a 429 tells nothing about which accounts exist).

    An attempt is counted when it starts, so that many guesses sent at once cannot all slip
    in before the first failure is counted; a successful one is taken back.
    """

    def __init__(self, *, per_address: RateLimiter, per_account: RateLimiter) -> None:
        self.per_address = per_address
        self.per_account = per_account

    def attempt(self, address: str, account: str) -> None:
        """Count an attempt against the address and the account; 429 (counting nothing) while
        either has used up its failed attempts: the password is then not even checked."""
        account = account.lower()
        waits = [self.per_address.retry_after(address), self.per_account.retry_after(account)]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is None:
            wait = self.per_address.hit(address)
            if wait is None and (wait := self.per_account.hit(account)) is not None:
                self.per_address.undo(address)  # another request took the last one meanwhile
        if wait is not None:
            raise too_many_requests(wait, "Too many failed logins")

    def succeeded(self, address: str, account: str) -> None:
        """The attempt was no failure: take it back from the address, and let whoever knows
        the password start afresh on the account. Other accounts' and addresses' counts stay:
        a success must not reset the count for guessing at other accounts."""
        self.per_address.undo(address)
        self.per_account.reset(account.lower())


class Limits:
    """The limits of one app, from its settings."""

    def __init__(self, settings: Settings, clock: Clock = time.monotonic) -> None:
        window = settings.login_window_seconds
        self.logins = LoginAttempts(
            per_address=RateLimiter(
                limit=settings.login_failures_per_address, window=window, clock=clock
            ),
            per_account=RateLimiter(
                limit=settings.login_failures_per_account, window=window, clock=clock
            ),
        )
        self.suggestions = RateLimiter(
            limit=settings.suggestion_requests,
            window=settings.suggestion_window_seconds,
            clock=clock,
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
