"""User accounts: list, create, read, and disable or enable (the caller's own account and
API keys are in auth.py under /users/me, which is routed before these)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlmodel import Session, SQLModel, func, select

from service.api.deps import Admin, CurrentUser, Manager, PageDep, SessionDep
from service.api.paging import paginate
from service.api.routes.common import AUTH, ROLE
from service.domain.actor import Actor
from service.domain.errors import not_found
from service.domain.tables import (
    Organisation,
    Role,
    User,
    UserCreate,
    UserPublic,
    UsersPublic,
)
from service.usecases.access import community_ids_of, member_filter
from service.usecases.editing import (
    add_memberships,
    check_new_member_id,
    chosen_id,
    commit_or_conflict,
    require_communities,
)
from service.usecases.publics import user_public
from service.usecases.security import hash_password

router = APIRouter(prefix="/users", tags=["users"])

KIND = "user"
NOT_FOUND = {404: {"description": "No such user, or not yours to see"}}
#: The accounts an intermediary may open: never one with more rights than their own (a
#: professional sees only their own profile).
INTERMEDIARY_MAY_CREATE = (Role.student, Role.sme, Role.professional)
#: /users/me is the caller's own account (auth.py); a user with this id could not be reached.
RESERVED_IDS = {"me"}


class UserActive(SQLModel):
    """Whether an account may log in and call the API."""

    is_active: bool


@router.get("", responses={**AUTH, **ROLE})
def list_users(session: SessionDep, actor: Manager, page: PageDep) -> UsersPublic:
    """Accounts: admins see all, intermediaries those of their communities."""
    query = select(User).where(member_filter(actor, User.id, KIND))
    rows, count = paginate(session, query, page, User.created_at, User.id)
    return UsersPublic(data=[user_public(session, row) for row in rows], count=count)


def _check_role(actor: Actor, role: Role) -> None:
    if not actor.is_admin and role not in INTERMEDIARY_MAY_CREATE:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"role: an intermediary cannot create a {role} account"
        )


def _check_email_free(session: Session, email: str) -> None:
    found = session.exec(select(User.id).where(func.lower(User.email) == email)).first()
    if found is not None:
        # Not whose, nor in which community: the same words for any taken address.
        raise HTTPException(status.HTTP_409_CONFLICT, "email: this address cannot be used")


def _check_organisation(session: Session, body: UserCreate, community_ids: list[str]) -> None:
    """An SME account needs its organisation, and any organisation must be one of the
    account's communities (else the account would act for an organisation elsewhere)."""
    if body.organisation_id is None:
        if body.role == Role.sme:
            raise HTTPException(422, "organisation_id: an SME account needs its organisation")
        return
    org = session.get(Organisation, body.organisation_id)
    if org is None or not community_ids_of(session, org.id, "organisation") & set(community_ids):
        raise HTTPException(
            422, f"organisation_id: {body.organisation_id} is not in the account's communities"
        )


@router.post(
    "",
    status_code=201,
    responses={
        **AUTH,
        403: {"description": "Role may not do this, or may not create this role"},
        409: {"description": "The email or id has an account already"},
        422: {
            "description": "Invalid field values, an SME account without its organisation, or "
            "a community that is unknown or not one of yours"
        },
    },
)
def create_user(session: SessionDep, actor: Manager, body: UserCreate) -> UserPublic:
    """Open an account: admins any role in any community; intermediaries students and SMEs
    in communities they manage."""
    _check_role(actor, body.role)
    if not actor.is_admin and not body.community_ids:
        raise HTTPException(422, "community_ids: name at least one community you manage")
    community_ids = require_communities(session, actor, body.community_ids, manage=True)
    _check_organisation(session, body, community_ids)
    email = body.email.lower()  # login looks the email up in lower case
    _check_email_free(session, email)
    values = body.model_dump(exclude={"id", "password", "community_ids", "email"})
    user = User(**values, email=email, hashed_password=hash_password(body.password))
    if chosen_id(actor, body.id):
        if body.id in RESERVED_IDS:
            raise HTTPException(422, f"id: {body.id} is reserved")
        check_new_member_id(session, body.id)
        user.id = body.id
    session.add(user)
    add_memberships(session, user.id, KIND, community_ids)
    commit_or_conflict(session, "An account with this email or id")
    return user_public(session, user)


def _visible_user(session: Session, actor: Actor, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise not_found("User", user_id)
    if user.id == actor.id or actor.is_admin:
        return user
    if actor.role is Role.intermediary and actor.shares_community(
        community_ids_of(session, user.id, KIND)
    ):
        return user
    raise not_found("User", user_id)


@router.get("/{user_id}", responses={**AUTH, **NOT_FOUND})
def read_user(session: SessionDep, actor: CurrentUser, user_id: str) -> UserPublic:
    """One account: one's own, any for admins, those of their communities for intermediaries."""
    return user_public(session, _visible_user(session, actor, user_id))


@router.patch(
    "/{user_id}/active",
    responses={
        **AUTH,
        **ROLE,
        404: {"description": "No such user"},
        409: {"description": "An admin cannot disable their own account"},
    },
)
def set_user_active(
    session: SessionDep, actor: Admin, user_id: str, body: UserActive
) -> UserPublic:
    """Disable or enable an account (admins). A disabled account's tokens and API keys stop
    working at once."""
    user = session.get(User, user_id)
    if user is None:
        raise not_found("User", user_id)
    if user.id == actor.id and not body.is_active:
        # Would lock out the caller, and with the last admin, everyone.
        raise HTTPException(status.HTTP_409_CONFLICT, "You cannot disable your own account")
    user.is_active = body.is_active
    session.add(user)
    session.commit()
    return user_public(session, user)
