"""The dashboard's background refresh on a tiny community, ranked by the real matcher with the
fast fake encoder on a real SQLite database: what was never ranked gets ranked, and the
fairness figures come from every consenting student in the full ranking of every open
challenge, whichever pages were opened. The expected exposure is worked out by hand below.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from matcher import HashingEncoder
from service.domain.tables import (
    Challenge,
    ChallengeRanking,
    ChallengeStatus,
    Community,
    DashboardRefresh,
    Membership,
    Organisation,
    StudentProfile,
)
from service.storage.db import make_engine, migrate
from service.usecases import dashboard, dashboard_refresh, fairness
from service.usecases.matching import Matching
from service.usecases.suggestions import StudentFilters, students_for_challenge

#: Challenge A's text, which student h1's profile repeats word for word: h1 ranks first for A.
TITLE = "Warmtepomp inregelen bij een zorginstelling"
DESCRIPTION = "Meet het rendement van de warmtepompen en stel de regeling van de installatie bij."


def student(session: Session, id_: str, level: str, region: str, community: str, **values):
    session.add(
        StudentProfile(
            id=id_,
            full_name=f"Student {id_}",
            level=level,
            region=region,
            consent_matching=values.pop("consent", True),
            programme=values.pop("programme", "Bedrijfskunde"),
            about=values.pop(
                "about", "Marketing, sociale media en klantcontact in de detailhandel."
            ),
            **values,
        )
    )
    session.add(Membership(community_id=community, member_id=id_, kind="student"))


def challenge(session: Session, id_: str, community: str, level: str, **values) -> None:
    session.add(
        Challenge(
            id=id_,
            community_id=community,
            organisation_id="org-1",
            title=values.pop("title", f"Uitdaging {id_} over logistiek"),
            description=values.pop("description", "Plan de routes van de bestelbussen opnieuw."),
            level=level,
            status=values.pop("status", ChallengeStatus.published),
            **values,
        )
    )


def world(session: Session) -> None:
    for community in ("klein", "ander"):
        session.add(Community(id=community, name=f"Gemeenschap {community}"))
    session.add(Organisation(id="org-1", name="Bedrijf", kind="sme"))
    session.flush()
    # klein: A (hbo) and B (mbo) have eligible students; C (wo) none: w1 withheld consent.
    challenge(session, "ch-a", "klein", "hbo", title=TITLE, description=DESCRIPTION)
    challenge(session, "ch-b", "klein", "mbo")
    challenge(session, "ch-c", "klein", "wo")
    challenge(session, "ch-draft", "klein", "hbo", status=ChallengeStatus.draft)
    challenge(session, "ch-z", "ander", "hbo")
    student(session, "h1", "hbo", "Zwolle", "klein", programme=TITLE, about=DESCRIPTION)
    student(session, "h2", "hbo", "Deventer", "klein")
    student(session, "m1", "mbo", "Zwolle", "klein")
    student(session, "w1", "wo", "Zwolle", "klein", consent=False)
    student(session, "x1", "hbo", "Zwolle", "ander")
    session.commit()


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'refresh.sqlite'}")
    migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        world(session)
        yield session
    engine.dispose()


@pytest.fixture
def matching(session: Session) -> Matching:
    matching = Matching(encoder=HashingEncoder())
    matching.rebuild(session)
    return matching


def by_group(table: dashboard.Table) -> dict[str, dict]:
    return {row["group"]: row for row in table.rows}


def test_the_full_rankings_hold_every_eligible_consenting_student(session, matching) -> None:
    students = {s.id: s for s in session.exec(select(StudentProfile))}
    ids = ["ch-a", "ch-b", "ch-c"]
    challenges = [session.get(Challenge, id_) for id_ in ids]
    found = fairness.full_rankings(session, matching, challenges, students)
    ranked = dict(zip(ids, found, strict=True))
    # A: both hbo students of klein, h1 (A's own words) first; x1 is another community's.
    assert ranked == {"ch-a": ["h1", "h2"], "ch-b": ["m1"], "ch-c": []}


def test_the_vectorised_ranking_is_the_review_pages_ranking(session, matching) -> None:
    """`rank_all` (all queries of one filter in one call, unexplained) gives the order and the
    scores `rank` gives the review page."""
    challenges = [session.get(Challenge, id_) for id_ in ("ch-a", "ch-b")]
    both_levels = {"community": ["klein"], "language": ["nl"], "level": ["hbo", "mbo"]}
    together = matching.rank_all("student", "challenge", challenges, filters=both_levels)
    for challenge, found in zip(challenges, together, strict=True):
        alone = matching.rank("student", "challenge", challenge, k=10, filters=both_levels)
        assert [(m.id, round(m.score, 5)) for m in found] == [
            (m.id, round(m.score, 5)) for m in alone
        ]
        assert len(found) == 3  # h1, h2, m1


def test_exposure_worked_out_by_hand(session, matching) -> None:
    done = dashboard_refresh.refresh(session, matching, "klein")
    assert (done.status, done.challenges, done.students, done.rankings) == ("done", 3, 3, 3)
    # Population: h1, h2, m1 (w1 withheld consent, x1 is in "ander"). Rankings: A = [h1, h2],
    # B = [m1], C = [] (the draft does not count). Weights 1/log2(rank + 1): rank 1 -> 1,
    # rank 2 -> 1/log2(3) = 0.63093. hbo: 1 + 0.63093 = 1.63093; mbo: 1; all: 2.63093.
    second = 1 / math.log2(3)
    total = 2 + second
    level = by_group(dashboard.fairness_by_level(session, "klein"))
    assert {name: row["students"] for name, row in level.items()} == {"mbo": 1, "hbo": 2, "wo": 0}
    assert {name: row["appearances"] for name, row in level.items()} == {
        "mbo": 1,
        "hbo": 2,
        "wo": 0,
    }
    assert level["hbo"]["exposure_share"] == round((1 + second) / total, 3) == 0.620
    assert level["hbo"]["exposure_ratio"] == round((1 + second) / total / (2 / 3), 3) == 0.930
    assert level["mbo"]["exposure_ratio"] == round(1 / total / (1 / 3), 3) == 1.140
    assert level["wo"]["exposure_ratio"] is None  # no wo student: nothing to compare with
    region = by_group(dashboard.fairness_by_region(session, "klein"))
    assert list(region) == ["Deventer", "Zwolle"]
    # Deventer: h2 at rank 2 of A; Zwolle: h1 at rank 1 of A, m1 at rank 1 of B.
    assert region["Deventer"]["exposure_ratio"] == round(second / total / (1 / 3), 3) == 0.719
    assert region["Zwolle"]["exposure_ratio"] == round(2 / total / (2 / 3), 3) == 1.140


def test_opening_a_page_does_not_change_the_fairness_figures(session, matching) -> None:
    before = fairness.population_exposure(session, matching, "klein").report
    stored_before = fairness.fairness_report(session, "klein")
    # An intermediary opens A's review page, which ranks A and stores its top student.
    students_for_challenge(
        session, matching, session.get(Challenge, "ch-a"), k=1, filters=StudentFilters()
    )
    after = fairness.population_exposure(session, matching, "klein").report
    assert after == before
    # The old figures, from the stored suggestions, moved with that page view: hbo went from
    # never shown to all of the exposure.
    stored_after = fairness.fairness_report(session, "klein")
    hbo_before, hbo_after = stored_before.by_level[1], stored_after.by_level[1]
    assert (hbo_before.group, hbo_before.exposure_share, hbo_after.exposure_share) == (
        "hbo",
        None,
        1.0,
    )
    # The dashboard shows the population's figures, refreshed or not after the page view.
    done = dashboard_refresh.refresh(session, matching, "klein")
    assert done.by_level == [group.model_dump() for group in before.by_level]
    assert done.by_region == [group.model_dump() for group in before.by_region]
    shown = [dashboard.table(session, "klein", name).rows for name in FAIRNESS]
    students_for_challenge(
        session, matching, session.get(Challenge, "ch-b"), k=1, filters=StudentFilters()
    )
    assert [dashboard.table(session, "klein", name).rows for name in FAIRNESS] == shown


FAIRNESS = ("fairness_by_level", "fairness_by_region")


def test_no_fairness_figures_before_the_first_refresh(session) -> None:
    for name in FAIRNESS:
        assert dashboard.table(session, "klein", name).rows == []


def test_a_never_ranked_challenge_is_not_ranked_yet_not_without_a_good_candidate(
    session, matching
) -> None:
    assert dashboard.challenges_not_ranked(session, "klein").column("challenge_id") == [
        "ch-a",
        "ch-b",
        "ch-c",
    ]
    # Nobody ranked anything yet: "no good candidate" is not known of any challenge.
    assert dashboard.challenges_without_good_candidate(session, "klein").rows == []
    by_level = {
        row["level"]: row for row in dashboard.open_challenges_by_level(session, "klein").rows
    }
    assert by_level["wo"]["not_ranked"] == 1 and by_level["wo"]["without_good_candidate"] == 0

    done = dashboard_refresh.refresh(session, matching, "klein")

    assert done.ranked == 3
    assert dashboard.challenges_not_ranked(session, "klein").rows == []
    # C was ranked and nobody is eligible (w1 withheld consent): now it has no good candidate.
    weak = dashboard.challenges_without_good_candidate(session, "klein").column("challenge_id")
    assert "ch-c" in weak
    recorded = session.get(ChallengeRanking, "ch-c")
    assert recorded is not None and recorded.candidates == 0
    # The job stored the suggestions publishing would: A's two students, B's one.
    rows = {row["challenge_id"]: row for row in dashboard.open_challenges(session, "klein").rows}
    assert (rows["ch-a"]["candidates"], rows["ch-b"]["candidates"]) == (2, 1)
    # Another community's challenge was left alone, and a second refresh has nothing to rank.
    assert dashboard.challenges_not_ranked(session, "ander").column("challenge_id") == ["ch-z"]
    assert dashboard_refresh.refresh(session, matching, "klein").ranked == 0


def test_a_refresh_under_way_is_not_started_twice_and_a_failure_is_stored(
    session, matching
) -> None:
    first, new = dashboard_refresh.start_refresh(session, "klein")
    again, second_new = dashboard_refresh.start_refresh(session, "klein")
    assert (new, second_new, again.id) == (True, False, first.id)
    assert dashboard_refresh.running_refresh(session, "klein").id == first.id

    class Broken(Matching):
        def rank_all(self, *args, **kwargs):
            raise RuntimeError("index gone")

    broken = Broken(encoder=HashingEncoder())
    broken.rankers = matching.rankers
    broken.hashes, broken.fresh = matching.hashes, matching.fresh
    with pytest.raises(RuntimeError, match="index gone"):
        dashboard_refresh.run_refresh(session, broken, first.id)
    failed = session.get(DashboardRefresh, first.id)
    assert (failed.status, failed.error) == ("failed", "RuntimeError: index gone")
    assert dashboard_refresh.latest_refresh(session, "klein") is None
    assert dashboard_refresh.running_refresh(session, "klein") is None
