"""Professionals: an SME's employees and managers (werknemers, leidinggevenden) who learn in the
community, beside students and teachers.

Who sees a profile: admins, the intermediaries of its communities, the SME that employs the
professional (read and register only: an employer does not edit what an employee wants to
learn), and the professional themself (read and edit, as a student their own profile). A
monitor never sees a person; students do not see professionals."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, true
from sqlmodel import Session, delete, select

from service.domain.actor import Actor
from service.domain.errors import Forbidden, Invalid, not_found, unknown_reference
from service.domain.meeting_tables import Invitation
from service.domain.tables import (
    Challenge,
    ChallengeStatus,
    LearningSuggestion,
    Membership,
    Organisation,
    OrganisationKind,
    Professional,
    ProfessionalBase,
    ProfessionalCreate,
    ProfessionalPublic,
    ProfessionalUpdate,
    Role,
    StudentProfile,
    User,
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
from service.usecases.matching import Matching
from service.usecases.members import in_community, page_with_communities, with_communities

KIND = "professional"


def _public(professional: Professional, community_ids: set[str]) -> ProfessionalPublic:
    return with_communities(ProfessionalPublic, professional, community_ids)


def professionals_public(session: Session, rows: list[Professional]) -> list[ProfessionalPublic]:
    """Professionals as clients see them, their communities read in one query."""
    return page_with_communities(session, ProfessionalPublic, rows, KIND)


def _is_self(actor: Actor, professional: Professional) -> bool:
    return actor.role is Role.professional and professional.user_id == actor.id


def _is_employer(actor: Actor, professional: Professional, communities: set[str]) -> bool:
    """The SME that employs them, while it is in one of their communities."""
    return (
        actor.role is Role.sme
        and actor.user.organisation_id is not None
        and actor.user.organisation_id == professional.organisation_id
        and actor.shares_community(communities)
    )


def professional_filter(actor: Actor, community_id: str | None) -> list[ColumnElement[bool]]:
    """The conditions of a listing: what the caller may see, optionally of one community."""
    if actor.role in (Role.admin, Role.intermediary):
        conditions = [member_filter(actor, Professional.id, KIND)]
    elif actor.role is Role.sme and actor.user.organisation_id:
        conditions = [
            and_(
                Professional.organisation_id == actor.user.organisation_id,
                member_filter(actor, Professional.id, KIND),
            )
        ]
    elif actor.role is Role.professional:
        conditions = [Professional.user_id == actor.id]
    else:
        conditions = [false()]
    if community_id:
        conditions.append(in_community(Professional.id, KIND, community_id))
    return conditions or [true()]


def visible_professional(session: Session, actor: Actor, professional_id: str) -> Professional:
    """A profile the caller may read; 404 for anyone else (an unseen one does not exist)."""
    professional = session.get(Professional, professional_id)
    if professional is None:
        raise not_found("Professional", professional_id)
    communities = community_ids_of(session, professional_id, KIND)
    if not (
        actor.manages(communities)
        or _is_self(actor, professional)
        or _is_employer(actor, professional, communities)
    ):
        raise not_found("Professional", professional_id)
    return professional


def learner_professional(session: Session, actor: Actor, professional_id: str) -> Professional:
    """A profile whose learning the caller may follow: the professional themself and the
    intermediaries of their communities (admins). Not the employer: what an employee would
    like to learn elsewhere is theirs to tell."""
    professional = session.get(Professional, professional_id)
    if professional is None or not (
        _is_self(actor, professional)
        or actor.manages(community_ids_of(session, professional_id, KIND))
    ):
        raise not_found("Professional", professional_id)
    return professional


def read_professional(session: Session, actor: Actor, professional_id: str) -> ProfessionalPublic:
    professional = visible_professional(session, actor, professional_id)
    return _public(professional, community_ids_of(session, professional_id, KIND))


def check_organisation(session: Session, organisation_id: str, community_ids: list[str]) -> None:
    """422 on `organisation_id` unless it is an SME in every one of the communities."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind != OrganisationKind.sme:
        raise unknown_reference("organisation_id", "SME organisation", organisation_id)
    outside = set(community_ids) - community_ids_of(session, organisation_id, "organisation")
    if outside:
        raise Invalid(
            f"organisation_id: {organisation_id} is not in community {sorted(outside)[0]}"
        )


def _check_login(session: Session, actor: Actor, user_id: str) -> None:
    """422 on `user_id` unless it is a professional's login the caller may link (admins: any;
    intermediaries: one of a community they manage)."""
    user = session.get(User, user_id)
    if (
        user is None
        or user.role != Role.professional
        or not actor.manages(community_ids_of(session, user_id, "user"))
    ):
        raise unknown_reference("user_id", "professional's login", user_id)


def create_professional(
    session: Session, actor: Actor, body: ProfessionalCreate
) -> ProfessionalPublic:
    """Register a professional: intermediaries in communities they manage (admins: any), an
    SME its own employees in its own communities."""
    if actor.role is Role.sme:
        if body.organisation_id != actor.user.organisation_id:
            raise Forbidden("organisation_id: you register only your own organisation's staff")
        if body.user_id is not None:
            raise Forbidden("user_id: an intermediary links a login")
        community_ids = require_communities(session, actor, body.community_ids, manage=False)
    else:
        community_ids = require_communities(session, actor, body.community_ids, manage=True)
    check_organisation(session, body.organisation_id, community_ids)
    if body.user_id is not None:
        _check_login(session, actor, body.user_id)
    professional = Professional(**body.model_dump(exclude={"id", "community_ids"}))
    if chosen_id(actor, body.id):
        check_new_member_id(session, body.id)
        professional.id = body.id
    session.add(professional)
    add_memberships(session, professional.id, KIND, community_ids)
    commit_or_conflict(session, f"Professional {professional.id}")
    return _public(professional, set(community_ids))


def update_professional(
    session: Session, actor: Actor, professional_id: str, changes: ProfessionalUpdate
) -> ProfessionalPublic:
    """Edit a profile: the professional themself, intermediaries of all of its communities,
    admins. The employer reads only."""
    professional = visible_professional(session, actor, professional_id)
    communities = community_ids_of(session, professional_id, KIND)
    if not _is_self(actor, professional):
        if not actor.manages(communities):
            raise Forbidden("Only the professional and their intermediaries edit this profile")
        require_whole(actor, communities, "Professional", professional_id)
    apply_changes(professional, ProfessionalBase, changes)
    professional.updated_at = utcnow()
    session.add(professional)
    session.commit()
    return _public(professional, communities)


def delete_professional(session: Session, actor: Actor, professional_id: str) -> None:
    """Delete a profile and its memberships (admins; intermediaries of all its communities)."""
    professional = visible_professional(session, actor, professional_id)
    communities = community_ids_of(session, professional_id, KIND)
    if not actor.manages(communities):
        raise Forbidden("Only intermediaries and admins delete a professional")
    require_whole(actor, communities, "Professional", professional_id)
    session.exec(
        delete(Membership).where(Membership.member_id == professional_id, Membership.kind == KIND)
    )
    # Their meeting invitations name them: they go with the profile.
    session.exec(
        delete(Invitation).where(
            Invitation.invitee_kind == KIND, Invitation.invitee_id == professional_id
        )
    )
    session.delete(professional)
    session.commit()


# -- learning suggestions: the student's matcher, the other way round -------------------------


def as_query(professional: Professional) -> StudentProfile:
    """The professional as the query a student's profile is: what they want to learn in the
    place of the student's "about", the skills they bring as the student's skills. A transient
    row, never added to the session: nothing of it is stored or indexed."""
    return StudentProfile(
        id=professional.id,
        full_name=professional.full_name,
        programme=professional.job_title or professional.job_role,
        level="hbo",
        about=professional.learning_wishes,
        skills=list(professional.skills),
        interests=[],
    )


def learning_suggestions(
    session: Session, matching: Matching, actor: Actor, professional_id: str, *, k: int = 10
) -> list[LearningSuggestion]:
    """Published challenges of the professional's communities, of organisations other than
    their own, ranked by what they want to learn, with the reason (shared skills, terms)."""
    professional = learner_professional(session, actor, professional_id)
    communities = sorted(community_ids_of(session, professional_id, KIND))
    if actor.role is Role.intermediary:  # only what the caller's communities hold
        communities = [c for c in communities if c in actor.community_ids]
    if not communities:
        return []
    allowed = set(
        session.exec(
            select(Challenge.id).where(
                Challenge.status == ChallengeStatus.published,
                Challenge.community_id.in_(communities),
                Challenge.organisation_id != professional.organisation_id,
            )
        )
    )
    if not allowed:
        return []
    matches = matching.rank(
        "challenge",
        "student",
        as_query(professional),
        k=k,
        filters={"community": communities},
        allowed=allowed,
    )
    found = []
    for match in matches:
        challenge = session.get(Challenge, match.id)
        if challenge is None:
            continue
        found.append(
            LearningSuggestion(
                challenge_id=challenge.id,
                title=challenge.title,
                organisation_id=challenge.organisation_id,
                community_id=challenge.community_id,
                score=round(float(match.score), 4),
                shared_skills=[tag.label for tag in match.explanation.shared_skills],
                matching_terms=list(match.explanation.matching_terms),
            )
        )
    return found
