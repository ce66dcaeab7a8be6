"""How long the dashboard's background refresh takes for a community of the size the issue
names (1,000 consenting students, 100 published challenges); prints JSON.

Builds one community in a throw-away SQLite database (texts: windows of the demo's Dutch words;
regions and places: the demo students' places; levels in turn), fits the indexes (not timed),
then times `population_exposure` (every student in the full ranking of every challenge) and a
whole `refresh` (ranking the 100 never-ranked challenges and storing their suggestions, then the
same fairness computation).

    flock /tmp/timing.lock python benchmarks/dashboard_refresh.py [--encoder hashing|real]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from _dutch_texts import demo_students, word_windows
from sqlmodel import Session

from service.domain.tables import (
    Challenge,
    ChallengeStatus,
    Community,
    Membership,
    Organisation,
    StudentProfile,
)
from service.settings import Settings
from service.storage.db import make_engine, migrate
from service.usecases import dashboard_refresh, fairness
from service.usecases.matching import Matching

LEVELS = ("mbo", "hbo", "wo")
CHALLENGE_LEVELS = ("mbo", "hbo", "wo", "any")


def build(session: Session, students: int, challenges: int) -> None:
    session.add(Community(id="com-bench", name="Bench"))
    session.add(Organisation(id="org-bench", name="Bench bv", kind="sme"))
    session.flush()
    places = [row["region"] for row in demo_students() if row.get("region")]
    about = word_windows(students, 60, seed=11)
    for n in range(students):
        id_ = f"stu-{n:05d}"
        session.add(
            StudentProfile(
                id=id_,
                full_name=f"Student {n}",
                programme="Opleiding",
                level=LEVELS[n % len(LEVELS)],
                about=about[n],
                region=places[n % len(places)],
                consent_matching=True,
            )
        )
        session.add(Membership(community_id="com-bench", member_id=id_, kind="student"))
    texts = word_windows(challenges, 80, seed=12)
    for n in range(challenges):
        session.add(
            Challenge(
                id=f"ch-{n:04d}",
                community_id="com-bench",
                organisation_id="org-bench",
                title=f"Uitdaging {n}",
                description=texts[n],
                level=CHALLENGE_LEVELS[n % len(CHALLENGE_LEVELS)],
                place=places[(7 * n) % len(places)],
                remote="onsite" if n % 2 else "hybrid",
                status=ChallengeStatus.published,
            )
        )
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", choices=("hashing", "real"), default="hashing")
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--challenges", type=int, default=100)
    arguments = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="lcmatch-refresh-bench-"))
    settings = Settings(home=home, demo_data=False)
    if arguments.encoder == "real":
        from service.app import default_encoder

        encoder = default_encoder(settings)
    else:
        from matcher.encoders import HashingEncoder

        encoder = HashingEncoder()
    try:
        engine = make_engine(settings.database)
        migrate(engine)
        matching = Matching(encoder=encoder, weights=settings.weights())
        with Session(engine, expire_on_commit=False) as session:
            build(session, arguments.students, arguments.challenges)
            matching.rebuild(session)
            start = time.perf_counter()
            exposure = fairness.population_exposure(session, matching, "com-bench")
            exposure_s = time.perf_counter() - start
            start = time.perf_counter()
            done = dashboard_refresh.refresh(session, matching, "com-bench")
            refresh_s = time.perf_counter() - start
        engine.dispose()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(
        json.dumps(
            {
                "encoder": arguments.encoder,
                "students": arguments.students,
                "challenges": arguments.challenges,
                "ranking_places": exposure.report.suggestions,
                "population_exposure_s": round(exposure_s, 2),
                "refresh_s": round(refresh_s, 2),
                "refresh_ranked_challenges": done.ranked,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
