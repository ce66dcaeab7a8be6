"""Cross-site request forgery protection for the pages' forms.

A random value lives in an HttpOnly cookie; every form carries, in the hidden field
`csrf_token` (or htmx in the `X-CSRF-Token` header), an HMAC of that value under the
service's secret. Another site can make a browser send the cookie, but cannot read it nor
compute the token, so its forged POST is refused. SameSite=Lax on the cookies is a second
line of defence.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request, status
from fastapi.responses import Response

COOKIE = "lcmatch_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _sign(request: Request, value: str) -> str:
    secret = request.app.state.settings.secret_key.encode()
    return hmac.new(secret, b"csrf:" + value.encode(), hashlib.sha256).hexdigest()


def token_for(request: Request) -> tuple[str, str | None]:
    """The token for this browser's forms, and a new cookie value when it has none yet."""
    value = request.cookies.get(COOKIE)
    if value:
        return _sign(request, value), None
    # Made once per request: a page rendered twice (an error page) keeps one value.
    fresh = getattr(request.state, "csrf_cookie", None) or secrets.token_urlsafe(32)
    request.state.csrf_cookie = fresh
    return _sign(request, fresh), fresh


def set_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )


def secure_cookies(request: Request) -> bool:
    """Cookies are Secure (HTTPS only) everywhere but in development."""
    return request.app.state.settings.environment != "development"


FORGED = HTTPException(status.HTTP_403_FORBIDDEN, "CSRF token missing or wrong")


async def check(request: Request) -> None:
    """A router dependency: refuse a POST (or other unsafe method) whose token is missing or
    does not belong to this browser's cookie."""
    if request.method in SAFE_METHODS:
        return
    value = request.cookies.get(COOKIE)
    sent = request.headers.get(HEADER)
    if sent is None:
        form = await request.form()  # Starlette keeps it: the route reads the same form
        field = form.get(FIELD)
        sent = field if isinstance(field, str) else None
    if not value or not sent or not hmac.compare_digest(sent, _sign(request, value)):
        raise FORGED
