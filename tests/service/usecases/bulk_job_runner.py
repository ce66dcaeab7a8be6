"""The job that tests/service/test_bulk_jobs.py kills: one bulk job in its own process.

    python bulk_job_runner.py import URL FILE LOG [--batch-size N] [--die-after B] [--pause S]
    python bulk_job_runner.py reembed URL LOG [--batch-size N] [--die-after B] [--pause S]

Runs `service.usecases.jobs.import_file` (the students of FILE, JSON) or
`service.usecases.jobs.reembed` on the database at URL with a fake encoder that appends one line
per text it encodes to LOG (the text's hash, flushed and fsynced before the vectors are
returned), so the parent can count every encoding across runs and crashes. With --die-after B
the process kills itself with SIGKILL right after its B-th batch is committed; --pause S makes
every encoder call take S seconds longer, so a parent that watches the job row has time to kill
it mid-way.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sqlmodel import Session

from matcher import HashingEncoder
from matcher.cache import text_hash
from service.domain.tables import Job
from service.storage.db import make_engine, migrate
from service.usecases.jobs import import_file, reembed
from service.usecases.matching import Matching


class LoggingEncoder(HashingEncoder):
    """The fast fake encoder, writing down every text it encodes before it answers."""

    def __init__(self, log: Path, pause: float) -> None:
        super().__init__()
        self.log = log
        self.pause = pause

    def encode(self, texts: Sequence[str], *, kind: str = "passage", progress: bool = False):
        time.sleep(self.pause)
        vectors: np.ndarray = super().encode(texts, kind=kind, progress=progress)
        with self.log.open("a", encoding="utf-8") as out:
            out.writelines(text_hash(text) + "\n" for text in texts)
            out.flush()
            os.fsync(out.fileno())
        return vectors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["import", "reembed"])
    parser.add_argument("url")
    parser.add_argument("paths", nargs="+", type=Path, help="import: FILE LOG; reembed: LOG")
    parser.add_argument("--batch-size", type=int, default=40)
    parser.add_argument("--die-after", type=int, default=0)
    parser.add_argument("--pause", type=float, default=0.0)
    args = parser.parse_args()
    batches = 0

    def after_batch(job: Job) -> None:
        nonlocal batches
        batches += 1
        print(f"batch {batches} done {job.done}/{job.total}", flush=True)
        if batches == args.die_after:
            os.kill(os.getpid(), signal.SIGKILL)

    engine = make_engine(args.url)
    migrate(engine)
    matching = Matching(encoder=LoggingEncoder(args.paths[-1], args.pause))
    with Session(engine, expire_on_commit=False) as session:
        if args.action == "import":
            data = args.paths[0].read_bytes()
            result = import_file(
                session,
                "students",
                data,
                "json",
                matching=matching,
                batch_size=args.batch_size,
                on_batch=after_batch,
            )
        else:
            result = reembed(session, matching, batch_size=args.batch_size, on_batch=after_batch)
    print(f"finished {result.written} resumed_at {result.resumed_at}", flush=True)


if __name__ == "__main__":
    main()
