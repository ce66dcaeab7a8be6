"""How far answers move when rows are weighted with corpus statistics learned before they came.

    python benchmarks/refit_drift.py [--quick] [--rows N] [--queries N]

The ranker learns its n-gram and skill weights once and weights later rows with them until the
rows written since pass `refit_drift` (a share of the rows it learned from; LCMATCH_REFIT_DRIFT,
default 0.1). This measures what that costs: a ranker fitted on the first (1 - d) of the rows,
the rest added one batch at a time without a refit, against a ranker fitted on all of them,
for the challenge texts of the benchmark database as queries (hybrid weights, the fake encoder:
the dense part does not depend on the statistics). Reports the mean top-10 overlap and the
largest change of a returned row's lexical and skill component per drift d.

15,000 rows by default: under the ANN threshold, so both rankers score exactly and only the
statistics differ. Prints one JSON object, written to benchmarks/results/refit_drift.json
(`--quick`: 1,500 rows of the 2,000-student database, 20 queries, refit_drift.quick.json).
"""

from __future__ import annotations

import argparse

import _pg_support as support
import _service_db as bench_db
from _results import publish
from sqlmodel import Session, select

from matcher import HashingEncoder, HybridRanker
from service.app import default_encoder
from service.domain.tables import Challenge, StudentProfile
from service.settings import Settings
from service.storage.db import make_engine
from service.usecases.matching import text_view

DRIFTS = (0.05, 0.1, 0.2, 0.4)


def texts_of(students: int, rows: int, queries: int) -> tuple[list[str], list[str], list[str]]:
    """Ids and texts of `rows` consenting students and `queries` challenge texts of the
    benchmark database of this many students."""
    model = default_encoder(Settings(demo_data=False)).encoder
    database = bench_db.build(
        support.CACHE, students, model.model_id, model.dimension, queries=bench_db.asymmetric(model)
    )
    engine = make_engine(database.url)
    with Session(engine) as session:
        students = session.exec(
            select(StudentProfile).where(StudentProfile.consent_matching).limit(rows)
        ).all()
        challenges = session.exec(select(Challenge).limit(queries)).all()
        ids = [student.id for student in students]
        texts = [text_view("student", student) for student in students]
        asked = [text_view("challenge", challenge) for challenge in challenges]
    engine.dispose()
    return ids, texts, asked


def compare(ids: list[str], texts: list[str], queries: list[str], drift: float) -> dict:
    kept = int(len(ids) * (1 - drift))
    # refit_drift above any drift measured: the added rows never trigger a refit here
    stale = HybridRanker(encoder=HashingEncoder(), refit_drift=1.0).fit(ids[:kept], texts[:kept])
    for start in range(kept, len(ids), 500):
        stale.add(ids[start : start + 500], texts[start : start + 500])
    fresh = HybridRanker(encoder=HashingEncoder()).fit(ids, texts)
    overlaps, moved = [], {"lexical": 0.0, "skill": 0.0}
    for query in queries:
        got = {m.id: m for m in stale.search(query, 10)}
        want = {m.id: m for m in fresh.search(query, 10)}
        overlaps.append(len(got.keys() & want.keys()) / 10)
        for id_ in got.keys() & want.keys():
            for name in moved:
                change = abs(
                    getattr(got[id_].components, name) - getattr(want[id_].components, name)
                )
                moved[name] = max(moved[name], change)
    return {
        "drift": drift,
        "mean_top10_overlap": round(sum(overlaps) / len(overlaps), 4),
        "min_top10_overlap": min(overlaps),
        "max_component_change": {name: round(value, 4) for name, value in moved.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int, default=15_000)
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    if args.quick:
        ids, texts, asked = texts_of(2000, 1500, 20)
    else:
        ids, texts, asked = texts_of(100_000, args.rows, args.queries)
    result = {
        "benchmark": "refit_drift",
        "quick": args.quick,
        "rows": len(ids),
        "queries": len(asked),
        "weights": "hybrid defaults, HashingEncoder for the dense part",
        "by_drift": [compare(ids, texts, asked, drift) for drift in DRIFTS],
    }
    publish(result, "refit_drift", quick=args.quick)


if __name__ == "__main__":
    main()
