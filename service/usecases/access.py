"""Who may see and change which object. Every route asks here; a "no" is a 404 or 403."""

from __future__ import annotations

from sqlalchemy import and_, false, or_, true
from sqlmodel import Session, select

from service.domain.actor import Actor
from service.domain.errors import Forbidden, not_found
from service.domain.tables import (
    ApprovalMode,
    Challenge,
    ChallengeStatus,
    Community,
    Membership,
    ResearchGroup,
    Response,
    Role,
    StudentProfile,
    Suggestion,
    SuggestionStatus,
    TargetKind,
    Visibility,
)

#: From here on an SME sees a suggested student: an intermediary has approved the match.
SME_VISIBLE = (
    SuggestionStatus.approved,
    SuggestionStatus.introduced,
    SuggestionStatus.accepted,
    SuggestionStatus.declined,
    SuggestionStatus.active,
    SuggestionStatus.completed,
)
#: From here on a student sees a match with them: the intermediary has introduced both sides.
STUDENT_VISIBLE = (
    SuggestionStatus.introduced,
    SuggestionStatus.accepted,
    SuggestionStatus.declined,
    SuggestionStatus.active,
    SuggestionStatus.completed,
)


# -- challenges ----------------------------------------------------------------------------


def community_ids_of(session: Session, member_id: str, kind: str) -> set[str]:
    """The communities a user, organisation, student or research group belongs to.

    The kind is part of the question: ids are chosen by clients too, and a membership must
    never count for a member of another kind that happens to share the id.
    """
    query = select(Membership.community_id).where(
        Membership.member_id == member_id, Membership.kind == kind
    )
    return set(session.exec(query))


def challenge_filter(actor: Actor):
    """SQL condition for the challenges the actor may see."""
    if actor.is_admin:
        return true()
    in_community = Challenge.community_id.in_(actor.community_ids)
    if actor.role is Role.intermediary:
        return in_community
    published = and_(in_community, Challenge.status == ChallengeStatus.published)
    if actor.role is Role.sme and actor.user.organisation_id:
        return or_(Challenge.organisation_id == actor.user.organisation_id, published)
    return published


def can_see_challenge(actor: Actor, challenge: Challenge) -> bool:
    if actor.is_admin or can_edit_challenge(actor, challenge):
        return True
    return (
        actor.in_community(challenge.community_id) and challenge.status == ChallengeStatus.published
    )


def can_edit_challenge(actor: Actor, challenge: Challenge) -> bool:
    """Admins, intermediaries of its community, and the SME that owns it."""
    if actor.manages({challenge.community_id}):
        return True
    return (
        actor.role is Role.sme
        and actor.user.organisation_id is not None
        and challenge.organisation_id == actor.user.organisation_id
    )


def visible_challenge(session: Session, actor: Actor, challenge_id: str) -> Challenge:
    challenge = session.get(Challenge, challenge_id)
    if challenge is None or not can_see_challenge(actor, challenge):
        raise not_found("Challenge", challenge_id)
    return challenge


def editable_challenge(session: Session, actor: Actor, challenge_id: str) -> Challenge:
    challenge = visible_challenge(session, actor, challenge_id)
    if not can_edit_challenge(actor, challenge):
        raise not_found("Challenge", challenge_id)
    return challenge


# -- students ------------------------------------------------------------------------------


def member_filter(actor: Actor, id_column, kind: str):
    """SQL condition: the row belongs to one of the actor's communities (all for admins)."""
    if actor.is_admin:
        return true()
    members = select(Membership.member_id).where(
        Membership.kind == kind, Membership.community_id.in_(actor.community_ids)
    )
    return id_column.in_(members)


def student_filter(actor: Actor):
    """SQL condition for the student profiles the actor may see."""
    if actor.role in (Role.admin, Role.intermediary):
        return member_filter(actor, StudentProfile.id, "student")
    if actor.role is Role.student and actor.student_id:
        return StudentProfile.id == actor.student_id
    return false()


def can_edit_student(session: Session, actor: Actor, student: StudentProfile) -> bool:
    """The student themself, intermediaries of their communities, admins."""
    if actor.student_id == student.id:
        return True
    return actor.manages(community_ids_of(session, student.id, "student"))


def visible_student(session: Session, actor: Actor, student_id: str) -> StudentProfile:
    """A profile the actor may see (and change, if it is in no other community: see
    `editable_student`); SMEs never reach a profile this way."""
    student = session.get(StudentProfile, student_id)
    if student is None or not can_edit_student(session, actor, student):
        raise not_found("Student", student_id)
    return student


def editable_student(session: Session, actor: Actor, student_id: str) -> StudentProfile:
    """A profile the actor may edit or erase: the student themself, admins, and intermediaries
    who manage every community it is in (see `require_whole`)."""
    student = visible_student(session, actor, student_id)
    require_whole(actor, community_ids_of(session, student_id, "student"), "Student", student_id)
    return student


def require_whole(actor: Actor, community_ids: set[str], what: str, id_: str) -> None:
    """A change to a member as a whole (edit, delete) of several communities: only for whoever
    manages every one of them (admins; an intermediary of all), since it changes what the
    others see too. 403 for an intermediary of some of them (who may see the member and its
    communities already), 404 for anyone else."""
    if actor.is_admin or actor.student_id == id_:
        return
    if not actor.manages(community_ids):
        raise not_found(what, id_)
    if not community_ids <= actor.community_ids:
        raise Forbidden(
            f"{what} {id_} is also in a community you do not manage: only its intermediaries "
            "together (or an admin) may change or delete it; take it out of your own "
            "community instead",
        )


def seen_in(actor: Actor) -> set[str] | None:
    """The communities in which the caller sees what hangs on a member (its suggestions, the
    decisions on them): None for all (admins), else the caller's own. A member of several
    communities is seen by each community's people in theirs only."""
    return None if actor.is_admin else set(actor.community_ids)


# -- research groups -----------------------------------------------------------------------


def visible_research_group(session: Session, actor: Actor, group_id: str) -> ResearchGroup:
    group = session.get(ResearchGroup, group_id)
    if group is None or not actor.shares_community(
        community_ids_of(session, group_id, "research_group")
    ):
        raise not_found("Research group", group_id)
    return group


def editable_research_group(session: Session, actor: Actor, group_id: str) -> ResearchGroup:
    """A research group the actor may change or delete: see `require_whole`."""
    group = visible_research_group(session, actor, group_id)
    communities = community_ids_of(session, group_id, "research_group")
    require_whole(actor, communities, "Research group", group_id)
    return group


# -- suggestions ---------------------------------------------------------------------------

#: Communities whose SMEs see suggested students before an intermediary approved them.
OPEN_COMMUNITIES = select(Community.id).where(Community.approval_mode == ApprovalMode.open)
#: What an SME sees instead of a student's name it may not see (see `student_name_for`).
NAME_FOR_INTERMEDIARIES = "Student (naam alleen voor de intermediair)"
NAME_AFTER_APPROVAL = "Student (naam na goedkeuring door de intermediair)"


def suggestion_filter(actor: Actor):
    """SQL condition for the suggestions the actor may see.

    The approval gate: an SME sees a suggested student only once an intermediary approved the
    match, unless the community's `approval_mode` is "open" (then also while it is suggested;
    a rejected one never)."""
    if actor.is_admin:
        return true()
    if actor.role is Role.intermediary:
        return Suggestion.community_id.in_(actor.community_ids)
    if actor.role is Role.sme and actor.user.organisation_id:
        own = select(Challenge.id).where(Challenge.organisation_id == actor.user.organisation_id)
        return and_(
            Suggestion.challenge_id.in_(own),
            or_(
                Suggestion.target_kind == TargetKind.research_group,
                Suggestion.status.in_(SME_VISIBLE),
                and_(
                    Suggestion.status == SuggestionStatus.suggested,
                    Suggestion.community_id.in_(OPEN_COMMUNITIES),
                ),
            ),
        )
    if actor.role is Role.student and actor.student_id:
        return and_(
            Suggestion.target_kind == TargetKind.student,
            Suggestion.target_id == actor.student_id,
            Suggestion.status.in_(STUDENT_VISIBLE),
        )
    return false()


def visible_suggestion(session: Session, actor: Actor, suggestion_id: str) -> Suggestion:
    found = session.exec(
        select(Suggestion).where(Suggestion.id == suggestion_id, suggestion_filter(actor))
    ).first()
    if found is None:
        raise not_found("Suggestion", suggestion_id)
    return found


def is_open_community(session: Session, community_id: str) -> bool:
    """Whether the community lets its SMEs see suggested students without approval."""
    community = session.get(Community, community_id)
    return community is not None and community.approval_mode == ApprovalMode.open


def challenge_for_student_suggestions(
    session: Session, actor: Actor, challenge_id: str
) -> Challenge:
    """The challenge whose ranked students the actor may ask for: intermediaries of its
    community and admins; in an "open" community also the SME that owns it (403 for every
    other SME and for students, 404 for an intermediary of another community)."""
    if actor.role in (Role.intermediary, Role.admin):
        challenge = visible_challenge(session, actor, challenge_id)
        if not actor.manages({challenge.community_id}):
            raise not_found("Challenge", challenge_id)
        return challenge
    if actor.role is Role.sme:
        challenge = session.get(Challenge, challenge_id)
        if (
            challenge is not None
            and can_edit_challenge(actor, challenge)
            and is_open_community(session, challenge.community_id)
        ):
            return challenge
    raise Forbidden(
        "Only intermediaries see suggested students (and, in a community with open approval, "
        "the SME that owns the challenge)",
    )


def hides_review_from(actor: Actor, suggestion: Suggestion) -> bool:
    """Whether the viewer is the student a suggestion is about: they see its status only once
    an intermediary introduced it, and an intermediary's reason never (their personal-data
    export is the exception: see `service.usecases.privacy`)."""
    return (
        actor.role is Role.student
        and actor.student_id is not None
        and suggestion.target_kind == TargetKind.student
        and suggestion.target_id == actor.student_id
    )


def student_name_for(actor: Actor, suggestion: Suggestion, student: StudentProfile) -> str:
    """The student's name as this viewer may see it in a suggestion: the name itself, or the
    neutral label that stands in for it.

    Intermediaries, admins and the student see the name. An SME sees it once the student
    agreed to be shown: with visibility "community_after_approval" as soon as an
    intermediary approved the match, with either visibility once the student accepted the
    introduction to this SME. Otherwise the SME sees the match under a neutral label."""
    if actor.role is not Role.sme or actor.student_id == student.id:
        return student.full_name
    if suggestion.target_response == Response.accepted:
        return student.full_name
    if student.visibility == Visibility.community_after_approval:
        if suggestion.status in SME_VISIBLE:
            return student.full_name
        return NAME_AFTER_APPROVAL
    return NAME_FOR_INTERMEDIARIES
