"""Turning table rows into what clients see (with their community ids)."""

from __future__ import annotations

from sqlmodel import Session, select

from service.domain.tables import StudentProfile, User, UserPublic
from service.usecases.access import community_ids_of


def user_public(session: Session, user: User) -> UserPublic:
    """A user as clients see it: no password hash, with communities and student profile."""
    student_id = session.exec(
        select(StudentProfile.id).where(StudentProfile.user_id == user.id)
    ).first()
    return UserPublic.model_validate(
        user,
        update={
            "community_ids": sorted(community_ids_of(session, user.id, "user")),
            "student_id": student_id,
        },
    )
