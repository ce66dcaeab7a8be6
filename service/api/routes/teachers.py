"""Teachers (docenten) who supervise teams: list, create, read, edit, delete.

Intermediaries keep the teachers of their communities (admins: all)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import select

from service.api.deps import Manager, PageDep, SessionDep
from service.api.paging import paginate
from service.api.routes.common import AUTH, INVALID, ROLE
from service.domain.tables import (
    Teacher,
    TeacherCreate,
    TeacherPublic,
    TeachersPublic,
    TeacherUpdate,
)
from service.usecases import teachers

router = APIRouter(prefix="/teachers", tags=["teachers"])

NOT_FOUND = {404: {"description": "No such teacher, or not of a community you manage"}}


@router.get("", responses={**AUTH, **ROLE})
def list_teachers(
    session: SessionDep, actor: Manager, page: PageDep, community_id: str | None = None
) -> TeachersPublic:
    """Teachers of the caller's communities (admins: all), optionally of one."""
    query = select(Teacher).where(*teachers.teacher_filter(actor, community_id))
    rows, count = paginate(session, query, page, Teacher.full_name, Teacher.id)
    return TeachersPublic(data=teachers.teachers_public(session, rows), count=count)


@router.post(
    "",
    status_code=201,
    responses={
        **AUTH,
        **ROLE,
        409: {"description": "A member with this id exists already"},
        422: {"description": "Invalid field values, or a community unknown or not yours"},
    },
)
def create_teacher(session: SessionDep, actor: Manager, body: TeacherCreate) -> TeacherPublic:
    """Register a teacher in communities the caller manages (admins: any)."""
    return teachers.create_teacher(session, actor, body)


@router.get("/{teacher_id}", responses={**AUTH, **ROLE, **NOT_FOUND})
def read_teacher(session: SessionDep, actor: Manager, teacher_id: str) -> TeacherPublic:
    """One teacher of a community the caller manages."""
    return teachers.read_teacher(session, actor, teacher_id)


@router.patch("/{teacher_id}", responses={**AUTH, **ROLE, **NOT_FOUND, **INVALID})
def update_teacher(
    session: SessionDep, actor: Manager, teacher_id: str, changes: TeacherUpdate
) -> TeacherPublic:
    """Edit a teacher (admins; intermediaries of all of the teacher's communities)."""
    return teachers.update_teacher(session, actor, teacher_id, changes)


@router.delete("/{teacher_id}", status_code=204, responses={**AUTH, **ROLE, **NOT_FOUND})
def delete_teacher(session: SessionDep, actor: Manager, teacher_id: str) -> None:
    """Delete a teacher and their memberships."""
    teachers.delete_teacher(session, actor, teacher_id)
