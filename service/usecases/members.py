"""What the directories of members (organisations, research groups, teachers) share: a row as
clients see it, with its communities, and the listing condition of one community."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import ColumnElement
from sqlmodel import Session, SQLModel, select

from service.domain.tables import Membership
from service.usecases.matching import memberships

Public = TypeVar("Public", bound=SQLModel)


def with_communities(public: type[Public], row: SQLModel, community_ids: set[str]) -> Public:
    """The row as its public model, with its communities sorted."""
    return public.model_validate(row, update={"community_ids": sorted(community_ids)})


def page_with_communities(
    session: Session, public: type[Public], rows: Sequence[SQLModel], kind: str
) -> list[Public]:
    """`with_communities` for a page of rows, their communities read in one query."""
    found = memberships(session, [row.id for row in rows], kind)
    return [with_communities(public, row, found[row.id]) for row in rows]


def in_community(id_column, kind: str, community_id: str) -> ColumnElement[bool]:
    """SQL condition: the member is in that community."""
    members = select(Membership.member_id).where(
        Membership.kind == kind, Membership.community_id == community_id
    )
    return id_column.in_(members)
