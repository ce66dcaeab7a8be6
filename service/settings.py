"""One place for every setting, read from the environment (prefix LCMATCH_) or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from matcher.ann import AnnSettings, Storage
from matcher.model_files import DEFAULT_MODEL
from matcher.ranker import REFIT_DRIFT, Weights

#: The public secret of old examples; the service refuses it outside development and warns
#: loudly in development (an unset secret is made at random: see service.storage.secret_files).
PLACEHOLDER_SECRET = "change-me-this-placeholder-is-for-development-only"


class Settings(BaseSettings):
    """lcmatch's settings; `LCMATCH_MODEL=...` in the environment overrides `model`, etc."""

    model_config = SettingsConfigDict(env_prefix="LCMATCH_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development", description="Outside development a real secret key is required."
    )
    home: Path = Field(Path("var"), description="Data directory: database, embedding cache.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default SQLite in LCMATCH_HOME. PostgreSQL: "
        "postgresql+psycopg://user:password@host/db",
        validation_alias=AliasChoices("LCMATCH_DATABASE_URL", "DATABASE_URL"),
    )
    secret_key: str | None = Field(
        None,
        description="Signs the login tokens (JWT) and the pages' form tokens. Unset: a random "
        "one made on the first start and kept in LCMATCH_HOME/secret_key (mode 0600).",
    )
    pseudonym_key: str | None = Field(
        None,
        description="Keys the pseudonyms that replace an erased person's ids in the audit log "
        "(HMAC-SHA256). Unset: a random one kept in LCMATCH_HOME/pseudonym_key.",
    )
    token_minutes: int = Field(60 * 8, ge=1, description="How long a login token is valid.")
    login_failures_per_account: int = Field(
        5, ge=1, description="Failed logins for one account per window; then 429."
    )
    login_failures_per_address: int = Field(
        20,
        ge=1,
        description="Failed logins from one client address per window (a school's "
        "network may share one address); then 429.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description='Reverse proxies (addresses or networks, as JSON: ["10.0.0.5"]) whose '
        "X-Forwarded-For header names the client; from anyone else it is ignored.",
    )
    login_window_seconds: float = Field(60, gt=0, description="The window of the login limits.")
    suggestion_requests: int = Field(
        30, ge=1, description="Suggestion requests (they rank a community) per user per window."
    )
    suggestion_window_seconds: float = Field(
        60, gt=0, description="The window of the suggestion limit."
    )
    round_time_limit_s: float = Field(
        30, gt=0, description="The most a round's solve may take (s); a round asks for less."
    )
    max_body_bytes: int = Field(
        1024 * 1024, ge=1, description="The largest request body accepted; larger is 413."
    )
    demo_data: bool = Field(True, description="Load the Dutch demo data into an empty database.")
    demo_password: str = Field("demo-wachtwoord", description="Password of the demo logins.")
    startup_progress: bool = Field(
        True,
        description="Draw progress bars while start-up embeds texts and fits indexes (the first "
        "start embeds the demo data: minutes, not a hang).",
    )
    host: str = Field("127.0.0.1", description="Address `lcmatch serve` listens on.")
    port: int = Field(8000, description="Port `lcmatch serve` listens on.")
    workers: int = Field(
        1,
        ge=1,
        description="Processes `lcmatch serve` runs. More than one needs PostgreSQL with the "
        "pgvector backend: in memory, each process would keep an index of its own.",
    )
    keep_answers: bool = Field(
        True,
        description="Keep whole pages of suggestions for identical requests until the next "
        "write to the database (never with pgvector, where other processes write).",
    )
    smtp_host: str | None = Field(
        None,
        description="SMTP server for the notification mails. Unset (the default in "
        "development): mails are only kept in the outbox, which an admin reads at /admin/outbox.",
    )
    smtp_port: int = Field(25, ge=1, le=65535, description="Port of the SMTP server.")
    mail_sender: str = Field(
        "lcmatch <noreply@lcmatch.invalid>", description="The From of the notification mails."
    )
    public_url: str | None = Field(
        None,
        description="The site's address as people reach it, for the links in mails; unset: "
        "http://HOST:PORT.",
    )
    model: str = Field(DEFAULT_MODEL, description="Dense model: a name or a folder.")
    query_prefix: str | None = Field(
        None,
        description='Put before queries, e.g. "query: " for e5; unset: the model folder\'s own '
        "prompt (models/multilingual-e5-small names it), else none.",
    )
    passage_prefix: str | None = Field(
        None, description='Put before indexed texts, e.g. "passage: "; unset as above.'
    )
    batch_size: int = Field(32, ge=1, le=1024, description="Texts per encoder batch.")
    precision: Literal["auto", "fp32", "bf16", "openvino-bf16"] = Field(
        "auto",
        description="Number format and runtime of the dense model: auto takes bf16 where the "
        "CPU has native bf16 instructions (computed by OpenVINO where it is installed, by torch "
        "where not) and fp32 elsewhere.",
    )
    # None: the shipped fit (models/fusion.json), read when the weights are first asked for.
    weight_dense: float | None = Field(None, ge=0, description="Weight of the dense score.")
    weight_lexical: float | None = Field(None, ge=0, description="Weight of the lexical score.")
    weight_skill: float | None = Field(None, ge=0, description="Weight of the skill overlap.")
    ann_threshold: int = Field(
        AnnSettings.threshold,
        ge=1,
        description="Rows of one kind from which its index is an HNSW graph (approximate) and "
        "the fusion runs over candidates; below it, search is exact.",
    )
    ann_candidates: int = Field(
        AnnSettings.candidates,
        ge=1,
        description="Above the threshold: dense and lexical candidates per query that are fused.",
    )
    ann_storage: Storage = Field(
        AnnSettings.storage, description="How the HNSW graph keeps vectors: int8 or float16."
    )
    refit_drift: float = Field(
        REFIT_DRIFT,
        ge=0,
        description="Rows written since the n-gram and skill weights were learned, as a share "
        "of the rows they were learned from, at which they are learned again (0: on every "
        "write). Up to 1,000 rows of a kind they always are.",
    )
    vector_backend: Literal["auto", "memory", "pgvector"] = Field(
        "auto",
        description="Where dense candidates come from: memory (each process's own index) or "
        "pgvector (PostgreSQL, so several processes serve one database). auto: pgvector on "
        "PostgreSQL, memory on SQLite.",
    )
    pgvector_candidates: int = Field(
        200, ge=10, le=1000, description="Rows pgvector hands to the hybrid fusion per query."
    )
    pgvector_ef_search: int = Field(
        100, ge=10, le=1000, description="hnsw.ef_search (raised to the candidates): recall."
    )
    pgvector_exact_below: int = Field(
        10_000,
        ge=0,
        description="Kinds with fewer rows are scanned exactly in PostgreSQL (the in-memory "
        "answer exactly); larger ones through the HNSW index.",
    )

    @property
    def database(self) -> str:
        """The database URL in use."""
        return self.database_url or f"sqlite:///{self.home / 'lcmatch.sqlite'}"

    @property
    def site_url(self) -> str:
        """The address the links in mails start with (no trailing slash)."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def embedding_cache(self) -> Path:
        """The file that caches embeddings by (model, text hash)."""
        return self.home / "embeddings.sqlite"

    def ann(self) -> AnnSettings:
        """When and how the indexes turn approximate."""
        return AnnSettings(
            threshold=self.ann_threshold, candidates=self.ann_candidates, storage=self.ann_storage
        )

    def weights(self) -> Weights:
        """The hybrid's weights: those set, the shipped fit for the rest."""
        given = {"dense": self.weight_dense, "lexical": self.weight_lexical}
        given["skill"] = self.weight_skill
        if any(value is None for value in given.values()):
            learned = Weights.learned()
            given = {name: getattr(learned, name) if v is None else v for name, v in given.items()}
        return Weights(**given)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process."""
    return Settings()
