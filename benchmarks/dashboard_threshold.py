"""Where the dashboard's "good candidate" threshold falls on the demo data; prints JSON.

Loads the Dutch demo set into a throw-away SQLite database, ranks every eligible student for
every published challenge (the same hard filters as the suggestion route, k large enough for
all of them) with the real packaged model, and reports per threshold: the mean share of a
challenge's eligible students who score at least that much, and how many challenges have no
student that good. It also times one build of all dashboard tables of a community on the stored
suggestions, as a ratio to a baseline query (counting the suggestions) in the same run.

    python benchmarks/dashboard_threshold.py [--encoder real|hashing]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session, func, select

from service.app import default_encoder
from service.domain.tables import Challenge, ChallengeStatus, Suggestion
from service.settings import Settings
from service.storage.db import make_engine, migrate
from service.usecases import dashboard
from service.usecases.demo import load_demo_if_empty
from service.usecases.matching import Matching
from service.usecases.suggestions import StudentFilters, students_for_challenge

THRESHOLDS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
ALL = 10_000  # more than any community's students: every eligible student is ranked


def best_of(seconds: list[float]) -> float:
    return min(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", choices=("real", "hashing"), default="real")
    arguments = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="lcmatch-dash-bench-"))
    settings = Settings(home=home, demo_data=True)
    if arguments.encoder == "real":
        encoder = default_encoder(settings)
    else:
        from matcher.encoders import HashingEncoder

        encoder = HashingEncoder()
    engine = make_engine(settings.database)
    migrate(engine)
    matching = Matching(encoder=encoder, weights=settings.weights())
    shares: dict[float, list[float]] = {t: [] for t in THRESHOLDS}
    without: dict[float, int] = dict.fromkeys(THRESHOLDS, 0)
    tops: list[float] = []
    with Session(engine, expire_on_commit=False) as session:
        load_demo_if_empty(session, settings)
        matching.rebuild(session)
        challenges = session.exec(
            select(Challenge).where(Challenge.status == ChallengeStatus.published)
        ).all()
        ranked = 0
        for challenge in challenges:
            found = students_for_challenge(
                session, matching, challenge, k=ALL, filters=StudentFilters()
            )
            scores = [suggestion.score for suggestion in found]
            if not scores:
                for threshold in THRESHOLDS:
                    without[threshold] += 1
                continue
            ranked += 1
            tops.append(max(scores))
            for threshold in THRESHOLDS:
                good = sum(score >= threshold for score in scores)
                shares[threshold].append(good / len(scores))
                without[threshold] += good == 0

        community = challenges[0].community_id
        baseline, tables = [], []
        for _ in range(5):
            start = time.perf_counter()
            session.exec(
                select(func.count(Suggestion.id)).where(Suggestion.community_id == community)
            ).one()
            baseline.append(time.perf_counter() - start)
            start = time.perf_counter()
            for name in dashboard.TABLES:
                dashboard.table(session, community, name)
            tables.append(time.perf_counter() - start)
        stored = session.exec(
            select(func.count(Suggestion.id)).where(Suggestion.community_id == community)
        ).one()
    engine.dispose()
    shutil.rmtree(home, ignore_errors=True)

    print(
        json.dumps(
            {
                "encoder": arguments.encoder,
                "published_challenges": len(challenges),
                "challenges_with_eligible_students": ranked,
                "best_score_median": round(statistics.median(tops), 3),
                "best_score_min": round(min(tops), 3),
                "per_threshold": {
                    str(threshold): {
                        "mean_share_of_eligible_students_at_or_above": round(
                            statistics.mean(shares[threshold]), 4
                        ),
                        "challenges_without_a_student_at_or_above": without[threshold],
                    }
                    for threshold in THRESHOLDS
                },
                "dashboard_tables": {
                    "community": community,
                    "stored_suggestions": stored,
                    "all_tables_seconds": round(best_of(tables), 4),
                    "ratio_to_count_query": round(best_of(tables) / best_of(baseline), 1),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
