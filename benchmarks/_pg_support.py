"""What the service benchmarks share: writing the JSON, latency percentiles, a PostgreSQL server,
and a realistic cloud of vectors."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _results import publish

ROOT = Path(__file__).resolve().parent.parent
#: Built databases and servers are kept here between runs (git-ignored).
CACHE = ROOT / "var" / "bench"

if str(ROOT) not in sys.path:  # run as `python benchmarks/x.py` from anywhere
    sys.path.insert(0, str(ROOT))


def emit(name: str, result: dict) -> None:
    """Print the result as one JSON object and keep it in benchmarks/results/<name>.json."""
    publish(result, name)


def latencies_ms(call: Callable[[int], object], count: int, *, warmup: int = 10) -> np.ndarray:
    """Wall-clock milliseconds of `call(i)` for i in range(count), after a few warm-up calls."""
    for i in range(min(warmup, count)):
        call(i)
    times = np.empty(count)
    for i in range(count):
        start = time.perf_counter()
        call(i)
        times[i] = (time.perf_counter() - start) * 1000
    return times


def summary_ms(times: np.ndarray) -> dict[str, float]:
    """p50 / p99 / mean of latencies in milliseconds, rounded for reading."""
    return {
        "p50_ms": round(float(np.percentile(times, 50)), 3),
        "p99_ms": round(float(np.percentile(times, 99)), 3),
        "mean_ms": round(float(times.mean()), 3),
    }


def clustered_vectors(
    count: int,
    dimension: int,
    *,
    seed: int,
    clusters: int = 1000,
    sample_seed: int | None = None,
) -> np.ndarray:
    """L2-normalised float32 vectors around `clusters` random centres: text embeddings are
    clustered by topic, and uniform random vectors would make any index look worse (or better)
    than it is on real data. `seed` fixes the centres; a `sample_seed` draws other points
    around the same centres (queries that look like the data)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dimension)).astype(np.float32)
    if sample_seed is not None:
        rng = np.random.default_rng(sample_seed)
    which = rng.integers(0, clusters, count)
    vectors = centres[which] + 0.6 * rng.standard_normal((count, dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def exact_top(matrix: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k rows with the highest dot product, best first (numpy full scan)."""
    scores = matrix @ query
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top])]


def recall(found: list[list[str]], truth: list[list[str]]) -> float:
    """Mean share of the true top-k found, over queries."""
    shares = [len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True) if t]
    return round(float(np.mean(shares)), 4)


def postgres(folder: Path):
    """A PostgreSQL 16 server with pgvector (PyPI `pgserver`) on a data folder that is kept, so
    that a second run finds its databases built."""
    import pgserver

    folder.mkdir(parents=True, exist_ok=True)
    return pgserver.get_server(folder, cleanup_mode="stop")


def admin_url(server) -> str:
    """The server's URL for SQLAlchemy with psycopg 3."""
    import sqlalchemy as sa

    url = sa.make_url(server.get_uri()).set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def database_url(server, name: str) -> str:
    """The URL of database `name` on the server, created if missing."""
    import sqlalchemy as sa

    admin = sa.create_engine(admin_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    url = sa.make_url(admin_url(server)).set(database=name)
    return url.render_as_string(hide_password=False)
