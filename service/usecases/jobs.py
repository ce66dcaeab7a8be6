"""Bulk jobs: importing a large file and re-embedding the stored rows, in committed batches.

A job of 100k profiles takes minutes to hours on a small machine; a crash or a restart must not
throw that work away. So a job commits every batch of rows (with their embeddings) together
with its progress record (`service.domain.tables.Job`), and a rerun continues at the first batch no
commit covers: finished batches are neither written nor embedded again.

An import still checks the whole file before it writes anything, as `service.usecases.transfer`
does: a file with any problem writes nothing. Once checked, a crash leaves the batches done so far,
and running the same command on the same file finishes the job.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlmodel import Session, func, select
from tqdm import tqdm

from service.domain.tables import Job, utcnow
from service.usecases.matching import TABLES, Matching
from service.usecases.transfer import (
    FORMATS,
    TransferError,
    check,
    new_rows,
    read_records,
    spec_for,
)

#: Rows per committed batch: big enough that the encoder runs full batches and a commit's
#: fsync is paid rarely, small enough that a crash loses little.
BATCH_SIZE = 1000

#: Called after each committed batch with the job as it now stands (a progress hook).
OnBatch = Callable[[Job], None]


@dataclass(frozen=True)
class JobResult:
    """What a job did in this run."""

    job_id: str
    total: int  # records (import) or rows (re-embedding) the job covers
    resumed_at: int  # records done before this run (re-embedding: rows found current)
    written: int  # records written (import) or rows embedded (re-embedding) in this run


def file_digest(kind: str, format: str, data: bytes) -> str:
    """What identifies an import job: the same kind and format of exactly the same bytes."""
    return hashlib.sha256(f"{kind}\0{format}\0".encode() + data).hexdigest()


def unfinished_job(session: Session, action: str, target: str, digest: str | None) -> Job | None:
    """The running job of this action on this target (and file), if a crash left one."""
    query = select(Job).where(Job.action == action, Job.target == target, Job.status == "running")
    if digest is not None:
        query = query.where(Job.source_digest == digest)
    return session.exec(query.order_by(Job.started_at.desc())).first()


@contextmanager
def _bar(total: int, initial: int, description: str, progress: bool) -> Iterator[tqdm]:
    with tqdm(
        total=total, initial=initial, desc=description, unit="row", disable=not progress
    ) as bar:
        yield bar


def _advance(session: Session, job: Job, done: int) -> None:
    """Record progress in the batch's own transaction (the caller commits)."""
    job.done = done
    job.updated_at = utcnow()
    session.add(job)


def import_file(
    session: Session,
    kind: str,
    data: bytes,
    format: str,
    *,
    matching: Matching | None = None,
    batch_size: int = BATCH_SIZE,
    progress: bool = False,
    on_batch: OnBatch | None = None,
) -> JobResult:
    """Import a file's records in committed batches, each with its embeddings.

    Every record still to be written is checked first; a problem raises TransferError and
    writes nothing. A rerun with the same file after a crash resumes the unfinished job.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    spec = spec_for(kind)
    if format not in FORMATS:
        raise TransferError([f"unknown format {format!r}; choose csv or json"])
    digest = file_digest(spec.name, format, data)
    records = read_records(data, format, spec)
    job = unfinished_job(session, "import", spec.name, digest)
    start = job.done if job is not None else 0
    # The records before `start` are in the database now: the rest is checked against them.
    models = check(session, spec, records[start:])
    if job is None:
        job = Job(
            action="import",
            target=spec.name,
            source_digest=digest,
            total=len(records),
            batch_size=batch_size,
        )
        session.add(job)
        session.commit()
    written = 0
    with _bar(job.total, start, f"import {spec.name}", progress) as bar:
        for offset in range(0, len(models), batch_size):
            built = [new_rows(spec, model) for model in models[offset : offset + batch_size]]
            rows = [row for row, _ in built]
            try:
                # Encode before the first write: SQLite holds its write lock until the commit.
                if matching is not None and spec.embed_as:
                    matching.embed(spec.embed_as, rows)
                session.add_all(rows)
                session.flush()  # the rows before their memberships (foreign keys)
                session.add_all(link for _, links in built for link in links)
                _advance(session, job, start + offset + len(rows))
                session.commit()
            except BaseException:
                session.rollback()
                raise
            written += len(rows)
            bar.update(len(rows))
            if on_batch is not None:
                on_batch(job)
    job.status = "done"
    session.add(job)
    session.commit()
    return JobResult(job.id, job.total, start, written)


def reembed(
    session: Session,
    matching: Matching,
    *,
    batch_size: int = BATCH_SIZE,
    progress: bool = False,
    on_batch: OnBatch | None = None,
) -> JobResult:
    """Embed every row whose text or model changed, a committed batch at a time.

    Rows are visited in id order; a batch's new embeddings are committed before the next batch
    is read, so a rerun after a crash finds the finished batches current and encodes only
    the rest. Returns the number of rows embedded in `written`.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    total = sum(
        session.exec(select(func.count()).select_from(table)).one() for table in TABLES.values()
    )
    job = unfinished_job(session, "reembed", "all", None)
    if job is None:
        job = Job(action="reembed", target="all", batch_size=batch_size)
    # A rerun scans every row again (finished ones cost a hash, not an encoder call), so its
    # count starts from 0 against the rows there are now.
    job.total, job.done = total, 0
    session.add(job)
    session.commit()
    embedded = 0
    with _bar(total, 0, "re-embed", progress) as bar:
        for kind, table in TABLES.items():
            last = ""
            while True:
                page = list(
                    session.exec(
                        select(table).where(table.id > last).order_by(table.id).limit(batch_size)
                    )
                )
                if not page:
                    break
                last = page[-1].id
                fresh = matching.embed(kind, page)
                if fresh:
                    session.add_all(page)
                _advance(session, job, job.done + len(page))
                session.commit()
                embedded += fresh
                bar.update(len(page))
                if on_batch is not None:
                    on_batch(job)
    job.status = "done"
    session.add(job)
    session.commit()
    return JobResult(job.id, total, total - embedded, embedded)
