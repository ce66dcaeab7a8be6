"""The pgvector route against the in-memory route: top-10 over 10k and 100k stored vectors.

    python benchmarks/pgvector_search.py [--quick]

Stores clustered vectors of the default model's dimension as student rows in PostgreSQL 16
(pgserver, kept under var/bench/ between runs), builds the HNSW index of migration 0004, then
times 1,000 top-10 queries three ways in the same run:

- exact: numpy full scan of the float32 matrix (the ground truth and the baseline);
- memory: the matcher's own index (`matcher.VectorIndex`), as the service uses it on SQLite;
- pgvector: `service.storage.vector_store.PgVectorStore.candidates`, as the service uses it on
  PostgreSQL (SQL built by SQLAlchemy, rows loaded), for a few `hnsw.ef_search` values; and
  the bare SQL through psycopg, to show what the database itself takes.

Prints one JSON object and writes it to benchmarks/results/pgvector_search.json
(`--quick`: 2,000 vectors and 50 queries, results/pgvector_search.quick.json).
"""

from __future__ import annotations

import argparse
import time

import _pg_support as support
import numpy as np
import sqlalchemy as sa
from sqlmodel import Session

from matcher.index import VectorIndex
from service.domain.tables import Level, StudentProfile
from service.storage.db import make_engine, migrate
from service.storage.vector_store import PgVectorStore, index_name

SEED = 7
K = 10
#: The dimension of the default model family (MiniLM, 384), which migration 0004 indexes.
DIMENSION = 384


def _marker(size: int) -> str:
    return f"bench-clustered-seed{SEED}-n{size}-d{DIMENSION}"


def _student_rows(ids: list[str], vectors: np.ndarray, marker: str) -> list[dict]:
    template = StudentProfile(
        id="x", full_name="Benchmark Student", programme="Benchmark", level=Level.hbo
    ).model_dump()
    template.update(consent_matching=True, embedding_model=marker, text_hash="-")
    return [
        dict(template, id=id_, embedding=vector) for id_, vector in zip(ids, vectors, strict=True)
    ]


def stored_database(server, size: int, vectors: np.ndarray) -> tuple[str, float | None]:
    """A database holding `size` student rows with these vectors and the HNSW index; built on
    the first run (returns the index build time then), found on later ones (None)."""
    url = support.database_url(server, f"bench_vectors_{size}")
    engine = make_engine(url)
    migrate(engine)
    marker = _marker(size)
    with engine.connect() as connection:
        found = connection.execute(
            sa.text("SELECT count(*), min(embedding_model) FROM student_profile")
        ).one()
    if tuple(found) == (size, marker):
        engine.dispose()
        return url, None
    index = index_name("student_profile", DIMENSION)
    with engine.begin() as connection:
        connection.exec_driver_sql("TRUNCATE student_profile CASCADE")
        # Bulk loading into an existing HNSW index is slow; build it once the rows are in.
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {index}")
    ids = [f"stu-{i:07d}" for i in range(size)]
    with Session(engine) as session:
        for start in range(0, size, 5000):
            rows = _student_rows(ids[start : start + 5000], vectors[start : start + 5000], marker)
            session.execute(sa.insert(StudentProfile), rows)
        session.commit()
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
        connection.exec_driver_sql(
            f"CREATE INDEX {index} ON student_profile "
            f"USING hnsw ((embedding::vector({DIMENSION})) vector_cosine_ops) "
            f"WHERE vector_dims(embedding) = {DIMENSION}"
        )
        connection.exec_driver_sql("ANALYZE student_profile")
    build = time.perf_counter() - started
    engine.dispose()
    return url, round(build, 2)


def run_size(server, size: int, queries: int, ef_values: list[int]) -> dict:
    vectors = support.clustered_vectors(size, DIMENSION, seed=SEED)
    url, build_s = stored_database(server, size, vectors)
    ids = [f"stu-{i:07d}" for i in range(size)]
    # Queries from the same topics as the stored rows, as a challenge's text is.
    rng_queries = support.clustered_vectors(queries, DIMENSION, seed=SEED, sample_seed=SEED + 1)

    truth = [[ids[p] for p in support.exact_top(vectors, q, K)] for q in rng_queries]
    exact = support.latencies_ms(lambda i: support.exact_top(vectors, rng_queries[i], K), queries)

    index = VectorIndex(dimension=DIMENSION)
    index.add(ids, vectors)
    memory_found: list[list[str]] = []
    memory = support.latencies_ms(lambda i: index.search(rng_queries[i], K), queries)
    memory_found = [[hit.id for hit in index.search(q, K)] for q in rng_queries]

    engine = make_engine(url)
    routes = []
    for ef in ef_values:
        store = PgVectorStore(engine, candidates=K, ef_search=ef, exact_below=0)

        def ask(i: int, store: PgVectorStore = store) -> list[str]:
            found = store.candidates("student", rng_queries[i], K, indexed=size)
            return [c.id for c in found]

        times = support.latencies_ms(ask, queries)
        found = [ask(i) for i in range(queries)]
        routes.append(
            {
                "ef_search": ef,
                **support.summary_ms(times),
                "recall_at_10_vs_exact": support.recall(found, truth),
                "recall_at_10_vs_memory": support.recall(found, memory_found),
                "exact_fallbacks": store.scans["fallback"],
                "sql_only": _bare_sql(store.engine, rng_queries),
            }
        )
        store.close()
    engine.dispose()
    exact_summary = support.summary_ms(exact)
    for route in routes:
        route["p50_vs_exact_numpy"] = round(route["p50_ms"] / exact_summary["p50_ms"], 3)
    return {
        "vectors": size,
        "index_build_s": build_s,  # None: the index was built by an earlier run and kept
        "exact_numpy": exact_summary,
        "memory_route": {
            **support.summary_ms(memory),
            "recall_at_10_vs_exact": support.recall(memory_found, truth),
        },
        "pgvector_route": routes,
    }


def _bare_sql(engine: sa.Engine, queries: np.ndarray) -> dict[str, float]:
    """p50/p99 of the same top-10 in plain SQL over psycopg: the database's own share. The
    vector goes in pgvector's binary form, as the route sends it (the store's connections
    have its dumper), so the difference to the route is the route's own Python."""
    sql = (
        f"SELECT id FROM student_profile WHERE vector_dims(embedding) = {DIMENSION} "
        f"ORDER BY embedding::vector({DIMENSION}) <=> %s LIMIT {K}"
    )
    vectors = [np.ascontiguousarray(q, dtype=np.float32) for q in queries]
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        times = support.latencies_ms(
            lambda i: cursor.execute(sql, (vectors[i],)).fetchall(), len(vectors)
        )
    finally:
        connection.close()
    return support.summary_ms(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 vectors, 50 queries")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--ef-search", type=int, nargs="*", default=[40, 60, 100])
    args = parser.parse_args()
    sizes, queries, ef_values = args.sizes, args.queries, args.ef_search
    if args.quick:
        sizes, queries, ef_values = [2000], 50, [100]
    server = support.postgres(support.CACHE / "pgdata")
    try:
        results = [run_size(server, size, queries, ef_values) for size in sizes]
    finally:
        server.cleanup()
    best = results[-1]["pgvector_route"]
    chosen = next((route for route in best if route["recall_at_10_vs_exact"] >= 0.99), best[-1])
    result = {
        "benchmark": "pgvector_search",
        "quick": args.quick,
        "dimension": DIMENSION,
        "k": K,
        "queries": queries,
        "sizes": results,
        "headline": {
            "vectors": results[-1]["vectors"],
            "ef_search": chosen["ef_search"],
            "pgvector_p50_ms": chosen["p50_ms"],
            "pgvector_recall_at_10": chosen["recall_at_10_vs_exact"],
            "memory_p50_ms": results[-1]["memory_route"]["p50_ms"],
            "target": "p50 <= 2 ms at recall@10 >= 0.99 (100k)",
            "met": chosen["p50_ms"] <= 2.0 and chosen["recall_at_10_vs_exact"] >= 0.99,
        },
    }
    support.emit("pgvector_search.quick" if args.quick else "pgvector_search", result)


if __name__ == "__main__":
    main()
