"""Logging in, the caller's own account, and API keys for machine clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
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
from service.usecases.login import authenticate
from service.usecases.publics import user_public
from service.usecases.security import create_token, hash_api_key, hash_password, new_api_key

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
    return Token(access_token=create_token(user.id, settings.secret_key, settings.token_minutes))


@router.get("/users/me", responses={401: {"description": "Not logged in"}})
def read_me(session: SessionDep, actor: CurrentUser) -> UserPublic:
    """The caller's own account."""
    return user_public(session, actor.user)


@router.patch("/users/me", responses={401: {"description": "Not logged in"}})
def update_me(session: SessionDep, actor: CurrentUser, changes: UserUpdate) -> UserPublic:
    """Change one's own name or password."""
    user = session.get(User, actor.id)
    # An explicit null changes nothing: name and password cannot be emptied.
    values = changes.model_dump(exclude_unset=True, exclude_none=True)
    if "password" in values:
        user.hashed_password = hash_password(values.pop("password"))
    for field, value in values.items():
        setattr(user, field, value)
    session.add(user)
    session.commit()
    return user_public(session, user)


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
