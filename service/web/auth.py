"""Logging in to the pages: a session cookie holding the same signed token as the API's bearer
token, the `PageUser` dependency, role checks, and the login, logout and language pages."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from service.api.deps import SessionDep, SettingsDep, actor_of, release_connection
from service.api.errors import http_error
from service.api.limits import LimitsDep, client_address
from service.domain.actor import Actor
from service.domain.errors import DomainError
from service.domain.tables import Role, User
from service.usecases.login import authenticate
from service.usecases.notifications import remember_language
from service.usecases.security import read_claims
from service.usecases.sessions import end_sessions, is_current, token_for
from service.web import csrf, i18n
from service.web.i18n import _
from service.web.render import render

SESSION_COOKIE = "lcmatch_session"

#: Where each role lands after logging in.
HOME = {
    Role.student: "/student/assignments",
    Role.sme: "/sme",
    Role.intermediary: "/review",
    Role.admin: "/review",
    Role.monitor: "/programmes",
    Role.professional: "/professional/suggestions",
}

router = APIRouter()


class LoginRequired(Exception):
    """Raised by `PageUser` without a valid session; answered with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def login_redirect(request: Request, error: LoginRequired) -> Response:
    """303 to the login page that returns to the page asked for (for htmx: HX-Redirect)."""
    target = f"/login?next={quote(error.next_path, safe='/')}"
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)


def current_actor(request: Request, session: SessionDep, settings: SettingsDep) -> Actor:
    """The logged-in user of the session cookie; otherwise `LoginRequired`."""
    token = request.cookies.get(SESSION_COOKIE)
    claims = read_claims(token, settings.secret_key) if token else None
    user = session.get(User, claims.user_id) if claims else None
    if user is None or not user.is_active or not is_current(user, claims.generation):
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    actor = actor_of(session, user)
    release_connection(session)  # before the hand-off to the page's thread
    request.state.actor = actor  # `render` shows the user and their navigation
    return actor


PageUser = Annotated[Actor, Depends(current_actor)]


def remember_actor(request: Request) -> None:
    """Put the session's user on the request if a route did not (an error page raised before
    or without `PageUser` still shows who is logged in)."""
    if getattr(request.state, "actor", None) is not None:
        return
    with (
        Session(request.app.state.engine, expire_on_commit=False) as session,
        suppress(LoginRequired),
    ):
        current_actor(request, session, request.app.state.settings)


def require_roles(*roles: Role):
    """A dependency for pages of these roles only: the others get the 403 page."""

    def check(actor: PageUser) -> Actor:
        if actor.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "This page is not for your role")
        return actor

    return check


def safe_next(path: str | None) -> str | None:
    """A path on this site to go back to after logging in; None for anything else (an
    absolute or protocol-relative address would make the login an open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return path


@router.get("/")
def home(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The role's start page, or the login page."""
    try:
        actor = current_actor(request, session, settings)
    except LoginRequired:
        return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    return RedirectResponse(HOME[actor.role], status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", email="", next=safe_next(next) or "", error=None)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limits: LimitsDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the login like the API does (same rate limits); on success set the session."""
    try:
        user = authenticate(session, limits, client_address(request), email.strip(), password)
    except DomainError as refusal:
        error = http_error(refusal)
        if error.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
            message = _("Te veel mislukte pogingen. Probeer het over een minuut opnieuw.")
        else:
            message = _("Het e-mailadres of het wachtwoord klopt niet.")
        return render(
            request,
            "login.html",
            status_code=error.status_code,
            email=email,
            next=safe_next(next) or "",
            error=message,
        )
    # Mails are written in the language the user uses the pages in.
    remember_language(session, user.id, i18n.current_language())
    session.commit()
    token = token_for(user, settings)
    target = safe_next(next) or HOME[Role(user.role)]
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.token_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=csrf.secure_cookies(request),
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """End the session on the server (every page session and login token of the user: a
    copy of the cookie no longer opens a page) and drop the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    claims = read_claims(token, settings.secret_key) if token else None
    user = session.get(User, claims.user_id) if claims else None
    if user is not None and is_current(user, claims.generation):
        end_sessions(session, user.id)
        session.commit()
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/language/{language}")
def switch_language(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    language: str,
    next: str | None = None,
) -> Response:
    """Remember the chosen language in a cookie (and, logged in, for the user's mails) and go
    back to the page."""
    response = RedirectResponse(safe_next(next) or "/", status_code=status.HTTP_303_SEE_OTHER)
    if language in i18n.LANGUAGES:
        with suppress(LoginRequired):
            actor = current_actor(request, session, settings)
            remember_language(session, actor.id, language)
            session.commit()
        one_year = 365 * 24 * 3600
        response.set_cookie(
            i18n.LANGUAGE_COOKIE, language, max_age=one_year, samesite="lax", path="/"
        )
    return response
