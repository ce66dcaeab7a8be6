"""Security headers on every answer: no sniffing, no framing, no referrer to other sites, and
on the pages a Content-Security-Policy that allows only the site's own scripts and styles
(htmx is vendored; no page has inline script or style)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The pages' policy: everything from this site only, no inline script or style, no plugins,
#: no framing, forms posted only here.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: The API answers JSON: nothing in it may load or run anything.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
#: FastAPI's documentation pages load Swagger UI and ReDoc from their CDN with inline script:
#: they keep the headers below but get no Content-Security-Policy of ours.
DOCS = ("/docs", "/redoc")

COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


def policy_for(path: str) -> str | None:
    """The Content-Security-Policy for a path (None for the documentation pages)."""
    if path.startswith(DOCS):
        return None
    if path.startswith(("/api/", "/openapi.json", "/health")):
        return API_POLICY
    return PAGE_POLICY


class SecurityHeaders:
    """ASGI middleware that adds the headers to every HTTP answer (a route's own value of a
    header wins)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = policy_for(scope.get("path", ""))
        extra = list(COMMON)
        if policy is not None:
            extra.append((b"content-security-policy", policy.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
