"""Checks and steps every edit shares: client-chosen ids, communities, changes, commits."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from service.domain.actor import Actor
from service.domain.errors import Conflict, Forbidden, Invalid, unknown_reference
from service.domain.tables import (
    Community,
    Membership,
    Organisation,
    Professional,
    ResearchGroup,
    StudentProfile,
    Suggestion,
    SuggestionStatus,
    Teacher,
    User,
)

#: Client-chosen ids: safe in a URL path segment.
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
MEMBER_TABLES = (User, Organisation, StudentProfile, ResearchGroup, Teacher, Professional)


def chosen_id(actor: Actor, id_: str | None) -> str | None:
    """The id a client chose for a new object, or None for one the server makes.

    Only admins choose ids: they see every object, so a taken id tells them nothing. Anyone
    else gets the same 422 for any id, taken or not, and the id is never looked up: a 409
    would tell them that an object of another community has it."""
    if id_ is None or actor.is_admin:
        return id_
    raise Invalid("id: ids are made by the server; leave the field out")


def check_id_syntax(id_: str) -> None:
    """422 for a client-chosen id that could not be used in a URL such as /students/{id}."""
    if not ID_PATTERN.fullmatch(id_):
        raise Invalid("id: use letters, digits, '_', '.' and '-' only")


def check_new_member_id(session: Session, id_: str) -> None:
    """409 when a client-chosen id is taken by any user, organisation, student or research group.

    Memberships are keyed by member id alone (whatever the kind), so a second member with the
    same id would silently share the first one's communities, and with them its access.
    """
    check_id_syntax(id_)
    taken = any(session.get(table, id_) is not None for table in MEMBER_TABLES)
    if taken or session.exec(select(Membership).where(Membership.member_id == id_)).first():
        raise Conflict(f"id: {id_} exists already")


def require_communities(
    session: Session, actor: Actor, community_ids: Iterable[str], *, manage: bool
) -> list[str]:
    """The communities, without repeats, checked one by one: 422 on `community_ids` for one
    that does not exist or that the caller is not in; with `manage`, 403 for one the caller is
    in but does not manage."""
    wanted = list(dict.fromkeys(community_ids))
    for community_id in wanted:
        if session.get(Community, community_id) is None or not actor.in_community(community_id):
            raise unknown_reference("community_ids", "community", community_id)
        if manage and not actor.manages({community_id}):
            raise Forbidden(f"community_ids: you do not manage {community_id}")
    return wanted


def add_memberships(session: Session, member_id: str, kind: str, community_ids: Iterable[str]):
    """Put a member into communities (added to the session, not committed)."""
    for community_id in community_ids:
        session.add(Membership(community_id=community_id, member_id=member_id, kind=kind))


def apply_changes(row: SQLModel, base: type[SQLModel], changes: SQLModel) -> None:
    """Set the fields a client sent, after validating the row as it would become.

    The merged check catches what the partial update cannot: rules across fields (a period's
    order) and an explicit null for a required field. Only fields of the update model exist in
    `changes`, so ids, owners and embeddings can never be set this way.
    """
    values = changes.model_dump(exclude_unset=True)
    merged = {**base.model_validate(row).model_dump(), **values}
    try:
        base.model_validate(merged)
    except ValidationError as error:
        # Without the input: it holds dates, which a JSON answer cannot carry.
        detail = error.errors(include_url=False, include_context=False, include_input=False)
        raise Invalid(detail) from None
    for field, value in values.items():
        setattr(row, field, value)


def commit_or_conflict(session: Session, what: str) -> None:
    """Commit; a unique key that a concurrent request took first becomes a 409, not a 500."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"{what} exists already") from None


def refuse_if_reviewed(session: Session, condition, what: str) -> None:
    """409 when any suggestion matching `condition` has been reviewed: its decisions are the
    community's record and the labelled data of the re-ranker, and deleting would erase them."""
    reviewed = session.exec(
        select(Suggestion.id).where(condition, Suggestion.status != SuggestionStatus.suggested)
    ).first()
    if reviewed is not None:
        raise Conflict(
            f"{what} has reviewed matches (e.g. {reviewed}); close it instead of deleting it",
        )
