"""The suggestions endpoint under load at 100k students, against /health under the same load.

    python benchmarks/service_load.py [--quick] [--database sqlite|postgresql]
                                      [--students N] [--seconds S] [--connections C]
                                      [--workers N] [--recompute]

Needs `wrk` (Debian/Ubuntu: `apt-get install -y wrk`). Starts the real service
(`lcmatch serve`: uvicorn, one process) on the benchmark database of
benchmarks/_service_db.py (100 communities of 1,000 students; built once under var/bench/),
logs in as the intermediary of community 0, asks once for the suggested students of one of
its challenges (the first request ranks; its time is reported on its own: the corpus
statistics are learned at start-up, never on a request), then runs wrk on loopback with
16 connections for 60 s against `/health` (the baseline) and against
`/api/v1/challenges/{id}/suggestions/students` (the per-user suggestion limit raised through
LCMATCH_SUGGESTION_REQUESTS for the run). Reports requests/s, p50/p99 latency and errors,
and the CPU time the service's processes (and PostgreSQL's) spent per request: on a busy
machine the latency says how much CPU the service got, the CPU time what it needs.

`--database postgresql` runs the same on PostgreSQL 16 with pgvector (pgserver, kept under
var/bench/): the dense candidates then come from the HNSW index, filtered in SQL, and
`--workers N` runs N uvicorn worker processes (`lcmatch serve --workers N`).

The service keeps whole pages for identical requests until the next write
(`service.storage.answer_cache`), so on SQLite the load above is mostly answered from kept pages,
as a review page reloaded is; `--recompute` (LCMATCH_KEEP_ANSWERS=false) makes every request build
its page again, which is what a request after a write costs (service_load.recomputed.json).

Prints one JSON object, written to benchmarks/results/service_load.json
(service_load.postgresql.json for PostgreSQL, service_load.postgresql.workers2.json for two
workers; `--quick`: 2,000 students, 4 connections for 3 s, service_load.quick.json).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import _pg_support as support
import _service_db as bench_db
import httpx

from service.app import default_encoder
from service.settings import Settings

WRK_MISSING = "wrk is not installed: apt-get install -y wrk (Debian/Ubuntu), brew install wrk"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_service(
    url: str, port: int, log: Path, *, workers: int = 1, keep_answers: bool = True
) -> subprocess.Popen:
    """`lcmatch serve` on the database, in its own process group, logging to a file."""
    env = dict(
        os.environ,
        LCMATCH_KEEP_ANSWERS=str(keep_answers).lower(),
        LCMATCH_DATABASE_URL=url,
        LCMATCH_HOME=str(support.CACHE / "home"),
        LCMATCH_DEMO_DATA="false",
        LCMATCH_ENVIRONMENT="development",
        LCMATCH_SUGGESTION_REQUESTS=str(10**9),  # the benchmark is one user asking often
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


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return round(float(number) * UNITS[unit], 3)


def parse_wrk(output: str) -> dict:
    """Requests/s, latency percentiles and errors from wrk's --latency report."""
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    total = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": _ms(percentiles["50"]),
        "p90_ms": _ms(percentiles["90"]),
        "p99_ms": _ms(percentiles["99"]),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(n) for n in sockets.groups()) if sockets else 0,
    }


def run_wrk(
    url: str,
    *,
    connections: int,
    seconds: int,
    token: str | None = None,
    cpu_of: dict[str, int | None] | None = None,
) -> dict:
    """wrk's figures for the URL; with `cpu_of` (a name -> leading process, see
    `cpu_seconds`), also the CPU milliseconds each spent per request meanwhile."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    groups = {name: group for name, group in (cpu_of or {}).items() if group is not None}
    before = {name: cpu_seconds(group) for name, group in groups.items()}
    finished = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    )
    result = parse_wrk(finished.stdout)
    result["errors"] = result["non_2xx"] + result["socket_errors"]
    for name, group in groups.items():
        spent = cpu_seconds(group) - before[name]
        result[f"{name}_cpu_ms_per_request"] = round(1000 * spent / max(result["requests"], 1), 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 students, 4 connections, 3 s")
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes (PostgreSQL only)"
    )
    parser.add_argument(
        "--recompute",
        action="store_true",
        help="LCMATCH_KEEP_ANSWERS=false: every request builds its page again",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit(WRK_MISSING)
    if args.workers > 1 and args.database != "postgresql":
        raise SystemExit("--workers above 1 needs --database postgresql (see `lcmatch serve`)")
    students, seconds, connections = args.students, args.seconds, args.connections
    if args.quick:
        students, seconds, connections = 2000, 3, 4

    model = default_encoder(Settings(demo_data=False)).encoder
    server = None
    if args.database == "postgresql":
        server = support.postgres(support.CACHE / "pgdata")
        database = bench_db.build_postgres(server, students, model.model_id, model.dimension)
    else:
        database = bench_db.build(support.CACHE, students, model.model_id, model.dimension)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = support.CACHE / f"service_load-{args.database}-{students}-w{args.workers}.log"
    process = start_service(
        database.url, port, log, workers=args.workers, keep_answers=not args.recompute
    )
    try:
        startup_s = wait_healthy(base, process, timeout=3600)
        login = httpx.post(
            f"{base}/api/v1/login/access-token",
            data={"username": database.login, "password": database.password},
            timeout=30,
        )
        login.raise_for_status()
        token = login.json()["access_token"]
        path = f"/api/v1/challenges/{database.challenge_id}/suggestions/students"
        headers = {"Authorization": f"Bearer {token}"}
        started = time.perf_counter()
        first = httpx.get(base + path, headers=headers, timeout=3600)
        first_s = time.perf_counter() - started
        first.raise_for_status()
        found = first.json()["count"]
        cpu_of = {
            "service": process.pid,  # the group leader: start_new_session
            "database": postmaster(server) if server is not None else None,
        }
        load = {"connections": connections, "seconds": seconds, "cpu_of": cpu_of}
        health = run_wrk(f"{base}/health", **load)
        suggestions = run_wrk(base + path, token=token, **load)
    finally:
        stop(process)
        if server is not None:
            server.cleanup()
    result = {
        "benchmark": "service_load",
        "quick": args.quick,
        "students": students,
        "connections": connections,
        "seconds": seconds,
        "server": f"lcmatch serve (uvicorn, {args.workers} worker process(es)), "
        f"{args.database}, loopback",
        "workers": args.workers,
        "vector_backend": "pgvector" if args.database == "postgresql" else "memory",
        "answers_kept": not args.recompute and args.database != "postgresql",
        "startup_until_healthy_s": round(startup_s, 2),
        "first_suggestions_request_s": round(first_s, 2),
        "suggestions_returned": found,
        "health": health,
        "suggestions": suggestions,
        "p99_vs_health": round(suggestions["p99_ms"] / max(health["p99_ms"], 1e-3), 1),
        "rps_vs_health": round(
            suggestions["requests_per_second"] / max(health["requests_per_second"], 1e-3), 4
        ),
        "target": "suggestions p99 <= 100 ms with 0 errors",
        "met": suggestions["p99_ms"] <= 100 and suggestions["errors"] == 0,
    }
    name = "service_load" + (".postgresql" if args.database == "postgresql" else "")
    name += f".workers{args.workers}" if args.workers > 1 else ""
    name += ".recomputed" if args.recompute else ""
    support.emit(name + (".quick" if args.quick else ""), result)


if __name__ == "__main__":
    main()
