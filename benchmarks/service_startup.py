"""Service start-up with 100k stored student profiles, against re-encoding them.

    python benchmarks/service_startup.py [--quick] [--students N] [--sample N]

The database (see benchmarks/_service_db.py: 100 communities, 100k students, 1,000
challenges, vectors tagged as current for the configured model) is built once under
var/bench/. In the same run:

- start-up: `create_app` and its lifespan (migrations, then `Matching.rebuild` of every index
  from the stored vectors) until `/health` answers, with an encoder that counts its calls:
  the run fails if start-up encodes anything. Twice: the first start (no saved index state:
  it fits every index and saves it) and a restart, which reads the saved state (`startup`);
- baseline: the configured model (`lcmatch.settings.model`, whatever `DEFAULT_MODEL` is, with
  the service's own precision setting) encodes a sample of the stored student texts after a
  warm-up; the time to re-encode all of them is that rate extrapolated (said so in the JSON).

Prints one JSON object, written to benchmarks/results/service_startup.json
(`--quick`: 2,000 students, a 64-text sample; results/service_startup.quick.json).
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Sequence

import _pg_support as support
import _service_db as bench_db
import numpy as np
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.app import create_app, default_encoder
from service.domain.tables import StudentProfile
from service.settings import Settings
from service.usecases.matching import text_view


class CountingEncoder:
    """Wraps an encoder and counts what is sent to it."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder
        self.calls = 0
        self.texts = 0

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    def encode(self, texts: Sequence[str], **kwargs) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        return self.encoder.encode(texts, **kwargs)


def settings_for(url: str) -> Settings:
    return Settings(
        home=support.CACHE / "home",
        database_url=url,
        demo_data=False,
        environment="development",
    )


def start_up(settings: Settings) -> dict:
    """Seconds from `create_app` until /health answers, and what the encoder was sent."""
    counting = CountingEncoder(default_encoder(settings))
    started = time.perf_counter()
    app = create_app(settings, encoder=counting)
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        seconds = time.perf_counter() - started
        indexed = {kind: len(ranker) for kind, ranker in app.state.matching.rankers.items()}
    return {
        "seconds": round(seconds, 3),
        "encoder_calls": counting.calls,
        "texts_encoded": counting.texts,
        "indexed": indexed,
    }


def sample_texts(url: str, count: int) -> list[str]:
    from service.storage.db import make_engine

    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.exec(select(StudentProfile).limit(count)).all()
        texts = [text_view("student", row) for row in rows]
    engine.dispose()
    return texts


def encode_rate(settings: Settings, texts: list[str]) -> dict:
    """Texts per second of the configured model on these texts (after a warm-up batch)."""
    encoder = default_encoder(settings).encoder  # the model itself, no cache in between
    encoder.encode(texts[:32])  # load the weights and warm up outside the timing
    started = time.perf_counter()
    encoder.encode(texts)
    seconds = time.perf_counter() - started
    return {
        "sample_texts": len(texts),
        "mean_words": round(float(np.mean([len(t.split()) for t in texts])), 1),
        "seconds": round(seconds, 3),
        "texts_per_second": round(len(texts) / seconds, 2),
        "model": encoder.model_id,
        "dimension": encoder.dimension,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 students, 64-text sample")
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1000)
    args = parser.parse_args()
    students, sample = (2000, 64) if args.quick else (args.students, args.sample)

    settings = settings_for("sqlite://")  # the model settings; the URL comes below
    model = default_encoder(settings).encoder
    database = bench_db.build(
        support.CACHE, students, model.model_id, model.dimension, queries=bench_db.asymmetric(model)
    )
    settings = settings_for(database.url)

    # The first start fits every index and saves what it learned under the home folder; a
    # restart on the unchanged database reads it back (service.usecases.matching).
    shutil.rmtree(settings.home / "index-state", ignore_errors=True)
    first = start_up(settings)
    startup = start_up(settings)
    for run in (first, startup):
        if run["encoder_calls"]:
            raise SystemExit(f"start-up sent {run['texts_encoded']} texts to the encoder")
    rate = encode_rate(settings, sample_texts(database.url, sample))
    communities = max(1, students // bench_db.PER_COMMUNITY)
    total = students + communities * bench_db.CHALLENGES_PER_COMMUNITY
    reencode = total / rate["texts_per_second"]
    result = {
        "benchmark": "service_startup",
        "quick": args.quick,
        "students": students,
        "stored_rows": total,
        "first_startup_fits_and_saves": first,
        "startup": startup,
        "reencode_baseline": {
            **rate,
            "extrapolated_seconds_for_all_rows": round(reencode, 1),
            "how": f"measured on {rate['sample_texts']} stored student texts in this run, "
            f"extrapolated to all {total} stored rows",
        },
        "ratio_startup_to_reencode": round(startup["seconds"] / reencode, 4),
        "target": "ratio <= 0.05 and no encoder call at start-up",
        "met": startup["seconds"] / reencode <= 0.05 and startup["encoder_calls"] == 0,
    }
    support.emit("service_startup.quick" if args.quick else "service_startup", result)


if __name__ == "__main__":
    main()
