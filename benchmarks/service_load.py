"""The service under the work users give it: the highest request rate it answers in time.

    python benchmarks/service_load.py [--quick] [--database sqlite|postgresql] [--workers N]
                                      [--students N] [--rates 50,100,...] [--seconds S]

Starts the real service (`lcmatch serve`) on the benchmark database of
benchmarks/_service_db.py (100 communities of 1,000 students, ten published challenges each,
an intermediary and 36 students with a login per community; built once under var/bench/)
and sends it a realistic mix (benchmarks/_service_mix.py: many challenges, students and
viewers with a skewed popularity; 95 % reads and 5 % writes, each write changing what later
reads see, so kept answers are dropped as they would be in use) at fixed rates, open loop
(benchmarks/_open_loop.py: the send times are drawn in advance and latency counts from when a
request was due, so a slow service is not asked less). It steps the rate up and reports, per
step, p50/p90/p99 per kind of request and errors, and the headline: the highest offered rate
whose p99 stays within 100 ms with no error. /health at the same rates, through the same
driver, is the baseline: what the driver and the loopback add. The CPU time the service's
processes (and PostgreSQL's) spent per request says what a request needs on a busy machine.

`--database postgresql` runs the same on PostgreSQL 16 with pgvector (pgserver, kept under
var/bench/) and `--workers N` with N uvicorn worker processes.

Prints one JSON object, written to benchmarks/results/service_load.json
(service_load.postgresql.json, service_load.postgresql.workers2.json; `--quick`: 2,000
students, two short steps, service_load.quick.json).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import _pg_support as support
import _service_db as bench_db
import httpx
from _open_loop import run_step
from _service_mix import Mix, Viewers, log_in_all

from service.app import default_encoder
from service.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_service(url: str, port: int, log: Path, *, workers: int = 1) -> subprocess.Popen:
    """`lcmatch serve` on the database, in its own process group, logging to a file."""
    env = dict(
        os.environ,
        LCMATCH_DATABASE_URL=url,
        LCMATCH_HOME=str(support.CACHE / "home"),
        LCMATCH_DEMO_DATA="false",
        LCMATCH_ENVIRONMENT="development",
        LCMATCH_SUGGESTION_REQUESTS=str(10**9),  # one login may stand for many page views
        LCMATCH_PORT=str(port),
    )
    lcmatch = Path(sys.executable).with_name("lcmatch")
    return subprocess.Popen(
        [str(lcmatch), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(base: str, process: subprocess.Popen, timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise SystemExit(f"the service stopped during start-up (exit {process.returncode})")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the service did not answer /health within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def cpu_seconds(leader: int) -> float:
    """User + system CPU time of a process and every live process of its group or among its
    children: the service (uvicorn and its workers share its group) or PostgreSQL (each
    backend the postmaster forks starts a session of its own)."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            continue
        # fields[1]: parent, [2]: process group; [11], [12]: user and system time in ticks
        if int(entry.name) == leader or leader in (int(fields[1]), int(fields[2])):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def postmaster(server) -> int | None:
    """The pid of a pgserver's PostgreSQL postmaster (from its pid file)."""
    pid_file = Path(server.pgdata) / "postmaster.pid"
    if not pid_file.exists():
        return None
    return int(pid_file.read_text().split()[0])


P99_TARGET_MS = 100.0


async def drive(
    base: str,
    database,
    *,
    rates: list[float],
    seconds: float,
    cpu_of: dict,
    on_ready: Callable[[], object] | None = None,
) -> dict:
    """Log everyone in, warm up, then step through the rates: the mix, then /health.
    `on_ready` is called when the measured steps begin."""
    intermediaries = database.intermediary_logins()
    students = database.student_logins()
    logins = intermediaries + [login for group in students for _, login in group]
    tokens = await log_in_all(base, logins, database.password)
    viewers = Viewers(
        intermediaries=[tokens[login] for login in intermediaries],
        students=[[(sid, tokens[login]) for sid, login in group] for group in students],
    )
    mix = Mix(viewers, bench_db.CHALLENGES_PER_COMMUNITY, seed=bench_db.SEED)
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:
        # Warm-up: every community's first ranking (its corpus statistics are learned at
        # start-up, but the first pages build the per-query state a user would also build).
        await run_step(client, mix.next_request, rate=rates[0], seconds=seconds / 2, seed=0)
        steps, passed = [], None
        if on_ready is not None:
            on_ready()
        for n, rate in enumerate(rates):
            groups = {name: leader for name, leader in cpu_of.items() if leader is not None}
            before = {name: cpu_seconds(leader) for name, leader in groups.items()}
            step = await run_step(client, mix.next_request, rate=rate, seconds=seconds, seed=n + 1)
            summary = step.summary()
            for name, leader in groups.items():
                spent = cpu_seconds(leader) - before[name]
                summary[f"{name}_cpu_ms_per_request"] = round(1000 * spent / max(step.sent, 1), 2)
            summary["met"] = (
                summary["errors"] == 0
                and summary["p99_ms"] is not None
                and summary["p99_ms"] <= P99_TARGET_MS
            )
            steps.append(summary)
            if summary["met"]:
                passed = rate
            elif len(steps) >= 2 and not steps[-2]["met"]:
                break  # two steps in a row over the target: higher rates only queue more

        async def health(client: httpx.AsyncClient) -> tuple[str, int]:
            return "health", (await client.get("/health")).status_code

        baseline = [
            (
                await run_step(
                    client, lambda: health, rate=s["offered_per_second"], seconds=seconds, seed=99
                )
            ).summary()
            for s in steps[-2:]
        ]
    return {"steps": steps, "health": baseline, "highest_rate_met": passed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 students, two short steps")
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--rates", default="50,100,150,200,250,300,400,500")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes (PostgreSQL only)"
    )
    args = parser.parse_args()
    if args.workers > 1 and args.database != "postgresql":
        raise SystemExit("--workers above 1 needs --database postgresql (see `lcmatch serve`)")
    students, seconds = args.students, args.seconds
    rates = [float(rate) for rate in args.rates.split(",")]
    if args.quick:
        students, seconds, rates = 2000, 3.0, [10.0, 20.0]

    model = default_encoder(Settings(demo_data=False)).encoder
    server = None
    if args.database == "postgresql":
        server = support.postgres(support.CACHE / "pgdata")
        database = bench_db.build_postgres(
            server, students, model.model_id, model.dimension, queries=bench_db.asymmetric(model)
        )
    else:
        database = bench_db.build(
            support.CACHE,
            students,
            model.model_id,
            model.dimension,
            queries=bench_db.asymmetric(model),
        )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = support.CACHE / f"service_load-{args.database}-{students}-w{args.workers}.log"
    process = start_service(database.url, port, log, workers=args.workers)
    try:
        startup_s = wait_healthy(base, process, timeout=3600)
        cpu_of = {
            "service": process.pid,  # the group leader: start_new_session
            "database": postmaster(server) if server is not None else None,
        }
        driven = asyncio.run(drive(base, database, rates=rates, seconds=seconds, cpu_of=cpu_of))
    finally:
        stop(process)
        if server is not None:
            server.cleanup()
    result = {
        "benchmark": "service_load",
        "quick": args.quick,
        "students": students,
        "seconds_per_step": seconds,
        "server": f"lcmatch serve (uvicorn, {args.workers} worker process(es)), "
        f"{args.database}, loopback",
        "workers": args.workers,
        "vector_backend": "pgvector" if args.database == "postgresql" else "memory",
        "cpus": os.cpu_count(),
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "mix": "benchmarks/_service_mix.py: 95 % reads, 5 % writes, Zipf popularity",
        "startup_until_healthy_s": round(startup_s, 2),
        **driven,
        "target": f"the highest offered rate with p99 <= {P99_TARGET_MS:.0f} ms and no error",
    }
    name = "service_load" + (".postgresql" if args.database == "postgresql" else "")
    name += f".workers{args.workers}" if args.workers > 1 else ""
    support.emit(name + (".quick" if args.quick else ""), result)


if __name__ == "__main__":
    main()
