"""`lcmatch init`, `import`, `export` and `reindex` end to end, and the demo data on the first
start of the service; on SQLite and on PostgreSQL, with the fast fake encoder throughout.

The commands run in-process (typer's CliRunner) with LCMATCH_HOME and DATABASE_URL in the
environment; `service.app.default_encoder` is replaced by a factory of HashingEncoders, which
the commands look up when they run.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

from matcher import HashingEncoder
from matcher.paths import data_dir
from service.app import create_app
from service.cli.main import app
from service.domain.tables import (
    Challenge,
    Community,
    Membership,
    Organisation,
    ResearchGroup,
    StudentProfile,
    User,
)
from service.settings import Settings
from service.storage.db import make_engine
from service.usecases import dashboard

runner = CliRunner()

DEMO_PASSWORD = "demo-wachtwoord-voor-de-tests"
SECRET = "a-test-secret-that-is-long-enough-0123456789"
API = "/api/v1"
TABLES: dict[str, type[SQLModel]] = {
    "communities": Community,
    "organisations": Organisation,
    "challenges": Challenge,
    "students": StudentProfile,
    "research_groups": ResearchGroup,
    "users": User,
    "memberships": Membership,
}
DEMO_LOADED = (
    "loaded the demo data: 3 communities, 61 organisations, 100 challenges, 300 students, "
    "15 research_groups, 17 users, 1 programmes"
)
# Challenges (80 current, 20 past ones of the research lines: past_challenges.json), students
# and research groups each get a vector.
EMBEDDED = 80 + 20 + 300 + 15


def demo_file(kind: str) -> list[dict[str, Any]]:
    return json.loads((data_dir() / "demo" / f"{kind}.json").read_text(encoding="utf-8"))


class RecordingEncoder(HashingEncoder):
    """The fake encoder, noting whether each call was asked to draw a progress bar."""

    def __init__(self) -> None:
        super().__init__()
        self.progress: list[bool] = []

    def encode(self, texts: Sequence[str], *, kind: str = "passage", progress: bool = False):
        self.progress.append(progress)
        return super().encode(texts, kind=kind, progress=progress)


@dataclass
class Home:
    """An lcmatch home: a folder and the database it uses."""

    path: Path
    url: str

    def counts(self) -> dict[str, int]:
        engine = make_engine(self.url)
        try:
            with Session(engine) as session:
                return {
                    name: session.exec(select(func.count()).select_from(table)).one()
                    for name, table in TABLES.items()
                }
        finally:
            engine.dispose()

    def describe(self, challenge_id: str, extra: str) -> None:
        """Change a challenge's description straight in the database (no API, no index)."""
        engine = make_engine(self.url)
        try:
            with Session(engine) as session:
                challenge = session.get(Challenge, challenge_id)
                challenge.description += extra
                session.add(challenge)
                session.commit()
        finally:
            engine.dispose()


class Lcmatch:
    """Runs `lcmatch` in a home, with HashingEncoders made by the replaced default_encoder."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.encoders: list[RecordingEncoder] = []

    def __call__(self, home: Home, *arguments: str | Path) -> Result:
        self.monkeypatch.setenv("LCMATCH_HOME", str(home.path))
        self.monkeypatch.setenv("DATABASE_URL", home.url)
        return runner.invoke(app, [str(argument) for argument in arguments])

    def make(self, settings: Settings) -> RecordingEncoder:
        encoder = RecordingEncoder()
        self.encoders.append(encoder)
        return encoder


@pytest.fixture
def lcmatch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Lcmatch:
    """The command, with no LCMATCH_* setting and no .env from outside the test."""
    for variable in list(os.environ):
        if variable.startswith("LCMATCH_") and variable != "LCMATCH_DATA_DIR":
            monkeypatch.delenv(variable)
    monkeypatch.setenv("LCMATCH_DEMO_PASSWORD", DEMO_PASSWORD)
    monkeypatch.chdir(tmp_path)
    command = Lcmatch(monkeypatch)
    monkeypatch.setattr("service.app.default_encoder", command.make)
    return command


@pytest.fixture
def home(db_url: str, tmp_path: Path) -> Home:
    """A home with a new, empty database."""
    return Home(tmp_path / "home", db_url)


@pytest.fixture
def fresh_home(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> Home:
    """A second home with a database of its own, on the same backend."""
    if db_url.startswith("sqlite"):
        return Home(tmp_path / "fresh", f"sqlite:///{tmp_path / 'fresh' / 'lcmatch.sqlite'}")
    cluster = request.getfixturevalue("postgres")
    name = f"t_{uuid.uuid4().hex[:16]}"
    url = cluster.create(name)
    request.addfinalizer(lambda: cluster.drop(name))
    return Home(tmp_path / "fresh", url)


def ok(result: Result) -> list[str]:
    """The lines a command printed on stdout; it must have succeeded."""
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    return result.stdout.splitlines()


def refused(result: Result) -> list[str]:
    """The lines a command printed on stderr; it must have failed as bad input (exit 2)."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    lines = result.stderr.splitlines()
    assert lines, "no error message"
    assert all(line.startswith("error: ") for line in lines), lines
    return lines


# -- init --------------------------------------------------------------------------------------


def test_init_demo_creates_the_database_and_loads_the_demo_once(
    lcmatch: Lcmatch, home: Home
) -> None:
    lines = ok(lcmatch(home, "init", "--demo", "--no-progress"))
    assert lines[0].startswith("created the database ")
    assert DEMO_LOADED in lines
    assert lines[-1] == f"{EMBEDDED} texts encoded"
    loaded = home.counts()
    assert loaded["communities"] == len(demo_file("communities")) == 3
    past = len(demo_file("past_challenges"))
    assert loaded["challenges"] == len(demo_file("challenges")) + past == 80 + 20
    assert loaded["students"] == len(demo_file("students")) == 300
    assert loaded["research_groups"] == len(demo_file("research_groups")) == 15
    assert loaded["organisations"] == len(demo_file("organisations")) == 61
    # the logins of users.json and the programme's monitor (funding_programmes.json)
    monitors = [m for p in demo_file("funding_programmes") for m in p["monitors"]]
    assert loaded["users"] == len(demo_file("users")) + len(monitors) == 17

    again = ok(lcmatch(home, "init", "--demo", "--no-progress"))
    assert again[0].startswith("the database ") and "is up to date" in again[0]
    assert again[1:] == ["the database holds communities already: demo data not loaded"]
    plain = ok(lcmatch(home, "init"))
    assert len(plain) == 1 and "is up to date" in plain[0]
    assert home.counts() == loaded
    # The vectors init stored are current: nothing is left to encode.
    assert ok(lcmatch(home, "reindex", "--no-progress")) == ["0 texts encoded"]


# -- export and import -------------------------------------------------------------------------


def _break(text: str, changes: dict[int, dict[str, str]]) -> str:
    """The CSV with some cells changed: {line number: {column: new value}}."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    for line, cells in changes.items():
        for column, value in cells.items():
            rows[line - 1][header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def test_export_and_import_into_a_fresh_home(
    lcmatch: Lcmatch, home: Home, fresh_home: Home, tmp_path: Path
) -> None:
    ok(lcmatch(home, "init", "--demo", "--no-progress"))
    files = tmp_path / "files"
    communities, organisations = files / "communities.json", files / "organisations.csv"
    challenges = files / "challenges.csv"
    assert ok(lcmatch(home, "export", "communities", "--out", communities)) == []
    assert ok(lcmatch(home, "export", "organisations", "--out", organisations)) == []
    assert ok(lcmatch(home, "export", "challenges", "--format", "csv", "--out", challenges)) == []
    exported = challenges.read_text(encoding="utf-8")
    assert exported.startswith("id,title,description,")
    assert len(exported.splitlines()) == 101  # a header, 80 current and 20 past challenges
    assert len(json.loads(communities.read_text(encoding="utf-8"))) == 3
    assert not list(files.glob("*.partial"))
    # To stdout, the same file.
    assert lcmatch(home, "export", "challenges", "--format", "csv").stdout == exported

    ok(lcmatch(fresh_home, "init", "--no-progress"))
    assert ok(lcmatch(fresh_home, "import", "communities", communities)) == [
        f"imported 3 communities from {communities}"
    ]
    assert ok(lcmatch(fresh_home, "import", "organisations", organisations, "--no-progress")) == [
        f"imported 61 organisations from {organisations}"
    ]

    # Three bad lines: each named on stderr, and not one challenge written.
    rows = {row["id"]: row for row in demo_file("challenges")}
    first_ids = [line.split(",", 1)[0] for line in exported.splitlines()[1:]]
    community_of_line_7 = rows[first_ids[5]]["community_id"]
    elsewhere = next(
        org["id"]
        for org in demo_file("organisations")
        if community_of_line_7 not in org["community_ids"]
    )
    bad = files / "bad-challenges.csv"
    bad.write_text(
        _break(
            exported,
            {
                3: {"level": "master"},
                5: {"wanted_skills": "[oops"},
                7: {"organisation_id": elsewhere},
            },
        ),
        encoding="utf-8",
    )
    result = lcmatch(fresh_home, "import", "challenges", bad, "--no-progress")
    errors = refused(result)
    assert "imported" not in result.stdout
    places = []
    for line in errors[:-1]:
        match = re.match(r"error: (line \d+), field (\w+): \S", line)
        assert match, f"not `error: line N, field F: message`: {line!r}"
        places.append(match.groups())
    assert places == [
        ("line 3", "level"),
        ("line 5", "wanted_skills"),
        ("line 7", "organisation_id"),
    ]
    assert errors[-1] == f"error: 3 problems in {bad}; nothing was imported"
    assert fresh_home.counts()["challenges"] == 0

    assert ok(lcmatch(fresh_home, "import", "challenges", challenges, "--no-progress")) == [
        f"imported 100 challenges from {challenges}"
    ]
    assert fresh_home.counts()["challenges"] == 100  # with the 20 past ones
    again = lcmatch(fresh_home, "export", "challenges", "--format", "csv")
    assert ok(again) and again.stdout == exported
    # The import stored every vector: a reindex has nothing to encode.
    assert ok(lcmatch(fresh_home, "reindex", "--no-progress")) == ["0 texts encoded"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"id,title\nch-1,Caf\xe9\n", "error: line 2: not UTF-8"),
        (b"", "error: line 1: the file is empty"),
        (b"id,title\nch-1,War\x00mte\n", "error: line 2: NUL byte"),
    ],
    ids=["latin-1", "empty", "nul-byte"],
)
def test_import_of_an_unreadable_file_is_refused(
    lcmatch: Lcmatch, home: Home, tmp_path: Path, content: bytes, expected: str
) -> None:
    ok(lcmatch(home, "init"))
    before = home.counts()
    path = tmp_path / "challenges.csv"
    path.write_bytes(content)
    errors = refused(lcmatch(home, "import", "challenges", path, "--no-progress"))
    assert errors[0].startswith(expected), errors
    assert errors[-1].endswith("nothing was imported")
    assert home.counts() == before


def test_users_and_unknown_kinds_or_formats_are_refused(
    lcmatch: Lcmatch, home: Home, tmp_path: Path
) -> None:
    users = refused(lcmatch(home, "export", "users"))
    assert len(users) == 1 and "users" in users[0]
    data = tmp_path / "users.json"
    data.write_text("[]", encoding="utf-8")
    assert "users" in refused(lcmatch(home, "import", "users", data))[0]
    assert "unknown kind" in refused(lcmatch(home, "export", "widgets"))[0]
    assert "--format" in refused(lcmatch(home, "export", "challenges", "--out", "x.txt"))[0]
    missing = refused(lcmatch(home, "import", "challenges", tmp_path / "missing.csv"))
    assert "missing.csv" in missing[0]
    assert not (tmp_path / "x.txt").exists()


# -- reindex -----------------------------------------------------------------------------------


def test_reindex_encodes_only_the_changed_text_with_a_progress_bar(
    lcmatch: Lcmatch, home: Home
) -> None:
    ok(lcmatch(home, "init", "--demo", "--no-progress"))
    assert ok(lcmatch(home, "reindex", "--no-progress")) == ["0 texts encoded"]
    home.describe("ch-001", " We werken ook met hennep uit de regio.")
    drawn = lcmatch(home, "reindex")
    assert ok(drawn) == ["1 texts encoded"]
    assert lcmatch.encoders[-1].encoded == 1
    assert "re-embed" in drawn.stderr  # the job's bar is drawn by default
    home.describe("ch-002", " Een extra zin.")
    quiet = lcmatch(home, "reindex", "--no-progress")
    assert ok(quiet) == ["1 texts encoded"]
    assert "re-embed" not in quiet.stderr
    assert ok(lcmatch(home, "reindex", "--no-progress")) == ["0 texts encoded"]


def test_refresh_dashboards_ranks_what_was_never_ranked(lcmatch: Lcmatch, home: Home) -> None:
    ok(lcmatch(home, "init", "--demo", "--no-progress"))
    assert refused(lcmatch(home, "refresh-dashboards", "nergens", "--no-progress")) == [
        "error: community 'nergens' does not exist"
    ]
    [line] = ok(lcmatch(home, "refresh-dashboards", "com-biobased-zuidwest", "--no-progress"))
    ranked = int(line.split(": ")[1].split(" ")[0])
    assert ranked > 0 and line.endswith("(done)"), line
    engine = make_engine(home.url)
    try:
        with Session(engine) as session:
            assert dashboard.challenges_not_ranked(session, "com-biobased-zuidwest").rows == []
            assert dashboard.fairness_by_level(session, "com-biobased-zuidwest").rows
            # The other communities were left for their own refresh.
            assert dashboard.challenges_not_ranked(session, "com-talentcampus-eemstad").rows
    finally:
        engine.dispose()
    again = ok(lcmatch(home, "refresh-dashboards", "--no-progress"))
    assert len(again) == 3 and again[0].startswith("com-biobased-zuidwest: 0 challenges ranked")


# -- the demo data on the first start ------------------------------------------------------------


def _settings(home: Path, url: str) -> Settings:
    return Settings(
        home=home,
        database_url=url,
        demo_data=True,
        demo_password=DEMO_PASSWORD,
        environment="test",
        secret_key=SECRET,
    )


def _login(client: TestClient, email: str, password: str = DEMO_PASSWORD):
    return client.post(f"{API}/login/access-token", data={"username": email, "password": password})


def _token(client: TestClient, email: str) -> dict[str, str]:
    answer = _login(client, email)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _free(student: dict[str, Any], challenge: dict[str, Any]) -> bool:
    start, end = challenge.get("period_start"), challenge.get("period_end")
    if not (start and end):
        return True
    since, until = student.get("available_from"), student.get("available_until")
    return (since is None or date.fromisoformat(since) <= date.fromisoformat(end)) and (
        until is None or date.fromisoformat(until) >= date.fromisoformat(start)
    )


def test_the_first_start_loads_the_demo_once_and_a_demo_login_gets_suggestions(
    home: Home, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="lcmatch")
    intermediary = next(user for user in demo_file("users") if user["role"] == "intermediary")
    (community,) = intermediary["community_ids"]
    challenge = next(
        item
        for item in demo_file("challenges")
        if item["community_id"] == community
        and item["status"] == "published"
        and item["level"] == "hbo"
        and item["language"] == "nl"
    )
    eligible = {
        student["id"]
        for student in demo_file("students")
        if community in student["community_ids"]
        and student["consent_matching"]
        and student["level"] == "hbo"
        and "nl" in student["languages"]
        and _free(student, challenge)
    }
    assert len(eligible) > 5
    student_user = next(user for user in demo_file("users") if user["role"] == "student")

    first = HashingEncoder()
    with TestClient(create_app(_settings(home.path, home.url), encoder=first)) as client:
        assert first.encoded == EMBEDDED
        headers = _token(client, intermediary["email"])
        answer = client.get(
            f"{API}/challenges/{challenge['id']}/suggestions/students?k=5", headers=headers
        )
        assert answer.status_code == 200, answer.text
        suggested = answer.json()["data"]
        assert len(suggested) == 5
        assert {row["challenge_id"] for row in suggested} == {challenge["id"]}
        assert {row["target_id"] for row in suggested} <= eligible
        scores = [row["score"] for row in suggested]
        assert scores == sorted(scores, reverse=True)
        # The student logins are linked to their profiles; the default password is not theirs.
        me = client.get(f"{API}/users/me", headers=_token(client, student_user["email"]))
        assert me.status_code == 200, me.text
        assert me.json()["student_id"] == student_user["student_id"]
        assert _login(client, intermediary["email"], "demo-wachtwoord").status_code == 400
    loaded = home.counts()
    assert loaded["communities"] == 3 and loaded["users"] == 17 and loaded["students"] == 300
    # The first start says what it does, so that minutes of embedding do not look like a hang.
    said = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("demo data loaded") for line in said), said
    assert any(line.startswith("embedding 300 student texts") for line in said), said
    assert any(line.startswith("fitting the student index (") for line in said), said
    caplog.clear()

    second = HashingEncoder()
    with TestClient(create_app(_settings(home.path, home.url), encoder=second)) as client:
        assert second.encoded == 0  # the vectors are in the rows
        headers = _token(client, intermediary["email"])
        answer = client.get(
            f"{API}/challenges/{challenge['id']}/suggestions/students?k=5", headers=headers
        )
        assert answer.status_code == 200, answer.text
        assert [row["target_id"] for row in answer.json()["data"]] == [
            row["target_id"] for row in suggested
        ]
    after = home.counts()
    # Nothing loaded twice; the suggestions are the only new rows, and they are not counted here.
    assert after == loaded
    said = [record.getMessage() for record in caplog.records]
    assert not any(line.startswith(("embedding", "demo data loaded")) for line in said), said
    assert "indexes built; 0 texts encoded; ready" in said
