"""Logging in, the caller's own account, and API keys for machine clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlmodel import func, select

from service.api.deps import CurrentUser, PageDep, SessionDep, SettingsDep
from service.api.limits import LOGIN_LIMITED, LimitsDep, client_address
from service.domain.errors import not_found
from service.domain.tables import (
    ApiKey,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    ApiKeysPublic,
    Token,
    User,
    UserPublic,
    UserUpdate,
    utcnow,
)
from service.usecases.limits import Limits
from service.usecases.login import authenticate
from service.usecases.publics import user_public
from service.usecases.security import hash_api_key, hash_password, new_api_key, verify_password
from service.usecases.sessions import end_sessions, revoke_api_keys, token_for

router = APIRouter(tags=["auth"])


@router.post(
    "/login/access-token",
    responses={400: {"description": "Wrong email or password"}, **LOGIN_LIMITED},
)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limits: LimitsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """OAuth2 password flow: the email as username, the password; returns a bearer token.
    Failed logins are limited per client address and per account (429 with Retry-After)."""
    user = authenticate(session, limits, client_address(request), form.username, form.password)
    return Token(access_token=token_for(user, settings))


@router.post("/logout", status_code=204, responses={401: {"description": "Not logged in"}})
def logout(session: SessionDep, actor: CurrentUser) -> None:
    """End the caller's sessions on the server: every login token and page session of the
    account stops working at once (API keys stay; revoke them one by one)."""
    end_sessions(session, actor.id)
    session.commit()


@router.get("/users/me", responses={401: {"description": "Not logged in"}})
def read_me(session: SessionDep, actor: CurrentUser) -> UserPublic:
    """The caller's own account."""
    return user_public(session, actor.user)


@router.patch(
    "/users/me",
    responses={
        401: {"description": "Not logged in"},
        403: {"description": "current_password is wrong"},
        422: {"description": "A new password without current_password, or invalid values"},
        **LOGIN_LIMITED,
    },
)
def update_me(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    limits: LimitsDep,
    changes: UserUpdate,
) -> UserPublic:
    """Change one's own name or password. A new password needs `current_password` (wrong
    guesses count against the login limits), and ends every login token and page session of
    the account, this request's token too, and revokes its API keys, unless `keep_sessions` or
    `keep_api_keys` say otherwise: log in again with the new password."""
    user = session.get(User, actor.id)
    # An explicit null changes nothing: name and password cannot be emptied.
    values = changes.model_dump(
        exclude_unset=True,
        exclude_none=True,
        exclude={"current_password", "keep_sessions", "keep_api_keys"},
    )
    if "password" in values:
        _check_current_password(request, limits, user, changes.current_password)
        user.hashed_password = hash_password(values.pop("password"))
        if not changes.keep_sessions:
            end_sessions(session, user.id)
        if not changes.keep_api_keys:
            revoke_api_keys(session, user.id)
    for field, value in values.items():
        setattr(user, field, value)
    session.add(user)
    session.commit()
    session.refresh(user)
    return user_public(session, user)


def _check_current_password(
    request: Request, limits: Limits, user: User, current: str | None
) -> None:
    """422 without the current password, 403 for a wrong one (counted as a failed login, so
    that a stolen token cannot guess its way to a new password)."""
    if not current:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [
                {
                    "type": "missing",
                    "loc": ["body", "current_password"],
                    "msg": "current_password: required to change the password",
                }
            ],
        )
    address = client_address(request)
    limits.logins.attempt(address, user.email)
    if not verify_password(current, user.hashed_password):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "current_password: not the password")
    limits.logins.succeeded(address, user.email)


@router.post(
    "/users/me/api-keys", status_code=201, responses={401: {"description": "Not logged in"}}
)
def create_api_key(session: SessionDep, actor: CurrentUser, body: ApiKeyCreate) -> ApiKeyCreated:
    """A new API key acting as the caller; the key itself is shown only in this answer."""
    key = new_api_key()
    row = ApiKey(user_id=actor.id, name=body.name, key_hash=hash_api_key(key))
    session.add(row)
    session.commit()
    return ApiKeyCreated(**ApiKeyPublic.model_validate(row).model_dump(), key=key)


@router.get("/users/me/api-keys", responses={401: {"description": "Not logged in"}})
def list_api_keys(session: SessionDep, actor: CurrentUser, page: PageDep) -> ApiKeysPublic:
    """The caller's API keys (without the keys themselves)."""
    query = select(ApiKey).where(ApiKey.user_id == actor.id)
    count = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(ApiKey.created_at).offset(page.skip).limit(page.limit))
    return ApiKeysPublic(data=[ApiKeyPublic.model_validate(row) for row in rows], count=count)


@router.delete(
    "/users/me/api-keys/{key_id}",
    status_code=204,
    responses={401: {"description": "Not logged in"}, 404: {"description": "No such key"}},
)
def revoke_api_key(session: SessionDep, actor: CurrentUser, key_id: str) -> None:
    """Revoke one of the caller's API keys; it stops working at once."""
    row = session.get(ApiKey, key_id)
    if row is None or row.user_id != actor.id or row.revoked_at is not None:
        raise not_found("API key", key_id)
    row.revoked_at = utcnow()
    session.add(row)
    session.commit()
