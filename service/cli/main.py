"""The `lcmatch` command."""

from __future__ import annotations

import copy
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy import func
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from matcher.cache import CachedEncoder, SqliteEmbeddingStore
from matcher.encoders import SentenceEncoder
from matcher.errors import MatcherError
from matcher.evaluation import load_benchmark, run_benchmark, score_run, write_run
from matcher.paths import PROJECT_ROOT
from matcher.ranker import HybridRanker, Weights
from service.cli.allocate import allocate_command
from service.cli.models import models_app
from service.cli.training import train_app
from service.domain.tables import Community, Programme, User
from service.settings import Settings
from service.usecases.jobs import BATCH_SIZE, import_file, reembed
from service.usecases.matching import Matching
from service.usecases.transfer import (
    SPECS,
    TransferError,
    export,
    format_of,
    problems_of,
    spec_for,
)

app = typer.Typer(help="lcmatch: matchmaking for learning communities.", no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(models_app, name="models")
app.command("allocate")(allocate_command)


class Method(StrEnum):
    dense = "dense"
    lexical = "lexical"
    hybrid = "hybrid"


@app.callback()
def main() -> None:
    """lcmatch: matchmaking for learning communities."""


def build_encoder(settings: Settings) -> CachedEncoder:
    """The configured dense model behind the on-disk embedding cache."""
    encoder = SentenceEncoder(
        model=settings.model,
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
        batch_size=settings.batch_size,
        precision=settings.precision,
    )
    return CachedEncoder(encoder=encoder, store=SqliteEmbeddingStore(settings.embedding_cache))


@app.command("eval")
def evaluate(
    bench_dir: Annotated[Path, typer.Argument(help="A folder in the BEIR layout.")],
    split: Annotated[str, typer.Option(help="Judgements to use: qrels/SPLIT.tsv.")] = "dev",
    method: Annotated[Method, typer.Option(help="Which scores rank.")] = Method.hybrid,
    run_out: Annotated[
        Path | None, typer.Option("--run-out", help="Write the top 100 per query here (TREC run).")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars on stderr.")] = True,
) -> None:
    """Rank the whole corpus for each judged query and print MRR, nDCG@10 and recall@100."""
    settings = Settings()
    try:
        benchmark = load_benchmark(bench_dir, split)
        weights = (
            settings.weights() if method is Method.hybrid else Weights.for_method(method.value)
        )
        encoder = build_encoder(settings) if weights.dense > 0 else None
        # Exact corpus statistics (every row, not a sample): offline, the product with every
        # row costs little, and the figures then carry no sampling noise.
        ranker = HybridRanker(
            encoder=encoder, weights=weights, ann=settings.ann(), moment_sample=None
        )
        run = run_benchmark(ranker, benchmark, progress=progress)
    except MatcherError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    if run_out is not None:
        run_out.parent.mkdir(parents=True, exist_ok=True)
        with run_out.open("w", encoding="utf-8") as out:
            write_run(run, out, tag=f"lcmatch-{method.value}")
    scores = score_run(run, benchmark.qrels)
    json.dump(scores.as_json(), sys.stdout)
    sys.stdout.write("\n")


# -- the service: serve, init, import, export, reindex ------------------------------------


class Format(StrEnum):
    csv = "csv"
    json = "json"


def fail(*problems: str) -> NoReturn:
    """Print each problem as `error: ...` on stderr and exit 2 (bad input)."""
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    raise typer.Exit(code=2)


def load_settings() -> Settings:
    """The settings from the environment; a bad value is bad input, not a traceback."""
    try:
        return Settings()
    except ValidationError as error:
        fail(*(f"setting {problem}" for problem in problems_of("LCMATCH_*", error)))


def open_database(settings: Settings) -> Engine:
    """The engine, with the database created or migrated to the newest revision."""
    return _migrated(settings)[0]


def _migrated(settings: Settings) -> tuple[Engine, str | None, str | None]:
    """The engine, and the schema revision before and after migrating."""
    from alembic.util import CommandError

    from service.storage.db import make_engine, migrate

    engine = make_engine(settings.database)
    try:
        before = _revision(engine)
        migrate(engine)
    except OperationalError as error:
        fail(f"cannot open the database {_shown(settings.database)}: {error.orig}")
    except CommandError as error:
        # Typically a database written by a newer lcmatch, at a revision this one lacks.
        fail(f"cannot migrate the database {_shown(settings.database)}: {error}")
    return engine, before, _revision(engine)


def new_matching(settings: Settings, *, progress: bool = True) -> Matching:
    """The service's matching, with the configured model (looked up at call time, so a test
    can replace `service.app.default_encoder` with a fast fake)."""
    from service import app as service_app

    if not progress:
        # transformers draws a bar while loading weights unless the hub's switch is off;
        # it reads the switch when first imported, which the encoder does later.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

    return Matching(
        encoder=service_app.default_encoder(settings),
        weights=settings.weights(),
        ann=settings.ann(),
    )


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _check_workers(settings: Settings, workers: int, *, reload: bool) -> None:
    """Refuse several worker processes where they would not serve one picture of the data."""
    from service.storage.vector_store import choose_backend

    if workers == 1:
        return
    if reload:
        fail(f"--reload runs one process: leave out --workers {workers}")
    try:
        backend = choose_backend(settings.vector_backend, settings.database)
    except ValueError as error:
        fail(str(error))
    if backend != "pgvector":
        fail(
            f"--workers {workers} needs PostgreSQL with the pgvector backend: on SQLite (or "
            "with LCMATCH_VECTOR_BACKEND=memory) each process would keep its own index in "
            "memory and never see the rows the others write. Run one worker, or set "
            "DATABASE_URL to PostgreSQL."
        )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address; default LCMATCH_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Port; default LCMATCH_PORT.")] = None,
    reload: Annotated[bool, typer.Option(help="Restart when the code changes.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes; default LCMATCH_WORKERS (1). PostgreSQL only."),
    ] = None,
) -> None:
    """Run the web service.

    Settings come from the environment; an empty database gets the demo data first when
    LCMATCH_DEMO_DATA is on (the default).
    """
    import uvicorn

    from service.app import check_secret

    settings = load_settings()
    try:
        check_secret(settings)
    except RuntimeError as error:
        fail(str(error))
    workers = settings.workers if workers is None else workers
    _check_workers(settings, workers, reload=reload)
    if workers > 1:
        # Migrated once here: the workers start at the same moment, and would each run the
        # migrations at once (the one that loses a race to create a table stops).
        open_database(settings).dispose()
    # uvicorn sets up only its own loggers; without this the app's start-up report ("indexes
    # built; N texts encoded") is dropped, and a slow first start looks like a hang.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["lcmatch"] = {"handlers": ["default"], "level": "INFO"}
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=settings.host if host is None else host,
        port=settings.port if port is None else port,
        reload=reload,
        workers=workers,
        # The code's folders, not the working directory: serve may start anywhere.
        reload_dirs=[str(PROJECT_ROOT / "service"), str(PROJECT_ROOT / "matcher")]
        if reload
        else None,
        log_config=log_config,
        # The app reads X-Forwarded-For itself, and only from LCMATCH_TRUSTED_PROXIES: uvicorn
        # would take it from any client on 127.0.0.1 (its default --forwarded-allow-ips).
        proxy_headers=False,
    )


@app.command()
def init(
    demo: Annotated[bool, typer.Option(help="Load the demo data into an empty database.")] = False,
    progress: Annotated[bool, typer.Option(help="Show progress bars on stderr.")] = True,
) -> None:
    """Create the database or migrate it to the newest schema; optionally load the demo data."""
    settings = load_settings()
    engine, before, after = _migrated(settings)
    where = _shown(settings.database)
    if before is None:
        typer.echo(f"created the database {where} (schema {after})")
    elif before != after:
        typer.echo(f"migrated the database {where} from schema {before} to {after}")
    else:
        typer.echo(f"the database {where} is up to date (schema {after})")
    if not demo:
        return
    from service.usecases.demo import DemoDataError, load_demo_if_empty

    with Session(engine, expire_on_commit=False) as session:
        try:
            loaded = load_demo_if_empty(session, settings)
        except DemoDataError as error:
            fail(str(error))
        if not loaded:
            typer.echo("the database holds communities already: demo data not loaded")
            return
        counts = ", ".join(
            f"{session.exec(select(func.count()).select_from(spec.table)).one()} {name}"
            for name, spec in SPECS.items()
        )
        users = session.exec(select(func.count()).select_from(User)).one()
        programmes = session.exec(select(func.count()).select_from(Programme)).one()
        typer.echo(f"loaded the demo data: {counts}, {users} users, {programmes} programmes")
        matching = new_matching(settings, progress=progress)
        encoded = matching.rebuild(session, progress=progress)
    typer.echo(f"{encoded} texts encoded")


@app.command("export")
def export_command(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(SPECS)}.")],
    format: Annotated[
        Format | None, typer.Option(help="Default: from the suffix of --out, else json.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of to stdout.")] = None,
) -> None:
    """Write all rows of a kind as CSV or JSON (users are never exported)."""
    settings = load_settings()
    try:
        spec = spec_for(kind)
        chosen = format.value if format else format_of(out.name) if out else "json"
        with Session(open_database(settings)) as session:
            text = export(session, spec.name, chosen)
    except TransferError as error:
        fail(*error.problems)
    if out is None:
        typer.echo(text, nl=False)
        return
    # Written beside the target and renamed over it: a reader never sees half a file.
    partial = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(text.encode("utf-8"))
        partial.replace(out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        fail(f"{out}: {error.strerror}")


@app.command("import")
def import_command(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(SPECS)}.")],
    file: Annotated[Path, typer.Argument(help="A CSV or JSON file as `lcmatch export` writes.")],
    format: Annotated[Format | None, typer.Option(help="Default: from the file's suffix.")] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars on stderr.")] = True,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Records per committed batch (a rerun resumes after it).")
    ] = BATCH_SIZE,
) -> None:
    """Import a file: every record is checked first and every problem reported; only a file
    without problems is written, in committed batches: after a crash, the same command with
    the same file continues at the first unfinished batch."""
    settings = load_settings()
    try:
        spec = spec_for(kind)
        chosen = format.value if format else format_of(file.name)
        data = file.read_bytes()
    except TransferError as error:
        fail(*error.problems)
    except OSError as error:
        fail(f"{file}: {error.strerror}")
    engine = open_database(settings)
    matching = new_matching(settings, progress=progress) if spec.embed_as else None
    with Session(engine, expire_on_commit=False) as session:
        try:
            job = import_file(
                session,
                spec.name,
                data,
                chosen,
                matching=matching,
                batch_size=batch_size,
                progress=progress,
            )
        except TransferError as error:
            found = len(error.problems)
            summary = f"{found} problem{'' if found == 1 else 's'} in {file}"
            fail(*error.problems, f"{summary}; nothing was imported")
        except IntegrityError as error:
            fail(
                f"{file}: the database refused a batch ({error.orig}); it was not imported, "
                "the batches before it were: run the same command again to continue"
            )
    if job.resumed_at:
        typer.echo(f"resumed job {job.job_id} after record {job.resumed_at} of {job.total}")
    typer.echo(f"imported {job.written} {spec.name} from {file}")


@app.command("refresh-dashboards")
def refresh_dashboards(
    communities: Annotated[
        list[str] | None, typer.Argument(help="Community ids; default: every community.")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars on stderr.")] = True,
) -> None:
    """Refresh the community dashboards, as their button does (for a periodic job such as
    cron): rank the published challenges never ranked, and compute the fairness of exposure of
    every consenting student in the full ranking of every open challenge."""
    from service.usecases import dashboard_refresh

    settings = load_settings()
    with Session(open_database(settings), expire_on_commit=False) as session:
        known = list(session.exec(select(Community.id).order_by(Community.id)))
        chosen = communities or known
        unknown = [id_ for id_ in chosen if id_ not in known]
        if unknown:
            fail(*(f"community {id_!r} does not exist" for id_ in unknown))
        matching = new_matching(settings, progress=progress)
        matching.rebuild(session, progress=progress)
        for community_id in chosen:
            done = dashboard_refresh.refresh(session, matching, community_id)
            typer.echo(
                f"{community_id}: {done.ranked} challenges ranked; exposure of "
                f"{done.students} students over {done.challenges} open challenges ({done.status})"
            )


@app.command()
def reindex(
    progress: Annotated[bool, typer.Option(help="Show progress bars on stderr.")] = True,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Rows per committed batch (a rerun resumes after it).")
    ] = BATCH_SIZE,
) -> None:
    """Embed again every row whose text or model changed since it was embedded, in committed
    batches (a rerun after a crash encodes only what is still stale)."""
    settings = load_settings()
    with Session(open_database(settings), expire_on_commit=False) as session:
        matching = new_matching(settings, progress=progress)
        job = reembed(session, matching, batch_size=batch_size, progress=progress)
    typer.echo(f"{job.written} texts encoded")
