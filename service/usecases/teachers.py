"""Teachers (docenten): members of communities who supervise teams in rounds, with a capacity.

Intermediaries keep the teachers of their communities (admins: all)."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import Session, delete

from service.domain.actor import Actor
from service.domain.errors import not_found
from service.domain.meeting_tables import Invitation
from service.domain.tables import (
    Membership,
    ResearchGroup,
    Teacher,
    TeacherBase,
    TeacherCreate,
    TeacherPublic,
    TeacherUpdate,
    utcnow,
)
from service.usecases.access import community_ids_of, member_filter, require_whole
from service.usecases.editing import (
    add_memberships,
    apply_changes,
    check_new_member_id,
    chosen_id,
    commit_or_conflict,
    require_communities,
)
from service.usecases.members import in_community, page_with_communities, with_communities

KIND = "teacher"


def as_research_line(teacher: Teacher) -> ResearchGroup:
    """The teacher as the matcher reads a research group: their programme in the place of a
    group's name (their own name matches nothing and is personal data), their expertise and
    skills, their themes. A transient row, never added to the session."""
    skills = ", ".join(skill["label"] for skill in teacher.skills)
    expertise = teacher.expertise.strip()
    if skills:
        expertise = f"{expertise} Vaardigheden: {skills}.".strip()
    return ResearchGroup(
        id=teacher.id,
        name=teacher.programme or teacher.institution,
        expertise=expertise,
        themes=list(teacher.themes),
    )


def _public(teacher: Teacher, community_ids: set[str]) -> TeacherPublic:
    return with_communities(TeacherPublic, teacher, community_ids)


def teachers_public(session: Session, rows: list[Teacher]) -> list[TeacherPublic]:
    """Teachers as clients see them, their communities read in one query."""
    return page_with_communities(session, TeacherPublic, rows, KIND)


def teacher_filter(actor: Actor, community_id: str | None) -> list[ColumnElement[bool]]:
    """The conditions of a listing: the teachers of the caller's communities, optionally one."""
    conditions = [member_filter(actor, Teacher.id, KIND)]
    if community_id:
        conditions.append(in_community(Teacher.id, KIND, community_id))
    return conditions


def managed_teacher(session: Session, actor: Actor, teacher_id: str) -> Teacher:
    """A teacher of a community the caller manages; 404 for anyone else."""
    teacher = session.get(Teacher, teacher_id)
    if teacher is None or not actor.manages(community_ids_of(session, teacher_id, KIND)):
        raise not_found("Teacher", teacher_id)
    return teacher


def read_teacher(session: Session, actor: Actor, teacher_id: str) -> TeacherPublic:
    """One teacher of a community the caller manages."""
    teacher = managed_teacher(session, actor, teacher_id)
    return _public(teacher, community_ids_of(session, teacher_id, KIND))


def create_teacher(session: Session, actor: Actor, body: TeacherCreate) -> TeacherPublic:
    """Register a teacher in communities the caller manages (admins: any)."""
    community_ids = require_communities(session, actor, body.community_ids, manage=True)
    teacher = Teacher(**body.model_dump(exclude={"id", "community_ids"}))
    if chosen_id(actor, body.id):
        check_new_member_id(session, body.id)
        teacher.id = body.id
    session.add(teacher)
    add_memberships(session, teacher.id, KIND, community_ids)
    commit_or_conflict(session, f"Teacher {teacher.id}")
    return _public(teacher, set(community_ids))


def update_teacher(
    session: Session, actor: Actor, teacher_id: str, changes: TeacherUpdate
) -> TeacherPublic:
    """Edit a teacher (admins; intermediaries who manage all of the teacher's communities)."""
    teacher = managed_teacher(session, actor, teacher_id)
    communities = community_ids_of(session, teacher_id, KIND)
    require_whole(actor, communities, "Teacher", teacher_id)
    apply_changes(teacher, TeacherBase, changes)
    teacher.updated_at = utcnow()
    session.add(teacher)
    session.commit()
    return _public(teacher, communities)


def delete_teacher(session: Session, actor: Actor, teacher_id: str) -> None:
    """Delete a teacher and their memberships."""
    teacher = managed_teacher(session, actor, teacher_id)
    require_whole(actor, community_ids_of(session, teacher_id, KIND), "Teacher", teacher_id)
    session.exec(
        delete(Membership).where(Membership.member_id == teacher_id, Membership.kind == KIND)
    )
    # Their meeting invitations name them: they go with the profile.
    session.exec(
        delete(Invitation).where(
            Invitation.invitee_kind == KIND, Invitation.invitee_id == teacher_id
        )
    )
    session.delete(teacher)
    session.commit()
