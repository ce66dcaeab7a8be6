"""FastAPI dependencies: the session, the current user and what they may reach."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response, status
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy import Select, bindparam
from sqlalchemy.exc import DataError
from sqlmodel import Session, and_, select

from service.domain.actor import Actor
from service.domain.languages import choose_language
from service.domain.tables import ApiKey, Membership, Role, StudentProfile, User
from service.settings import Settings
from service.storage.db import holds_read_only_transaction
from service.usecases.access import community_ids_of
from service.usecases.notifications import chosen_language
from service.usecases.security import hash_api_key, read_claims

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/login/access-token", auto_error=False)
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)

MAX_PAGE = 100
#: The largest `skip`: bigger numbers overflow the databases' 64-bit integers (a 500, not a 422).
MAX_SKIP = 2**31 - 1


# The dependencies below are `async def` although they do no I/O on the event loop: FastAPI
# runs every plain `def` dependency in its thread pool, and each such hand-off cost about as
# much CPU as a whole /health request (see README, "Under load").


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session for the request. Opening one touches no database (it connects on first
    use); closing one that still holds a connection hands it back in a thread, since on
    PostgreSQL that is a round trip (a rollback) the event loop must not wait for."""
    session = Session(request.app.state.engine, expire_on_commit=False)
    answers = getattr(request.app.state, "answers", None)
    if answers is not None:
        answers.clock.open(session)  # before it reads: see service.storage.answer_cache
    try:
        yield session
    except DataError as error:
        # A value the database refuses although the models let it through: PostgreSQL takes
        # no NUL character in text (SQLite does), in a body, a path or a query. It is the
        # request's fault, so a 422 (shaped like the validation errors), not a 500.
        await _in_own_thread(session.rollback)
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "refused"
        detail = [{"type": "value_error", "loc": [], "msg": f"cannot be stored: {reason}"}]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from None
    finally:
        if session.in_transaction():
            await _in_own_thread(session.close)
        else:
            session.close()  # holds no connection: nothing to hand back, no I/O


async def _in_own_thread(function: Callable[[], object]) -> None:
    """Run `function` in a worker thread outside the shared pool's limit, as FastAPI runs a
    plain dependency's exit: when every pooled thread waits for a database connection, the
    one being handed back must not wait for a free thread."""
    await anyio.to_thread.run_sync(function, limiter=anyio.CapacityLimiter(1))


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


UNAUTHENTICATED = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="Not authenticated: log in or send an API key",
    headers={"WWW-Authenticate": "Bearer"},
)


def get_actor(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> Actor:
    """The authenticated user as an actor (401 without a valid token or API key); the
    session's connection is back in the pool when it returns (`release_connection`)."""
    actor = _authenticated(session, settings, token, api_key)
    release_connection(session)
    return actor


def release_connection(session: Session) -> None:
    """End the session's transaction if it has only read, so that its connection goes back to
    the pool until the request reads again; what it read stays loaded (`expire_on_commit=False`).

    FastAPI runs each plain `def` dependency, the route, and the validation of the model a
    route returns, each in a worker thread of its own, and between two of them the request
    waits for a free thread. Holding a pooled connection meanwhile, requests starve each
    other: the threads they wait for are busy with other requests, waiting for those very
    connections, until the pool's time-out (no request of the mix answered at 10k students).
    A transaction that wrote is left to the route (it commits or the session rolls back)."""
    if holds_read_only_transaction(session):
        session.commit()


def ending_reads(router: APIRouter) -> APIRouter:
    """The router, each plain `def` route of it releasing its session's connection when it
    returns a value for FastAPI to validate (`release_connection`); a `Response` is sent as
    it is (and a streamed one may still read)."""
    for route in router.routes:
        if isinstance(route, APIRoute) and not inspect.iscoroutinefunction(route.endpoint):
            route.endpoint = _releasing(route.endpoint)
    return router


def _releasing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if getattr(endpoint, "releases_connection", False):
        return endpoint  # already (an app made again from the same routers)

    @functools.wraps(endpoint)
    def route(*args: Any, **kwargs: Any) -> Any:
        answer = endpoint(*args, **kwargs)
        if not isinstance(answer, Response):
            for value in kwargs.values():
                if isinstance(value, Session):
                    release_connection(value)
        return answer

    route.releases_connection = True  # type: ignore[attr-defined]
    return route


def _authenticated(
    session: Session, settings: Settings, token: str | None, api_key: str | None
) -> Actor:
    user: User | None = None
    if token:
        claims = read_claims(token, settings.secret_key)
        actor = actor_by_id(session, claims.user_id) if claims else None
        if (
            actor is None
            or not actor.user.is_active
            or actor.user.token_generation != claims.generation  # ended: logout, new password
        ):
            raise UNAUTHENTICATED
        return actor
    if api_key:
        key = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_api_key(api_key))).first()
        if key is not None and key.revoked_at is None:
            user = session.get(User, key.user_id)
    if user is None or not user.is_active:
        raise UNAUTHENTICATED
    return actor_of(session, user)


def actor_of(session: Session, user: User) -> Actor:
    """The user as an actor: with their communities and their own student profile."""
    student_id = session.exec(
        select(StudentProfile.id).where(StudentProfile.user_id == user.id)
    ).first()
    return Actor(user, frozenset(community_ids_of(session, user.id, "user")), student_id)


def _actor_query() -> Select:
    own_student = (
        select(StudentProfile.id)
        .where(StudentProfile.user_id == User.id)
        .limit(1)
        .correlate(User)
        .scalar_subquery()
    )
    memberships = and_(Membership.member_id == User.id, Membership.kind == "user")
    return (
        select(User, Membership.community_id, own_student)
        .outerjoin(Membership, memberships)
        .where(User.id == bindparam("user_id"))
    )


#: Built once: building the statement took twice as long as running it (SQLite, 100k
#: students), and SQLAlchemy reuses its compiled form for the same statement object.
ACTOR_QUERY = _actor_query()


def actor_by_id(session: Session, user_id: str) -> Actor | None:
    """`actor_of` the user with this id (None if there is none) in one query instead of
    three: every authenticated request asks this first."""
    rows = session.exec(ACTOR_QUERY, params={"user_id": user_id}).all()
    if not rows:
        return None
    communities = frozenset(row[1] for row in rows if row[1] is not None)
    return Actor(rows[0][0], communities, rows[0][2])


CurrentUser = Annotated[Actor, Depends(get_actor)]


def require(*roles: Role):
    """A dependency that lets only these roles through (403 for the others)."""

    def check(actor: CurrentUser) -> Actor:
        if actor.role not in roles:
            allowed = ", ".join(role.value for role in roles)
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"This needs the role {allowed}")
        return actor

    return check


def reader_language(
    session: SessionDep,
    actor: CurrentUser,
    accept_language: Annotated[
        str | None,
        Header(
            description="The language of the constraint notes' texts (nl or en) when the user "
            "has not chosen one on the pages; Dutch when neither says."
        ),
    ] = None,
) -> str:
    """The language texts for this caller are written in: the one they chose on the pages,
    else Accept-Language's first of nl and en, else Dutch (as the pages choose, with the
    user's setting in the place of the pages' cookie)."""
    language = choose_language(chosen_language(session, actor.id), accept_language)
    release_connection(session)
    return language


ReaderLanguage = Annotated[str, Depends(reader_language)]
Manager = Annotated[Actor, Depends(require(Role.intermediary, Role.admin))]
Admin = Annotated[Actor, Depends(require(Role.admin))]


@dataclass(frozen=True)
class PageParams:
    skip: int
    limit: int


def page_params(
    skip: Annotated[int, Query(ge=0, le=MAX_SKIP, description="Rows to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Rows per page (max 100).")] = 20,
) -> PageParams:
    return PageParams(skip, limit)


PageDep = Annotated[PageParams, Depends(page_params)]
