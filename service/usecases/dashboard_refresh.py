"""The dashboard's background work for one community: rank what was never ranked, then
compute the fairness of exposure over a defined population, and keep the result with its time.

A refresh is a `DashboardRefresh` row: written as "running" when asked for (so the page can say
so, and a second click does not start a second one), then filled in and marked "done" (or
"failed", with the error) by `run_refresh`, which the web layer runs after its answer (a
background task) and a test or a script may run directly (`refresh`).

Ranking what was never ranked stores suggestions exactly as publishing a challenge on the
pages does (the same k), which records a `ChallengeRanking` for each challenge, so a challenge
that no student is eligible for counts as ranked, not as "not ranked yet".
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from service.domain.tables import (
    Challenge,
    ChallengeRanking,
    DashboardRefresh,
    utcnow,
)
from service.usecases.fairness import population_exposure, published_challenges
from service.usecases.matching import Matching
from service.usecases.suggestions import (
    StudentFilters,
    research_groups_for_challenge,
    students_for_challenge,
)

log = logging.getLogger("lcmatch.dashboard")

#: What ranking a never-ranked challenge stores: as many as publishing it on the pages does.
STUDENTS_RANKED = 10
RESEARCH_GROUPS_RANKED = 5
#: A refresh still "running" after this long died with its process: a new one may start.
STALE_AFTER = timedelta(minutes=30)


def ranked_challenges(session: Session, community_id: str) -> set[str]:
    """The ids of the community's challenges whose students were ranked for them (a
    `ChallengeRanking`): stored suggestions alone may come from a student's own page."""
    return set(
        session.exec(
            select(ChallengeRanking.challenge_id)
            .join(Challenge, Challenge.id == ChallengeRanking.challenge_id)
            .where(Challenge.community_id == community_id)
        ).all()
    )


def never_ranked(session: Session, community_id: str) -> list[Challenge]:
    """The community's published challenges that were never ranked, oldest first."""
    ranked = ranked_challenges(session, community_id)
    return [c for c in published_challenges(session, community_id) if c.id not in ranked]


def rank_never_ranked(session: Session, matching: Matching, community_id: str) -> int:
    """Rank every published challenge of the community that was never ranked, storing its
    suggestions (which records its `ChallengeRanking`), one commit per challenge; returns
    how many."""
    done = 0
    for challenge in never_ranked(session, community_id):
        students_for_challenge(
            session, matching, challenge, k=STUDENTS_RANKED, filters=StudentFilters()
        )
        research_groups_for_challenge(session, matching, challenge, k=RESEARCH_GROUPS_RANKED)
        done += 1
    return done


def running_refresh(session: Session, community_id: str) -> DashboardRefresh | None:
    """The community's refresh under way, if one started recently enough to be alive."""
    return session.exec(
        select(DashboardRefresh)
        .where(
            DashboardRefresh.community_id == community_id,
            DashboardRefresh.status == "running",
            DashboardRefresh.started_at > utcnow() - STALE_AFTER,
        )
        .order_by(DashboardRefresh.started_at.desc())
    ).first()


def latest_refresh(session: Session, community_id: str) -> DashboardRefresh | None:
    """The community's last finished refresh: the figures the dashboard shows."""
    return session.exec(
        select(DashboardRefresh)
        .where(DashboardRefresh.community_id == community_id, DashboardRefresh.status == "done")
        .order_by(DashboardRefresh.finished_at.desc(), DashboardRefresh.id.desc())
    ).first()


def start_refresh(session: Session, community_id: str) -> tuple[DashboardRefresh, bool]:
    """A refresh of the community to run: the one under way (False: nothing new to run) or a
    new one, committed as running (True)."""
    running = running_refresh(session, community_id)
    if running is not None:
        return running, False
    refresh = DashboardRefresh(community_id=community_id)
    session.add(refresh)
    session.commit()
    return refresh, True


def run_refresh(session: Session, matching: Matching, refresh_id: str) -> DashboardRefresh:
    """Do a started refresh: rank the never-ranked challenges, compute the population's
    exposure, store it with the time it was computed. A failure is stored as such (with its
    message) and raised again."""
    refresh = session.get(DashboardRefresh, refresh_id)
    if refresh is None:
        raise LookupError(f"no dashboard refresh {refresh_id!r}")
    community_id = refresh.community_id
    try:
        ranked = rank_never_ranked(session, matching, community_id)
        exposure = population_exposure(session, matching, community_id)
    except Exception as error:
        session.rollback()
        refresh = session.get(DashboardRefresh, refresh_id)
        refresh.status = "failed"
        refresh.error = f"{type(error).__name__}: {error}"[:500]
        refresh.finished_at = utcnow()
        session.add(refresh)
        session.commit()
        raise
    report = exposure.report
    refresh = session.get(DashboardRefresh, refresh_id)
    refresh.ranked = ranked
    refresh.challenges = exposure.challenges
    refresh.students = report.students
    refresh.rankings = report.suggestions
    refresh.by_level = [group.model_dump() for group in report.by_level]
    refresh.by_region = [group.model_dump() for group in report.by_region]
    refresh.status = "done"
    refresh.finished_at = utcnow()
    session.add(refresh)
    session.commit()
    return refresh


def refresh(session: Session, matching: Matching, community_id: str) -> DashboardRefresh:
    """Start and run a refresh of the community now (a script, a test); one already under way
    is left to finish and returned as it stands."""
    started, new = start_refresh(session, community_id)
    if not new:
        return started
    return run_refresh(session, matching, started.id)


def run_in_background(engine: Engine, matching: Matching, refresh_id: str) -> None:
    """`run_refresh` in a session of its own (the request's is closed by then); a failure is
    logged, and stored on the refresh by `run_refresh`."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            run_refresh(session, matching, refresh_id)
        except Exception:
            log.exception("dashboard refresh %s failed", refresh_id)
