"""Crash tests: a writer process is killed with SIGKILL at a seeded moment, again and again.

The writer (crash_writer.py, started with subprocess) works on a copy of the seeded world, on
SQLite (a file, WAL, synchronous=FULL) or PostgreSQL. It posts challenges through the API
(TestClient inside the writer) and prints each id only after its 201 came back: the
acknowledgement. The test reads the acknowledgements as they come, kills the writer after a
seeded number of them plus a seeded few milliseconds (so the kill lands anywhere in the next
request: in the route, in the commit, in the fsync), and then checks the database as a restart
finds it:

- every acknowledged write is there (lost writes must be 0);
- SQLite: `PRAGMA integrity_check` is ok and `PRAGMA foreign_key_check` finds nothing;
  PostgreSQL: the rows, and a consistency query (every challenge has its organisation, its
  community and its embedding);
- the next round's writer starts the app on the same database (the restart: migrations and the
  index rebuild run on it), and at the end the app starts once more in this process and answers.

The same for an import: a writer imports a file of students (each with its community
membership) and is killed while the rows are being written; the import is then there in full
or not at all, never in part.

A deliberately broken control (LCMATCH_CRASH_ACK_BEFORE_COMMIT=1) acknowledges each challenge
before its commit and waits; killed the same way, it loses acknowledged writes, and the checker
must see them. The kill moment is seeded so that it does so in every round.

SIGKILL is a process crash: what the writer had committed is in the operating system's hands,
and what it had not is gone. It does not simulate a power cut (that synchronous=FULL is for).
The PostgreSQL server is not killed, only its client. Every loop has a fixed count and a time
limit; everything runs on this machine, against files and the local pgserver.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from apiworld import running_app

from service.storage.db import make_engine

WRITER = Path(__file__).with_name("crash_writer.py")
SEED = 20_260_611

#: Kill rounds per backend, for the real writer, the import and the broken control.
ROUNDS = {"sqlite": 10, "postgresql": 5}
IMPORT_ROUNDS = {"sqlite": 3, "postgresql": 2}
CONTROL_ROUNDS = {"sqlite": 3, "postgresql": 2}
#: The writer is killed after this many acknowledgements (seeded in between)...
ACKS_BEFORE_KILL = (2, 25)
#: ... the broken one sooner: each of its writes waits EARLY_ACK_WAIT before the commit.
CONTROL_ACKS_BEFORE_KILL = (1, 4)
#: ... plus this many seconds: up to about one request, so the kill lands anywhere in it.
EXTRA_DELAY = (0.0, 0.03)
WRITES_PER_ROUND = 1_000  # more than are ever acknowledged before the kill
IMPORT_ROWS = 2_000
ROUND_TIMEOUT = 60.0  # seconds for one round: start, writes, kill, check
BUDGET = 240.0  # seconds for one whole test


# -- the writer process ---------------------------------------------------------------------


class Writer:
    """A running crash_writer.py whose stdout is read line by line, with deadlines."""

    def __init__(self, command: list[str], cwd: Path, log: Path, env: dict[str, str]) -> None:
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            bufsize=0,
        )
        self._buffer = b""
        self._eof = False

    def line(self, deadline: float) -> str | None:
        """The next whole line; None once the writer's stdout is closed. A line cut off by the
        kill is no acknowledgement and is dropped."""
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            if self._eof:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no line from the writer in time; its log: {self.tail()}")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65_536)
                if chunk:
                    self._buffer += chunk
                else:
                    self._eof = True
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def expect(self, wanted: str, deadline: float) -> None:
        line = self.line(deadline)
        assert line == wanted, f"expected {wanted!r}, got {line!r}; log: {self.tail()}"

    def kill(self, deadline: float) -> list[str]:
        """SIGKILL, then every whole line the writer had written before it died."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=max(1.0, deadline - time.monotonic()))
        lines = []
        while (line := self.line(deadline)) is not None:
            lines.append(line)
        return lines

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *_: object) -> None:
        """Whatever happened in the round, the writer does not outlive it."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process.stdout.close()
        self._log_file.close()

    def tail(self) -> str:
        self._log_file.flush()
        return self.log.read_text(errors="replace")[-2000:]


def start_writer(arguments: list[str], tmp_path: Path, log: str, *, control: bool) -> Writer:
    """crash_writer.py with these arguments, in an environment without LCMATCH_ settings
    (the writer passes its own), in the broken mode for the control."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("LCMATCH_") and name != "DATABASE_URL"
    }
    if control:
        env["LCMATCH_CRASH_ACK_BEFORE_COMMIT"] = "1"
    command = [sys.executable, str(WRITER), *arguments]
    return Writer(command, cwd=tmp_path, log=tmp_path / log, env=env)


# -- checking a database after a kill ---------------------------------------------------------


def sqlite_path(url: str) -> str:
    return url.split(":///", 1)[1]


def integrity_problems(url: str) -> list[str]:
    """What is wrong with the database as a restart finds it (nothing, one hopes)."""
    problems = []
    if url.startswith("sqlite"):
        # A plain connection, as a restart makes one: it recovers the WAL first.
        connection = sqlite3.connect(sqlite_path(url))
        try:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems.append(f"integrity_check: {result}")
            dangling = connection.execute("PRAGMA foreign_key_check").fetchall()
            if dangling:
                problems.append(f"foreign_key_check: {dangling[:5]}")
        finally:
            connection.close()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            orphans = connection.execute(
                sa.text(
                    "SELECT c.id FROM challenge c"
                    " LEFT JOIN organisation o ON o.id = c.organisation_id"
                    " LEFT JOIN community m ON m.id = c.community_id"
                    " WHERE o.id IS NULL OR m.id IS NULL OR c.embedding IS NULL"
                )
            ).fetchall()
            if orphans:
                problems.append(f"challenges without organisation, community or vector: {orphans}")
            lonely = connection.execute(
                sa.text(
                    "SELECT s.id FROM student_profile s WHERE s.id LIKE 'stu-imp%' AND NOT EXISTS"
                    " (SELECT 1 FROM membership m WHERE m.member_id = s.id)"
                )
            ).fetchall()
            if lonely:
                problems.append(f"imported students without their membership: {lonely[:5]}")
    finally:
        engine.dispose()
    return problems


def ids_like(url: str, table: str, prefix: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            query = sa.text(f"SELECT id FROM {table} WHERE id LIKE :prefix")
            return {row[0] for row in connection.execute(query, {"prefix": prefix + "%"})}
    finally:
        engine.dispose()


# -- the figures ----------------------------------------------------------------------------


@dataclass
class Tally:
    """What the rounds did and found."""

    backend: str
    writer: str  # "api", "import" or "control"
    rounds: int = 0
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged, then not in the database
    committed_unacknowledged: int = 0  # written, killed before the ack: allowed
    imports_complete: int = 0
    imports_absent: int = 0
    imports_partial: list[str] = field(default_factory=list)
    # When each import was killed, and what the check found.
    import_kills: list[str] = field(default_factory=list)
    integrity_problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{self.backend}-{self.writer}.json"
        path.write_text(json.dumps(asdict(self), indent=2))
        print(
            f"\ncrash {self.backend} {self.writer}: {self.rounds} kill rounds, "
            f"{self.acknowledged} acknowledged writes, {len(self.lost)} lost, "
            f"{self.committed_unacknowledged} committed but not acknowledged, imports "
            f"{self.imports_complete} complete / {self.imports_absent} absent / "
            f"{len(self.imports_partial)} partial, {self.seconds} s -> {path}"
        )
        return path


@pytest.fixture
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "reliability"


# -- the rounds -----------------------------------------------------------------------------


def api_rounds(
    url: str, backend: str, tmp_path: Path, *, rounds: int, control: bool, seed: int
) -> Tally:
    """Start, let it acknowledge, kill, check; `rounds` times on the same database."""
    tally = Tally(backend=backend, writer="control" if control else "api")
    rng = random.Random(seed)
    started = time.monotonic()
    for number in range(rounds):
        assert time.monotonic() - started < BUDGET, "the crash rounds ran out of time"
        deadline = time.monotonic() + ROUND_TIMEOUT
        prefix = f"ch-{'c' if control else 'r'}{number:02d}"
        wanted_acks = rng.randint(*(CONTROL_ACKS_BEFORE_KILL if control else ACKS_BEFORE_KILL))
        extra = rng.uniform(*EXTRA_DELAY)
        with start_writer(
            ["api", url, str(tmp_path / "home"), prefix, str(WRITES_PER_ROUND)],
            tmp_path,
            f"writer-{prefix}.log",
            control=control,
        ) as writer:
            writer.expect("ready", deadline)
            acknowledged = []
            while len(acknowledged) < wanted_acks:
                line = writer.line(deadline)
                assert line is not None and line.startswith("ack "), f"{line!r}: {writer.tail()}"
                acknowledged.append(line.removeprefix("ack "))
            time.sleep(extra)
            late = [line.removeprefix("ack ") for line in writer.kill(deadline)]
        acknowledged += [id_ for id_ in late if id_.startswith(prefix)]
        present = ids_like(url, "challenge", prefix)
        tally.rounds += 1
        tally.acknowledged += len(acknowledged)
        tally.lost += sorted(set(acknowledged) - present)
        tally.committed_unacknowledged += len(present - set(acknowledged))
        tally.integrity_problems += [f"round {number}: {p}" for p in integrity_problems(url)]
    tally.seconds = round(time.monotonic() - started, 1)
    return tally


def students_csv(prefix: str, rows: int) -> bytes:
    header = "id,full_name,programme,level,community_ids\n"
    lines = [
        f'{prefix}-{n:05d},Student {n},Installatietechniek,mbo,"[""com-a""]"\n' for n in range(rows)
    ]
    return (header + "".join(lines)).encode()


def import_round(
    url: str, tmp_path: Path, prefix: str, kill_after: float | None, tally: Tally
) -> float:
    """One import, killed `kill_after` seconds into its writing (None: not killed). Returns
    how long the writing took when it was not killed."""
    deadline = time.monotonic() + ROUND_TIMEOUT
    path = tmp_path / f"{prefix}.csv"
    path.write_bytes(students_csv(prefix, IMPORT_ROWS))
    with start_writer(
        ["import", url, str(path)], tmp_path, f"writer-{prefix}.log", control=False
    ) as writer:
        writer.expect("ready", deadline)
        writer.expect("writing", deadline)
        writing = time.monotonic()
        took = 0.0
        if kill_after is None:
            writer.expect(f"ack import {IMPORT_ROWS}", deadline)
            took = time.monotonic() - writing
            writer.kill(deadline)
            acknowledged = True
        else:
            time.sleep(kill_after)
            acknowledged = f"ack import {IMPORT_ROWS}" in writer.kill(deadline)
    present = ids_like(url, "student_profile", prefix)
    if kill_after is not None:
        tally.import_kills.append(
            f"{prefix}: killed {kill_after:.3f} s into the writing, "
            f"{'acknowledged' if acknowledged else 'not acknowledged'}, "
            f"{len(present)} of {IMPORT_ROWS} rows"
        )
    tally.rounds += 1
    tally.acknowledged += int(acknowledged)
    if len(present) == IMPORT_ROWS:
        tally.imports_complete += 1
    elif not present and not acknowledged:
        tally.imports_absent += 1
    elif not present:
        tally.lost.append(f"import {prefix}")
    else:
        tally.imports_partial.append(f"{prefix}: {len(present)} of {IMPORT_ROWS}")
    tally.integrity_problems += [f"{prefix}: {p}" for p in integrity_problems(url)]
    return took


def final_restart(url: str, tmp_path: Path) -> None:
    """The service starts on the database the kills left behind and lists what is there."""
    engine = make_engine(url)
    with engine.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT count(*) FROM challenge WHERE organisation_id = 'org-sme-a'")
        ).scalar()
    engine.dispose()
    with running_app(tmp_path / "restart", url) as world:
        answer = world.get("/challenges", "sme-a", params={"organisation_id": "org-sme-a"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["count"] == stored


# -- the tests --------------------------------------------------------------------------------


@pytest.mark.slow
def test_killed_writer_loses_no_acknowledged_write(
    world_url: str, backend: str, tmp_path: Path, report_dir: Path
) -> None:
    tally = api_rounds(
        world_url, backend, tmp_path, rounds=ROUNDS[backend], control=False, seed=SEED
    )
    tally.write(report_dir)
    assert tally.rounds == ROUNDS[backend]
    assert tally.acknowledged >= tally.rounds * ACKS_BEFORE_KILL[0]
    assert tally.lost == []
    assert tally.integrity_problems == []
    final_restart(world_url, tmp_path)


@pytest.mark.slow
def test_killed_import_is_all_or_nothing(
    world_url: str, backend: str, tmp_path: Path, report_dir: Path
) -> None:
    tally = Tally(backend=backend, writer="import")
    started = time.monotonic()
    # A first import runs to its end: it must be complete, and it times the writing.
    writing = import_round(world_url, tmp_path, "stu-imp00", None, tally)
    assert tally.imports_complete == 1, tally
    rng = random.Random(SEED)
    for number in range(1, IMPORT_ROUNDS[backend] + 1):
        assert time.monotonic() - started < BUDGET, "the import rounds ran out of time"
        # Somewhere in the writing (as long as the first import's took).
        kill_after = rng.uniform(0.05, 0.95) * writing
        import_round(world_url, tmp_path, f"stu-imp{number:02d}", kill_after, tally)
    tally.seconds = round(time.monotonic() - started, 1)
    tally.write(report_dir)
    assert tally.imports_partial == []
    assert tally.lost == []
    assert tally.integrity_problems == []
    assert tally.imports_complete + tally.imports_absent == tally.rounds


@pytest.mark.slow
def test_the_checker_catches_a_writer_that_acknowledges_before_committing(
    world_url: str, backend: str, tmp_path: Path, report_dir: Path
) -> None:
    """The control: the same rounds against the broken writer must show lost writes. The kill
    comes at most EXTRA_DELAY after an acknowledgement, well inside the broken writer's wait
    before its commit, so every round loses that write (at least one must, for the test)."""
    tally = api_rounds(
        world_url, backend, tmp_path, rounds=CONTROL_ROUNDS[backend], control=True, seed=SEED
    )
    tally.write(report_dir)
    assert tally.rounds == CONTROL_ROUNDS[backend]
    assert len(tally.lost) >= 1
    assert tally.integrity_problems == []


def test_the_checker_reads_a_writers_lines_and_kills_it(tmp_path: Path) -> None:
    """The harness itself: lines are read as they come, a kill ends the process, a line the
    kill cut off is dropped."""
    script = tmp_path / "talker.py"
    script.write_text(
        "import sys, time\n"
        "print('ready', flush=True)\n"
        "print('ack one', flush=True)\n"
        "sys.stdout.write('ack cut'); sys.stdout.flush()\n"
        "time.sleep(60)\n"
    )
    deadline = time.monotonic() + ROUND_TIMEOUT
    command = [sys.executable, str(script)]
    with Writer(command, cwd=tmp_path, log=tmp_path / "talker.log", env=dict(os.environ)) as writer:
        writer.expect("ready", deadline)
        assert writer.line(deadline) == "ack one"
        started = time.monotonic()
        assert writer.kill(deadline) == []
        assert time.monotonic() - started < 5
        assert writer.process.returncode == -signal.SIGKILL
