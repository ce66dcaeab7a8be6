"""Bulk import and re-embedding of student profiles: seconds per 10k, against bare encoding.

    python benchmarks/import_speed.py [--quick] [--fake-size N] [--real-size N]

Makes N Dutch student profiles (the 300 demo students, each repeated with its own id and a
different window of demo text, so no two texts are the same) and, on a fresh SQLite file for
each encoder, times in the same run:

- encode: the encoder alone on the profiles' text views, batch 1000 (the floor: no database);
- import job: `lcmatch import`'s route, `service.usecases.jobs.import_file`, committed batches of
  1000 with embeddings and progress records;
- import in one transaction: `service.usecases.transfer.import_data`, the all-in-one route the API
  uses (fake encoder only: it is the same encoding);
- re-embed: `service.usecases.jobs.reembed` after every stored vector was made stale (a model
  change).

The fake encoder (hashed trigrams) shows what lcmatch itself costs; the real one (the default
model, precision auto) what a deployment pays. Prints one JSON object and writes it to
benchmarks/results/import_speed.json (`--quick`: 300 profiles, fake encoder only,
results/import_speed.quick.json).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from _dutch_texts import demo_path, demo_students, word_windows
from _results import publish
from sqlalchemy import update
from sqlmodel import Session, select

from matcher.encoders import HashingEncoder, SentenceEncoder, TextEncoder
from matcher.model_files import DEFAULT_MODEL
from service.domain.tables import StudentProfile
from service.storage.db import make_engine, migrate
from service.usecases.jobs import BATCH_SIZE, import_file, reembed
from service.usecases.matching import Matching, text_view
from service.usecases.transfer import import_data

PER = 10_000


def profiles(count: int) -> list[dict]:
    """`count` student records made from the demo students, each with a text of its own."""
    demo = demo_students()
    extra = word_windows(count, 25, seed=3)
    records = []
    for number in range(count):
        record = dict(demo[number % len(demo)])
        record["id"] = f"stu-bulk-{number:07d}"
        record["about"] = f"{record['about']} {extra[number]}"
        records.append(record)
    return records


def fresh_database(folder: Path, name: str) -> str:
    """A migrated SQLite file holding the demo communities."""
    url = f"sqlite:///{folder / name}.sqlite"
    engine = make_engine(url)
    migrate(engine)
    communities = json.loads(demo_path("communities.json").read_text(encoding="utf-8"))
    kept = [{key: row[key] for key in ("id", "name", "region")} for row in communities]
    with Session(engine) as session:
        import_data(session, "communities", json.dumps(kept).encode(), "json")
    engine.dispose()
    return url


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(encoder: TextEncoder, records: list[dict], folder: Path, *, one_transaction: bool):
    """Seconds for each route on these records with this encoder."""
    data = json.dumps(records).encode()
    texts = [
        text_view("student", StudentProfile(**{k: v for k, v in r.items() if k != "community_ids"}))
        for r in records
    ]
    seconds = {
        "encode": timed(
            lambda: [
                encoder.encode(texts[start : start + BATCH_SIZE])
                for start in range(0, len(texts), BATCH_SIZE)
            ]
        )
    }
    url = fresh_database(folder, f"job-{encoder.model_id.replace('@', '-')}")
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        matching = Matching(encoder=encoder)
        seconds["import_job"] = timed(
            lambda: import_file(session, "students", data, "json", matching=matching)
        )
        imported = len(session.exec(select(StudentProfile.id)).all())
        session.exec(update(StudentProfile).values(embedding_model="an-older-model"))
        session.commit()
        seconds["reembed"] = timed(lambda: reembed(session, Matching(encoder=encoder)))
    engine.dispose()
    if imported != len(records):
        raise SystemExit(f"imported {imported} of {len(records)} profiles")
    if one_transaction:
        url = fresh_database(folder, "one-transaction")
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            matching = Matching(encoder=encoder)
            seconds["import_one_transaction"] = timed(
                lambda: import_data(session, "students", data, "json", matching=matching)
            )
        engine.dispose()
    figures = {
        route: {
            "seconds": round(value, 2),
            "seconds_per_10k": round(value * PER / len(records), 1),
            "ratio_vs_encode": round(value / seconds["encode"], 2),
        }
        for route, value in seconds.items()
    }
    return {"profiles": len(records), "model_id": encoder.model_id, "routes": figures}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 profiles, fake encoder only")
    parser.add_argument("--fake-size", type=int, default=None, help="profiles (default 10000)")
    parser.add_argument("--real-size", type=int, default=None, help="profiles (default 1000)")
    args = parser.parse_args(argv)
    fake_size = args.fake_size or (300 if args.quick else 10_000)
    real_size = 0 if args.quick else (args.real_size or 1000)
    result: dict = {
        "benchmark": "import_speed",
        "database": "sqlite",
        "batch_size": BATCH_SIZE,
        "baseline": "encode",
        "encoders": {},
    }
    with tempfile.TemporaryDirectory(prefix="lcmatch-import-speed-") as folder:
        result["encoders"]["fake"] = measure(
            HashingEncoder(), profiles(fake_size), Path(folder), one_transaction=True
        )
        if real_size:
            real = SentenceEncoder(model=DEFAULT_MODEL, precision="auto")
            real.encode(["opwarmen"])  # load the weights outside the timings
            result["encoders"]["real"] = measure(
                real, profiles(real_size), Path(folder), one_transaction=False
            )
    return publish(result, "import_speed", quick=args.quick)


if __name__ == "__main__":
    main()
