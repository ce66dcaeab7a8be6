"""Student profiles: list, create, read, edit, delete, and the communities a profile is in.

A student keeps their own profile; intermediaries keep the profiles of their communities.
Profiles are embedded and kept in the live index, so challenges can be matched to them.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import Field, Session, SQLModel, delete, select

from service.api.deps import CurrentUser, Manager, PageDep, SessionDep
from service.api.paging import paginate
from service.api.routes.common import AUTH, INVALID, ROLE
from service.domain.actor import Actor
from service.domain.errors import unknown_reference
from service.domain.tables import (
    Level,
    Membership,
    Role,
    StudentCreate,
    StudentProfile,
    StudentPublic,
    StudentsPublic,
    StudentUpdate,
    User,
    utcnow,
)
from service.storage.db import scrub_wal
from service.usecases import audit
from service.usecases.access import (
    community_ids_of,
    editable_student,
    student_filter,
    visible_student,
)
from service.usecases.editing import add_memberships, require_communities
from service.usecases.matching import memberships
from service.usecases.privacy import erase_student
from service.usecases.profiles import create_student as create_student_profile
from service.usecases.profiles import update_student as update_student_profile

router = APIRouter(prefix="/students", tags=["students"])

KIND = "student"
NOT_FOUND = {404: {"description": "No such student profile, or not yours to see"}}


class StudentCommunities(SQLModel):
    """The complete list of communities a profile belongs to."""

    community_ids: list[str] = Field(min_length=1)


def _public(student: StudentProfile, community_ids: set[str]) -> StudentPublic:
    return StudentPublic.model_validate(student, update={"community_ids": sorted(community_ids)})


def student_public(session: Session, student: StudentProfile) -> StudentPublic:
    """A profile as clients see it, with its communities (no embedding)."""
    return _public(student, community_ids_of(session, student.id, KIND))


@router.get("", responses=AUTH)
def list_students(
    session: SessionDep,
    actor: CurrentUser,
    page: PageDep,
    community_id: str | None = None,
    level: Level | None = None,
    consent: bool | None = None,
) -> StudentsPublic:
    """Profiles the caller may see: intermediaries their communities', a student their own
    (SMEs get an empty page: they meet students only through approved suggestions)."""
    query = select(StudentProfile).where(student_filter(actor))
    if community_id:
        in_community = select(Membership.member_id).where(
            Membership.kind == KIND, Membership.community_id == community_id
        )
        query = query.where(StudentProfile.id.in_(in_community))
    if level:
        query = query.where(StudentProfile.level == level)
    if consent is not None:
        query = query.where(StudentProfile.consent_matching == consent)
    rows, count = paginate(session, query, page, StudentProfile.full_name, StudentProfile.id)
    audit.record_student_views(session, actor, [row.id for row in rows], "student.list", "list")
    found = memberships(session, [row.id for row in rows], KIND)  # one query for the whole page
    return StudentsPublic(data=[_public(row, found[row.id]) for row in rows], count=count)


def _own_profile(actor: Actor, body: StudentCreate) -> str:
    """The user id of a student's own new profile: one profile per student."""
    if body.user_id not in (None, actor.id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "user_id: a student creates their own")
    if actor.student_id is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"You have a student profile already: {actor.student_id}"
        )
    return actor.id


def _linked_user(session: Session, actor: Actor, user_id: str | None) -> str | None:
    """The login a manager links to a new profile: a student-role user without a profile,
    whom the caller can see."""
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or not actor.shares_community(community_ids_of(session, user_id, "user")):
        raise unknown_reference("user_id", "user", user_id)
    if user.role != Role.student:
        raise HTTPException(422, f"user_id: {user_id} is not a student's account")
    taken = session.exec(select(StudentProfile.id).where(StudentProfile.user_id == user_id))
    if taken.first() is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"user_id: {user_id} has a profile already")
    return user_id


@router.post(
    "",
    status_code=201,
    responses={
        **AUTH,
        **ROLE,
        409: {"description": "The id is taken, or the user has a profile already"},
        422: {
            "description": "Invalid field values, or a community or user that is unknown or "
            "not one of yours"
        },
    },
)
def create_student(
    request: Request, session: SessionDep, actor: CurrentUser, body: StudentCreate
) -> StudentPublic:
    """Create a profile: a student their own, in their own communities; an intermediary one in
    communities they manage, optionally linked to a student's account."""
    if actor.role is Role.sme:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "SMEs cannot create student profiles")
    if actor.role is Role.monitor:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "A programme's monitor reads figures only")
    if actor.role is Role.student:
        user_id = _own_profile(actor, body)
        community_ids = require_communities(session, actor, body.community_ids, manage=False)
    else:
        community_ids = require_communities(session, actor, body.community_ids, manage=True)
        user_id = _linked_user(session, actor, body.user_id)
    student = create_student_profile(
        session,
        request.app.state.matching,
        actor,
        body,
        user_id=user_id,
        community_ids=community_ids,
    )
    return _public(student, set(community_ids))


@router.get("/{student_id}", responses={**AUTH, **NOT_FOUND})
def read_student(session: SessionDep, actor: CurrentUser, student_id: str) -> StudentPublic:
    """One profile: the student themself, intermediaries of their communities, admins. A read
    by anyone but the student is written to the audit log."""
    student = visible_student(session, actor, student_id)
    audit.record_student_views(session, actor, [student.id], "student.view", "profile read")
    return student_public(session, student)


#: A profile of several communities, changed by an intermediary of only some of them.
SHARED = {403: {"description": "The profile is also in a community you do not manage"}}


@router.patch("/{student_id}", responses={**AUTH, **SHARED, **NOT_FOUND, **INVALID})
def update_student(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    student_id: str,
    changes: StudentUpdate,
) -> StudentPublic:
    """Edit a profile; a changed text is re-embedded, and withdrawn consent takes the profile
    out of matching at once. A profile in several communities is edited by the student, admins
    or an intermediary of all of them (403 for an intermediary of some)."""
    student = editable_student(session, actor, student_id)
    update_student_profile(session, request.app.state.matching, actor, student, changes)
    return student_public(session, student)


def _check_leaving(actor: Actor, current: set[str], wanted: list[str]) -> None:
    """A caller may take a profile out of only the communities they manage."""
    for community_id in sorted(current - set(wanted)):
        if not actor.manages({community_id}):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"community_ids: you do not manage {community_id}; keep it in the list",
            )


@router.put(
    "/{student_id}/communities",
    responses={
        **AUTH,
        403: {"description": "Role may not do this, or a community left out is not yours"},
        404: {"description": "No such student profile, or not yours"},
        **INVALID,
    },
)
def set_student_communities(
    request: Request,
    session: SessionDep,
    actor: Manager,
    student_id: str,
    body: StudentCommunities,
) -> StudentPublic:
    """Set the complete list of communities of a profile (admins, intermediaries of one of
    them); only communities the caller manages may be added or left out."""
    student = visible_student(session, actor, student_id)
    current = community_ids_of(session, student_id, KIND)
    wanted = list(dict.fromkeys(body.community_ids))
    # Only changes need the caller's say: an intermediary of one community keeps the others.
    joining = require_communities(
        session, actor, [c for c in wanted if c not in current], manage=True
    )
    _check_leaving(actor, current, wanted)
    session.exec(
        delete(Membership).where(
            Membership.member_id == student_id,
            Membership.kind == KIND,
            Membership.community_id.not_in(wanted),
        )
    )
    add_memberships(session, student_id, KIND, joining)
    student.updated_at = utcnow()
    session.add(student)
    audit.record(
        session,
        actor,
        "student.communities",
        KIND,
        student.id,
        subject_id=student.id,
        details={"community_ids": sorted(wanted)},
    )
    session.commit()
    request.app.state.matching.sync(KIND, student, set(wanted))
    return _public(student, set(wanted))


@router.delete("/{student_id}", status_code=204, responses={**AUTH, **SHARED, **NOT_FOUND})
def delete_student(
    request: Request, session: SessionDep, actor: CurrentUser, student_id: str
) -> None:
    """Erase a profile (the student themself, intermediaries of their communities, admins):
    the profile, its memberships, every suggestion made for it (whatever its status) and the
    decisions on them, its vector, index entry and cached embeddings. In the audit log its id
    becomes a pseudonym. The student's account stays (an admin erases it with
    DELETE /users/{user_id}). A profile in several communities is erased by the student,
    admins or an intermediary of all of them (403 for an intermediary of some)."""
    student = editable_student(session, actor, student_id)
    erase_student(session, actor, request.app.state.settings.pseudonym_key, student)
    session.commit()
    scrub_wal(request.app.state.engine)
    request.app.state.matching.erase(KIND, student)
