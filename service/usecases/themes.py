"""Continuity: themes (a community's research lines) hold challenges over the years.

When a match completes, its team leaves a hand-over (what was done, what is open, links); an
intermediary or the SME then continues the challenge as a follow-up in a later period, which
carries the theme, the SME, the supervisor and what the team left open (the matcher reads that
too). A theme's chain is its challenges in order, with their teams, results and ratings.

Who sees what: a theme and its chain are for the members of its community (a monitor is in
none, so sees none); team members' names only for the community's intermediaries and admins.
A hand-over is written by a student of the completed match, or an intermediary.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import true
from sqlmodel import Session, select

from service.domain.actor import Actor
from service.domain.errors import Conflict, Forbidden, Invalid, not_found, unknown_reference
from service.domain.tables import (
    ChainLink,
    ChainTeam,
    Challenge,
    ChallengeBase,
    ChallengeStatus,
    Community,
    FollowUpCreate,
    Handover,
    HandoverBase,
    HandoverPublic,
    Organisation,
    ResearchGroup,
    Role,
    StudentProfile,
    Suggestion,
    SuggestionStatus,
    TargetKind,
    Theme,
    ThemeChain,
    ThemeCreate,
    ThemePublic,
    utcnow,
)
from service.usecases import audit
from service.usecases.access import (
    can_edit_challenge,
    can_see_challenge,
    community_ids_of,
    editable_challenge,
    visible_suggestion,
)
from service.usecases.matching import Matching

#: A challenge's team: its students from the moment both sides said yes.
TEAM = (SuggestionStatus.accepted, SuggestionStatus.active, SuggestionStatus.completed)
RUNNING = (SuggestionStatus.accepted, SuggestionStatus.active)


# -- themes -----------------------------------------------------------------------------------


def theme_filter(actor: Actor):
    """SQL condition for the themes the actor may see: those of their communities."""
    if actor.is_admin:
        return true()
    return Theme.community_id.in_(actor.community_ids)


def visible_theme(session: Session, actor: Actor, theme_id: str) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None or not actor.in_community(theme.community_id):
        raise not_found("Theme", theme_id)
    return theme


def create_theme(session: Session, actor: Actor, body: ThemeCreate) -> Theme:
    """A new research line of a community: its intermediaries (and admins) make one."""
    if actor.role not in (Role.intermediary, Role.admin):
        raise Forbidden("Only a community's intermediaries make themes")
    known = session.get(Community, body.community_id) is not None
    if not known or not actor.manages({body.community_id}):
        raise unknown_reference("community_id", "community", body.community_id)
    group_id = body.research_group_id
    if group_id is not None and body.community_id not in community_ids_of(
        session, group_id, "research_group"
    ):
        raise unknown_reference("research_group_id", "research group of the community", group_id)
    theme = Theme(**body.model_dump())
    session.add(theme)
    session.commit()
    return theme


def theme_public(theme: Theme) -> ThemePublic:
    return ThemePublic.model_validate(theme)


def check_theme(session: Session, community_id: str, theme_id: str, field: str) -> Theme:
    """The theme a challenge names: one of the challenge's community (422 on the field)."""
    theme = session.get(Theme, theme_id)
    if theme is None or theme.community_id != community_id:
        raise unknown_reference(field, "theme of the community", theme_id)
    return theme


# -- hand-overs --------------------------------------------------------------------------------


def _writes_handover(session: Session, actor: Actor, suggestion: Suggestion) -> bool:
    """The match's student, or an intermediary of its community (or an admin)."""
    if actor.manages({suggestion.community_id}):
        return True
    return (
        actor.role is Role.student
        and suggestion.target_kind == TargetKind.student
        and actor.student_id is not None
        and suggestion.target_id == actor.student_id
    )


def write_handover(
    session: Session, matching: Matching, actor: Actor, suggestion_id: str, body: HandoverBase
) -> Handover:
    """Write (or rewrite) the team's hand-over on one of its completed matches.

    404 for a match the caller may not see, 403 for one they may see but are not the student
    of (nor an intermediary), 409 until the match is completed. A follow-up that carries what
    was open is brought up to date (and matched on it)."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    if not _writes_handover(session, actor, suggestion):
        raise Forbidden("The hand-over is written by the match's student or an intermediary")
    if suggestion.status != SuggestionStatus.completed:
        raise Conflict(
            f"Cannot write a hand-over: the match is {suggestion.status}; it must be completed"
        )
    handover = session.get(Handover, suggestion.challenge_id)
    if handover is None:
        handover = Handover(challenge_id=suggestion.challenge_id, done=body.done)
    handover.done, handover.open, handover.links = body.done, body.open, list(body.links)
    handover.updated_at = utcnow()
    session.add(handover)
    followers = list(
        session.exec(select(Challenge).where(Challenge.follows_id == suggestion.challenge_id))
    )
    for follower in followers:
        follower.handover_open = body.open
        follower.updated_at = handover.updated_at
    if followers:
        matching.embed("challenge", followers)
        session.add_all(followers)
    audit.record(
        session,
        actor,
        "handover.write",
        "challenge",
        suggestion.challenge_id,
        community_id=suggestion.community_id,
        details={"suggestion": suggestion.id},
    )
    session.commit()
    for follower in followers:
        matching.sync("challenge", follower, {follower.community_id})
    return handover


def readable_challenge(session: Session, actor: Actor, challenge_id: str) -> Challenge:
    """A challenge as part of a chain: the ones the caller sees anyway, and the past ones of
    a theme of their community (a closed challenge of a theme is its history)."""
    challenge = session.get(Challenge, challenge_id)
    if challenge is None or not _in_chain_view(actor, challenge):
        raise not_found("Challenge", challenge_id)
    return challenge


def _in_chain_view(actor: Actor, challenge: Challenge) -> bool:
    if can_see_challenge(actor, challenge):
        return True
    return (
        challenge.theme_id is not None
        and challenge.status == ChallengeStatus.closed
        and actor.in_community(challenge.community_id)
    )


def read_handover(session: Session, actor: Actor, challenge_id: str) -> Handover:
    challenge = readable_challenge(session, actor, challenge_id)
    handover = session.get(Handover, challenge.id)
    if handover is None:
        raise not_found("Hand-over of challenge", challenge_id)
    return handover


# -- follow-ups --------------------------------------------------------------------------------


def has_completed_match(session: Session, challenge_id: str) -> bool:
    found = session.exec(
        select(Suggestion.id).where(
            Suggestion.challenge_id == challenge_id,
            Suggestion.status == SuggestionStatus.completed,
        )
    ).first()
    return found is not None


def follow_up_of(session: Session, challenge_id: str) -> Challenge | None:
    return session.exec(select(Challenge).where(Challenge.follows_id == challenge_id)).first()


def continue_challenge(
    session: Session, matching: Matching, actor: Actor, challenge_id: str, body: FollowUpCreate
) -> Challenge:
    """Continue a completed challenge as a draft follow-up in a later period.

    The follow-up carries the theme, the SME organisation, the supervisor and the hand-over's
    open part; its texts are the predecessor's unless new ones are given. Its intermediaries
    and the owning SME may (404 for others); 409 without a completed match or when a
    follow-up exists already; 422 for a period that does not lie later, or a theme missing
    or not of the community."""
    before = editable_challenge(session, actor, challenge_id)
    if not has_completed_match(session, before.id):
        raise Conflict(f"Challenge {challenge_id} has no completed match to continue")
    if follow_up_of(session, before.id) is not None:
        raise Conflict(f"Challenge {challenge_id} is continued already")
    theme_id = before.theme_id
    if body.theme_id is not None:
        if theme_id is not None and body.theme_id != theme_id:
            raise Invalid("theme_id: the challenge belongs to a theme already; leave it out")
        theme_id = check_theme(session, before.community_id, body.theme_id, "theme_id").id
    if theme_id is None:
        raise Invalid("theme_id: required, the challenge belongs to no theme yet")
    last_day = before.period_end or before.period_start
    if last_day is not None and body.period_start <= last_day:
        raise Invalid(
            f"period_start: must lie after the period it continues (which ends {last_day})"
        )
    values = ChallengeBase.model_validate(before).model_dump()
    values.update(period_start=body.period_start, period_end=body.period_end)
    if body.title is not None:
        values["title"] = body.title
    if body.description is not None:
        values["description"] = body.description
    handover = session.get(Handover, before.id)
    # The supervisor goes along; where none was named, the theme's research group supervises.
    theme = session.get(Theme, theme_id)
    supervisor_id = before.supervisor_id or (theme.research_group_id if theme else None)
    follow_up = Challenge(
        **values,
        community_id=before.community_id,
        organisation_id=before.organisation_id,
        theme_id=theme_id,
        follows_id=before.id,
        supervisor_id=supervisor_id,
        handover_open=handover.open if handover is not None else "",
    )
    before.theme_id = theme_id  # a predecessor of no theme joins the follow-up's
    matching.embed("challenge", [follow_up])
    session.add_all([before, follow_up])
    audit.record(
        session,
        actor,
        "challenge.continue",
        "challenge",
        follow_up.id,
        community_id=before.community_id,
        details={"follows": before.id, "theme": theme_id},
    )
    session.commit()
    matching.sync("challenge", follow_up, {follow_up.community_id})
    return follow_up


def may_continue(session: Session, actor: Actor, challenge: Challenge) -> bool:
    """Whether the page offers this viewer the 'continue' button for the challenge."""
    return (
        can_edit_challenge(actor, challenge)
        and has_completed_match(session, challenge.id)
        and follow_up_of(session, challenge.id) is None
    )


# -- the chain ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Predecessor:
    """What a student sees of the work a challenge continues, before saying yes."""

    challenge_id: str
    title: str
    year: int | None
    team_size: int
    handover: Handover | None


def _year(challenge: Challenge) -> int | None:
    day: date | None = challenge.period_start or challenge.period_end
    return day.year if day is not None else None


def predecessor_of(session: Session, challenge: Challenge) -> Predecessor | None:
    """The challenge this one continues, with its team's size and hand-over (no names)."""
    if challenge.follows_id is None:
        return None
    before = session.get(Challenge, challenge.follows_id)
    if before is None:
        return None
    team = session.exec(
        select(Suggestion.id).where(
            Suggestion.challenge_id == before.id, Suggestion.status.in_(TEAM)
        )
    ).all()
    return Predecessor(
        challenge_id=before.id,
        title=before.title,
        year=_year(before),
        team_size=len(team),
        handover=session.get(Handover, before.id),
    )


def _result(challenge: Challenge, statuses: list[str]) -> str:
    if SuggestionStatus.completed in statuses:
        return "completed"
    if any(status in RUNNING for status in statuses):
        return "running"
    if challenge.status == ChallengeStatus.closed:
        return "none"
    return "open"


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _ordered(challenges: list[Challenge]) -> list[Challenge]:
    """In time: by period (a challenge without one by when it was made), then by id."""
    return sorted(
        challenges,
        key=lambda c: (c.period_start or c.created_at.date(), c.created_at, c.id),
    )


def theme_challenges(session: Session, actor: Actor, theme: Theme) -> list[Challenge]:
    rows = session.exec(select(Challenge).where(Challenge.theme_id == theme.id))
    return _ordered([row for row in rows if _in_chain_view(actor, row)])


def theme_chain(session: Session, actor: Actor, theme_id: str) -> ThemeChain:
    """The theme's challenges in time, each with its team, result, ratings and hand-over.
    Team members' names and the ratings for the community's intermediaries and admins only:
    a team of one's rating is one student's evaluation, personal data like their name."""
    theme = visible_theme(session, actor, theme_id)
    challenges = theme_challenges(session, actor, theme)
    ids = [c.id for c in challenges]
    matches: dict[str, list[Suggestion]] = defaultdict(list)
    if ids:
        for row in session.exec(select(Suggestion).where(Suggestion.challenge_id.in_(ids))):
            matches[row.challenge_id].append(row)
    names_shown = actor.manages({theme.community_id})
    student_ids = {
        s.target_id
        for rows in matches.values()
        for s in rows
        if s.status in TEAM and s.target_kind == TargetKind.student
    }
    names: dict[str, str] = {}
    if names_shown and student_ids:
        names = dict(
            session.exec(
                select(StudentProfile.id, StudentProfile.full_name).where(
                    StudentProfile.id.in_(student_ids)
                )
            ).all()
        )
    organisations = {
        o.id: o.name
        for o in session.exec(
            select(Organisation).where(Organisation.id.in_({c.organisation_id for c in challenges}))
        )
    }
    handovers = {
        h.challenge_id: h
        for h in session.exec(select(Handover).where(Handover.challenge_id.in_(ids)))
    }
    links = []
    for challenge in challenges:
        rows = matches.get(challenge.id, [])
        team = [s for s in rows if s.status in TEAM]
        done = [s for s in rows if s.status == SuggestionStatus.completed]
        members = None
        if names_shown:
            members = [
                names.get(s.target_id, s.target_id)
                if s.target_kind == TargetKind.student
                else s.target_id
                for s in team
            ]
        handover = handovers.get(challenge.id)
        links.append(
            ChainLink(
                challenge_id=challenge.id,
                title=challenge.title,
                status=challenge.status,
                period_start=challenge.period_start,
                period_end=challenge.period_end,
                year=_year(challenge),
                follows_id=challenge.follows_id,
                organisation=organisations.get(challenge.organisation_id, ""),
                team=ChainTeam(size=len(team), members=members),
                result=_result(challenge, [s.status for s in rows]),
                sme_rating=_mean([s.sme_rating for s in done if s.sme_rating is not None])
                if names_shown
                else None,
                team_rating=_mean([s.target_rating for s in done if s.target_rating is not None])
                if names_shown
                else None,
                handover=HandoverPublic.model_validate(handover) if handover else None,
            )
        )
    group = session.get(ResearchGroup, theme.research_group_id) if theme.research_group_id else None
    return ThemeChain(
        theme=theme_public(theme), research_group=group.name if group else None, links=links
    )
