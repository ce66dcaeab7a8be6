"""Creating and changing a student profile: the functions the API and the student's profile
page both call."""

from __future__ import annotations

from sqlmodel import Session

from service.domain.actor import Actor
from service.domain.tables import StudentBase, StudentCreate, StudentProfile, StudentUpdate, utcnow
from service.usecases import audit, round_marks
from service.usecases.access import community_ids_of
from service.usecases.editing import (
    add_memberships,
    apply_changes,
    check_new_member_id,
    chosen_id,
    commit_or_conflict,
)
from service.usecases.matching import Matching
from service.usecases.places import canonical_place
from service.usecases.suggestions import drop_open_suggestions

KIND = "student"


def create_student(
    session: Session,
    matching: Matching,
    actor: Actor,
    body: StudentCreate,
    *,
    user_id: str | None,
    community_ids: list[str],
) -> StudentProfile:
    """Store a new profile for this login (or none) in these communities, embed it and put it
    in the live index. Who may, for which login and communities, is the caller's to check
    (see `service.api.routes.students.create_student`); 409 for an id or a login already taken."""
    values = body.model_dump(exclude={"id", "community_ids", "user_id"})
    values["region"] = canonical_place(values["region"], "region")
    student = StudentProfile(**values, user_id=user_id)
    if chosen_id(actor, body.id):
        check_new_member_id(session, body.id)
        student.id = body.id
    matching.embed(KIND, [student])
    session.add(student)
    add_memberships(session, student.id, KIND, community_ids)
    audit.record(session, actor, "student.create", KIND, student.id, subject_id=student.id)
    commit_or_conflict(session, "A profile with this id or for this user")
    matching.sync(KIND, student, set(community_ids))
    return student


def update_student(
    session: Session,
    matching: Matching,
    actor: Actor,
    student: StudentProfile,
    changes: StudentUpdate,
) -> StudentProfile:
    """Apply the changes the caller sent (who may is the caller's to check: see
    `service.usecases.access.visible_student`), commit, and keep the live index in step.

    A changed text is re-embedded; withdrawn consent takes the profile out of every open
    suggestion at once. The change is written to the audit log. A profile that would become
    invalid as a whole (availability out of order) or names an unknown place is a 422 naming
    the field, unchanged.
    """
    if changes.region is not None:
        changes = changes.model_copy(update={"region": canonical_place(changes.region, "region")})
    consented = student.consent_matching
    apply_changes(student, StudentBase, changes)
    if consented and not student.consent_matching:
        drop_open_suggestions(session, student.id)
        round_marks.drop_marks(session, student.id)
    student.updated_at = utcnow()
    matching.embed(KIND, [student])
    session.add(student)
    fields = sorted(changes.model_dump(exclude_unset=True))
    audit.record(
        session,
        actor,
        "student.update",
        KIND,
        student.id,
        subject_id=student.id,
        details={"fields": fields},
    )
    session.commit()
    matching.sync(KIND, student, community_ids_of(session, student.id, KIND))
    return student
