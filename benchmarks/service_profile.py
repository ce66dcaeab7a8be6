"""Where the service's CPU goes under the work users give it: py-spy samples the service while
the load benchmark's realistic mix (benchmarks/_service_mix.py) is sent at a fixed rate.

    python benchmarks/service_profile.py [--quick] [--students N] [--seconds S] [--rate R]
                                         [--gil]

Starts `lcmatch serve` on the benchmark database (see service_load.py), samples it with
py-spy for S seconds (default 20) under the mix at R requests/s (default 20, open loop), and
prints the share of samples per
stage of a request (a stage is the first of its markers found in a sample's stack, from the
leaf up) and the top functions by own time. `--gil` keeps only the samples of the thread
that holds the GIL: where the one core that Python code runs on goes (without it, threads
waiting in C, say for fsync, count as working). Not a timing: run it under `nice -n 19`.
Writes benchmarks/results/service_profile.json (service_profile.quick.json with --quick).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import _pg_support as support
import _service_db as bench_db
from _results import publish
from service_load import drive, free_port, start_service, stop, wait_healthy

from service.app import default_encoder
from service.settings import Settings

#: Stages of a request, by a marker in a stack frame (function name + file); the first
#: stage whose marker appears in a stack, searched from the leaf outwards, gets the sample.
STAGES = [
    ("audit write (group commit)", ("group_commit.py",)),
    ("audit entries", ("record_suggestion_views",)),
    ("auth: JWT", ("read_token",)),
    ("auth: user and memberships", ("get_actor",)),
    ("thread pool hand-off (anyio)", ("anyio",)),
    ("access check", ("challenge_for_student_suggestions",)),
    ("ranking (cache)", ("matching.py",)),
    ("students and stored suggestions", ("students_for_challenge",)),
    ("response model", ("suggestions_public",)),
    ("response serialisation", ("_answer", "serialize_response", "jsonable_encoder", "render")),
    ("endpoint, other", ("suggest_students",)),
    ("HTTP (uvicorn, h11 or httptools, asyncio)", ("h11", "httptools", "uvicorn", "asyncio")),
    ("starlette/fastapi", ("starlette", "fastapi")),
]


def stage_of(frames: list[str]) -> str:
    for frame in reversed(frames):  # py-spy's raw format lists the root first
        for name, markers in STAGES:
            if any(marker in frame for marker in markers):
                return name
    return "other"


#: Leaf frames of a thread that waits (py-spy samples some of them as active).
WAITING = ("Condition.wait", "EpollSelector.select", "Event.wait", "Thread.join")


def summarise(raw: Path) -> dict:
    """Shares of the samples in which a thread was working (not waiting)."""
    stages: Counter = Counter()
    own: Counter = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        if frames[-1].startswith(WAITING):
            continue
        samples = int(count)
        total += samples
        stages[stage_of(frames)] += samples
        own[frames[-1]] += samples
    share = {name: round(100 * n / max(total, 1), 1) for name, n in stages.most_common()}
    top = {name: round(100 * n / max(total, 1), 1) for name, n in own.most_common(25)}
    return {"samples": total, "stage_percent": share, "top_own_percent": top}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 students, 3 s")
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rate", type=float, default=20.0, help="requests/s of the mix")
    parser.add_argument("--gil", action="store_true", help="only samples that hold the GIL")
    args = parser.parse_args()
    # The virtual environment's own py-spy (the dev extra) when its bin/ is not on the PATH.
    beside = Path(sys.executable).with_name("py-spy")
    py_spy = str(beside) if beside.exists() else shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("py-spy is not installed (pip install py-spy)")
    students, seconds = (2000, 3) if args.quick else (args.students, args.seconds)
    model = default_encoder(Settings(demo_data=False)).encoder
    database = bench_db.build(
        support.CACHE, students, model.model_id, model.dimension, queries=bench_db.asymmetric(model)
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_service(database.url, port, support.CACHE / f"service_profile-{students}.log")
    raw = support.CACHE / f"service_profile-{students}.txt"
    try:
        wait_healthy(base, process, timeout=3600)
        ready = threading.Event()  # logged in and warmed up: sample the steady mix only
        mix = {"rates": [args.rate], "seconds": seconds + 2, "cpu_of": {}, "on_ready": ready.set}
        load = threading.Thread(target=lambda: asyncio.run(drive(base, database, **mix)))
        load.start()
        ready.wait()
        spy = [py_spy, "record", "-p", str(process.pid), "-d", str(seconds), "-f", "raw"]
        spy += ["--gil"] if args.gil else []
        subprocess.run([*spy, "-o", str(raw), "--nonblocking"], check=True, capture_output=True)
        load.join()
    finally:
        stop(process)
    result = {
        "benchmark": "service_profile",
        "quick": args.quick,
        "students": students,
        "load": f"the realistic mix at {args.rate:g} requests/s",
        "samples_of": "the thread holding the GIL" if args.gil else "every thread not waiting",
    }
    result |= summarise(raw)
    publish(result, "service_profile", quick=args.quick)


if __name__ == "__main__":
    main()
