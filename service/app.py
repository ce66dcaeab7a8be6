"""The FastAPI application."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from matcher.encoders import TextEncoder
from matcher.places import all_places
from service.api import errors, limits
from service.api.deps import ending_reads
from service.api.safe_input import refuse_unstorable_json
from service.api.security_headers import SecurityHeaders
from service.domain.tables import AuditEntry
from service.settings import PLACEHOLDER_SECRET, Settings
from service.storage.answer_cache import AnswerCache, WriteClock
from service.storage.db import make_engine, migrate
from service.storage.secret_files import with_secrets
from service.storage.vector_store import PgVectorStore, choose_backend
from service.usecases.matching import Matching

log = logging.getLogger("lcmatch")

API = "/api/v1"


#: The shortest secret accepted outside development (HS256 wants a key of at least 32 bytes).
MIN_SECRET_LENGTH = 32


def check_secret(settings: Settings) -> None:
    """Refuse to run anywhere but development with the placeholder secret or a short one
    (an unset secret is fine: a random one is made on start-up)."""
    if settings.environment == "development" or settings.secret_key is None:
        return
    if settings.secret_key == PLACEHOLDER_SECRET:
        raise RuntimeError(
            "LCMATCH_SECRET_KEY is the placeholder: set a long random secret outside development"
        )
    if len(settings.secret_key) < MIN_SECRET_LENGTH:
        raise RuntimeError(
            f"LCMATCH_SECRET_KEY is too short: use at least {MIN_SECRET_LENGTH} random characters"
        )


def default_encoder(settings: Settings) -> TextEncoder:
    """The configured model, behind an embedding cache in memory (vectors live in the rows)."""
    from matcher.cache import CachedEncoder
    from matcher.encoders import SentenceEncoder

    return CachedEncoder(
        encoder=SentenceEncoder(
            model=settings.model,
            query_prefix=settings.query_prefix,
            passage_prefix=settings.passage_prefix,
            batch_size=settings.batch_size,
            precision=settings.precision,
        )
    )


def vector_store(settings: Settings, engine: Engine) -> PgVectorStore | None:
    """The pgvector store when dense candidates come from PostgreSQL, else None (memory)."""
    if choose_backend(settings.vector_backend, engine.url.drivername) == "memory":
        return None
    return PgVectorStore(
        engine,
        candidates=settings.pgvector_candidates,
        ef_search=settings.pgvector_ef_search,
        exact_below=settings.pgvector_exact_below,
    )


def load_demo_once(session: Session, settings: Settings) -> None:
    """Load the demo data into an empty database; a second process starting at the same
    moment finds it loaded (its own attempt fails on the unique keys and is rolled back)."""
    from service.usecases.demo import load_demo_if_empty

    try:
        if load_demo_if_empty(session, settings):
            log.info("demo data loaded (first start): its texts are embedded next")
    except IntegrityError:
        session.rollback()
        log.info("demo data was loaded by another process")


def create_app(
    settings: Settings | None = None,
    *,
    encoder: TextEncoder | None = None,
    engine: Engine | None = None,
    clock: limits.Clock = time.monotonic,
) -> FastAPI:
    """The app for these settings; tests pass a fake encoder, their own engine, or a clock
    for the rate limits."""
    settings = settings or Settings()
    check_secret(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = with_secrets(settings)  # before any request: they sign with them
        app.state.engine = engine or make_engine(settings.database)
        migrate(app.state.engine)
        app.state.matching = Matching(
            encoder=encoder or default_encoder(settings),
            weights=settings.weights(),
            store=vector_store(settings, app.state.engine),
            ann=settings.ann(),
            refit_drift=settings.refit_drift,
            state_dir=settings.home / "index-state",
        )
        # Whole answers are kept only where this process sees every write: not with pgvector,
        # where other processes write too (see service.storage.answer_cache).
        clock = None
        if settings.keep_answers and app.state.matching.store is None:
            clock = WriteClock(app.state.engine, ignored_tables=[AuditEntry.__tablename__])
        app.state.answers = AnswerCache(clock) if clock is not None else None
        with Session(app.state.engine, expire_on_commit=False) as session:
            if settings.demo_data:
                load_demo_once(session, settings)
            encoded = app.state.matching.rebuild(session, progress=settings.startup_progress)
        log.info("indexes built; %d texts encoded; ready", encoded)
        # The model's weights load beside the first requests (start-up stays short); a search
        # that needs them meanwhile waits for this one load.
        threading.Thread(
            target=app.state.matching.load_encoder, name="lcmatch-load-model", daemon=True
        ).start()
        from service.web.journey_mail import MailSender

        app.state.mail_sender = MailSender(app.state.engine, app.state.settings)
        app.state.mail_sender.start()
        # The gazetteer, read now: every saved place is looked up in it, and reading its 80 MB
        # file takes seconds (up to 13 s on a busy machine), too long for the first request.
        all_places()
        # What start-up built (indexes, their texts and weights, the skill list) lives as long
        # as the process: out of the garbage collector's sight, so that its full collections
        # do not pause every request to walk 100k profiles again.
        gc.freeze()
        yield
        gc.unfreeze()  # collectable again once this app is gone (tests start many)
        app.state.mail_sender.stop()
        if clock is not None:  # this run's own (a test may run an app's lifespan twice)
            clock.close()
        if app.state.matching.store is not None:
            app.state.matching.store.close()
        if engine is None:
            app.state.engine.dispose()

    app = FastAPI(
        title="lcmatch",
        version="0.1.0",
        description="Matchmaking for learning communities: SME challenges, students and "
        "research groups, reviewed by intermediaries.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    limits.install(app, settings, clock)
    errors.install(app)

    from service.api.routes import (
        auth,
        challenges,
        communities,
        meetings,
        organisations,
        privacy,
        professionals,
        programmes,
        research_groups,
        reviews,
        rounds,
        students,
        suggestions,
        teachers,
        themes,
        users,
    )

    # Order matters where paths overlap: /users/me (auth) before /users/{user_id} (users).
    for module in (
        auth,
        communities,
        organisations,
        users,
        students,
        research_groups,
        challenges,
        suggestions,
        reviews,
        privacy,
        programmes,
        teachers,
        professionals,
        rounds,
        themes,
        meetings,
    ):
        # A body no database stores (an unpaired surrogate, NaN) is a 422, not a 500.
        checks = [Depends(refuse_unstorable_json)]
        router = ending_reads(module.router)  # no connection held while a route's answer waits
        if module is suggestions:  # ranking is costly: a per-user allowance
            app.include_router(
                router,
                prefix=API,
                dependencies=[*checks, Depends(limits.limit_suggestions)],
                responses=limits.SUGGESTIONS_LIMITED,
            )
        else:
            app.include_router(router, prefix=API, dependencies=checks)
    limits.declare_body_limit(app)

    from service import web  # the pages, under / (after the API, so /api/v1 comes first)

    web.install(app)
    app.add_middleware(SecurityHeaders)  # outermost: on pages, files and errors alike

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        """Liveness: the process answers (on the event loop, so busy worker threads do not
        make a live process look dead)."""
        return {"status": "ok"}

    return app
