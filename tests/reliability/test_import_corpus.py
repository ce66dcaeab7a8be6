"""A corpus of bad import files: each is refused with a clear error naming its line (or JSON
record), and nothing is written, on SQLite and on PostgreSQL, through `import_data` and through
`lcmatch import`.

The corpus: files in the wrong encoding (Latin-1, Windows-1252, UTF-16 with and without a byte
order mark, UTF-32), missing or unknown or repeated columns, rows of the wrong width, ids
repeated in the file or taken in the database, NUL bytes (raw, and escaped in JSON), huge fields
(a 1 MB description), a bad line at the end of a large file (10,000 good rows, then one bad),
malformed CSV and JSON, and bad values. Each input is checked against a snapshot of every
table's row count, taken before and after; a good file (the control) shows that the snapshot
does see an import.

The number of bad inputs tried is printed and written to `reliability/import-corpus.json` in
pytest's temporary folder.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from lcmatch_api_conftest import BACKENDS, PostgresCluster
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel
from typer.testing import CliRunner

from matcher import HashingEncoder
from service.domain.tables import Challenge, Community, Membership, Organisation, StudentProfile
from service.storage.db import make_engine, migrate
from service.usecases.matching import Matching
from service.usecases.transfer import SPECS, TransferError, columns, import_data

BIG_ROWS = 10_000
MEGABYTE = 1024 * 1024

# -- building files -------------------------------------------------------------------------


def challenge(n: int | str, **changes: Any) -> dict[str, Any]:
    """A good challenge record of the seeded community and organisation."""
    return {
        "id": f"ch-{n}",
        "title": f"Warmtepompen plaatsen {n}",
        "description": "Een student helpt bij het plaatsen van warmtepompen in woningen.",
        "wanted_skills": [{"label": "warmtepompen installeren"}],
        "themes": ["energietransitie"],
        "level": "mbo",
        "period_start": "2027-02-01",
        "period_end": "2027-06-30",
        "community_id": "com-x",
        "organisation_id": "org-x",
        **changes,
    }


def student(n: int | str, **changes: Any) -> dict[str, Any]:
    return {
        "id": f"stu-{n}",
        "full_name": f"Student {n}",
        "programme": "Installatietechniek",
        "level": "mbo",
        "community_ids": ["com-x"],
        **changes,
    }


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def csv_text(kind: str, records: list[dict[str, Any]], header: list[str] | None = None) -> str:
    """The records as `lcmatch export` writes them: a header, then one line per record."""
    header = header or columns(SPECS[kind])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for record in records:
        writer.writerow(cell(record.get(name)) for name in header)
    return out.getvalue()


def csv_file(kind: str, records: list[dict[str, Any]], header: list[str] | None = None) -> bytes:
    return csv_text(kind, records, header).encode("utf-8")


def json_file(records: list[Any], encoding: str = "utf-8") -> bytes:
    """A JSON array, one record per line after the `[` (record N is on line N + 1)."""
    lines = ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    return f"[\n{lines}\n]\n".encode(encoding)


def with_line(data: bytes, number: int, replace: Callable[[bytes], bytes]) -> bytes:
    """The file with line `number` (1-based) changed."""
    lines = data.split(b"\n")
    lines[number - 1] = replace(lines[number - 1])
    return b"\n".join(lines)


def big_csv() -> bytes:
    good = [challenge(n) for n in range(BIG_ROWS)]
    return csv_file("challenges", [*good, challenge("laatste", status="bijna")])


def big_json() -> bytes:
    good = [challenge(n) for n in range(BIG_ROWS)]
    return json_file([*good, challenge("laatste", level="phd")])


# -- the corpus ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """A bad input and the problem it must be refused with (a regex on one problem)."""

    name: str
    kind: str
    format: str
    make: Callable[[], bytes]
    expect: str
    only: bool = False  # the expected problem is the only one (a large file's one bad line)
    slow: bool = False


GOOD3 = [challenge(1), challenge(2), challenge(3)]
HEADER = columns(SPECS["challenges"])
WITHOUT = {name: [c for c in HEADER if c != name] for name in ("title", "community_id")}

CORPUS = [
    # Encodings.
    Bad(
        "latin-1 csv",
        "challenges",
        "csv",
        lambda: csv_text(
            "challenges", [challenge(1), challenge(2, title="Één café voor de wijk")]
        ).encode("latin-1"),
        r"^line 3: not UTF-8 \(byte 0xc9 at column \d+\); save the file as UTF-8$",
    ),
    Bad(
        "latin-1 json",
        "challenges",
        "json",
        lambda: json_file([challenge(1), challenge(2), challenge(3, place="Enschedé")], "latin-1"),
        r"^line 4: not UTF-8 \(byte 0xe9 at column \d+\)",
    ),
    Bad(
        "windows-1252 quotes",
        "challenges",
        "csv",
        lambda: csv_text("challenges", [challenge(1, title="De “slimme” meter")]).encode("cp1252"),
        r"^line 2: not UTF-8 \(byte 0x93 at column \d+\)",
    ),
    Bad(
        "utf-16 le with bom, csv",
        "challenges",
        "csv",
        lambda: codecs.BOM_UTF16_LE + csv_text("challenges", GOOD3).encode("utf-16-le"),
        r"^line 1: the file is UTF-16; save it as UTF-8$",
    ),
    Bad(
        "utf-16 be with bom, csv",
        "challenges",
        "csv",
        lambda: codecs.BOM_UTF16_BE + csv_text("challenges", GOOD3).encode("utf-16-be"),
        r"^line 1: the file is UTF-16; save it as UTF-8$",
    ),
    Bad(
        "utf-16 with bom, json",
        "challenges",
        "json",
        lambda: json_file(GOOD3, "utf-16"),
        r"^line 1: the file is UTF-16; save it as UTF-8$",
    ),
    Bad(
        "utf-16 without bom",
        "challenges",
        "csv",
        lambda: csv_text("challenges", GOOD3).encode("utf-16-le"),
        r"^line 1: NUL byte at column \d+; not a text file\?$",
    ),
    Bad(
        "utf-32 with bom",
        "students",
        "json",
        lambda: json_file([student(1)], "utf-32"),
        r"^line 1: the file is UTF-32; save it as UTF-8$",
    ),
    # Columns and row shapes.
    Bad(
        "missing column title",
        "challenges",
        "csv",
        lambda: csv_file("challenges", GOOD3, WITHOUT["title"]),
        r"^line 1, field title: required column is missing$",
    ),
    Bad(
        "missing column community_id",
        "challenges",
        "csv",
        lambda: csv_file("challenges", GOOD3, WITHOUT["community_id"]),
        r"^line 1, field community_id: required column is missing$",
    ),
    Bad(
        "students without community_ids",
        "students",
        "csv",
        lambda: csv_file(
            "students",
            [student(1)],
            [c for c in columns(SPECS["students"]) if c != "community_ids"],
        ),
        r"^line 1, field community_ids: required column is missing$",
    ),
    Bad(
        "unknown column",
        "challenges",
        "csv",
        lambda: csv_file("challenges", GOOD3, [*HEADER, "kleur"]),
        r"^line 1, field kleur: unknown column; the columns are id, title, ",
    ),
    Bad(
        "column twice",
        "challenges",
        "csv",
        lambda: csv_file("challenges", GOOD3, [*HEADER, "title"]),
        r"^line 1, field title: the column appears twice$",
    ),
    Bad(
        "column without a name",
        "challenges",
        "csv",
        lambda: csv_file("challenges", GOOD3, [*HEADER, ""]),
        rf"^line 1: column {len(HEADER) + 1} has no name$",
    ),
    Bad(
        "row with too few cells",
        "challenges",
        "csv",
        lambda: with_line(csv_file("challenges", GOOD3), 4, lambda line: line.rsplit(b",", 3)[0]),
        rf"^line 4: {len(HEADER) - 3} cells, the header has {len(HEADER)}$",
    ),
    Bad(
        "row with too many cells",
        "challenges",
        "csv",
        lambda: with_line(csv_file("challenges", GOOD3), 3, lambda line: line + b",extra"),
        rf"^line 3: {len(HEADER) + 1} cells, the header has {len(HEADER)}$",
    ),
    # Ids.
    Bad(
        "id twice in a csv file",
        "challenges",
        "csv",
        lambda: csv_file("challenges", [challenge("dup"), *GOOD3, challenge("dup")]),
        r"^line 6, field id: id 'ch-dup' appears again \(line 2\)$",
    ),
    Bad(
        "id twice in a json file",
        "research_groups",
        "json",
        lambda: json_file(
            [
                {"id": "rg-dup", "name": "Lectoraat", "expertise": "Warmtenetten en bodemenergie"}
                | {"community_ids": ["com-x"]},
                {"id": "rg-1", "name": "Lectoraat 1", "expertise": "Zonnepanelen op daken"}
                | {"community_ids": ["com-x"]},
                {"id": "rg-dup", "name": "Lectoraat 2", "expertise": "Warmtepompen in woningen"}
                | {"community_ids": ["com-x"]},
            ]
        ),
        r"^record 3, field id: id 'rg-dup' appears again \(record 1\)$",
    ),
    Bad(
        "id taken in the database",
        "challenges",
        "csv",
        lambda: csv_file("challenges", [*GOOD3, challenge("taken")]),
        r"^line 5, field id: 'ch-taken' exists already \(challenge\)$",
    ),
    Bad(
        "student id taken by an organisation",
        "students",
        "json",
        lambda: json_file([student(1), student("x", id="org-x")]),
        r"^record 2, field id: 'org-x' exists already \(organisation\)$",
    ),
    # NUL.
    Bad(
        "NUL byte in a csv line",
        "challenges",
        "csv",
        lambda: with_line(
            csv_file("challenges", GOOD3), 3, lambda line: line.replace(b"plaatsen", b"pla\0tsen")
        ),
        r"^line 3: NUL byte at column \d+; not a text file\?$",
    ),
    Bad(
        "NUL byte in a json line",
        "challenges",
        "json",
        lambda: with_line(json_file(GOOD3), 2, lambda line: line.replace(b"Warmte", b"Warm\0te")),
        r"^line 2: NUL byte at column \d+; not a text file\?$",
    ),
    Bad(
        "escaped NUL in a json string",
        "challenges",
        "json",
        lambda: json_file([challenge(1), challenge(2, title="Warmte\u0000pompen")]),
        r"^record 2, field title: contains a NUL character \(\\u0000\)$",
    ),
    Bad(
        "escaped NUL in a skill label",
        "students",
        "json",
        lambda: json_file([student(1, skills=[{"label": "las\u0000sen"}])]),
        r"^record 1, field skills: contains a NUL character",
    ),
    # Huge fields.
    Bad(
        "1 MB description, csv",
        "challenges",
        "csv",
        lambda: csv_file("challenges", [challenge(1), challenge(2, description="w" * MEGABYTE)]),
        r"^line 3: not valid CSV: field larger than field limit",
    ),
    Bad(
        "1 MB description, json",
        "challenges",
        "json",
        lambda: json_file([challenge(1, description="w" * MEGABYTE)]),
        r"^record 1, field description: String should have at most 10000 characters \(found "
        r"'w{50,60}\.\.\.\)$",
    ),
    Bad(
        "1 MB title, json",
        "challenges",
        "json",
        lambda: json_file([challenge(1), challenge(2, title="t" * MEGABYTE)]),
        r"^record 2, field title: String should have at most 200 characters",
    ),
    # A bad line at the end of a large file.
    Bad(
        f"{BIG_ROWS} good csv rows, then a bad one",
        "challenges",
        "csv",
        big_csv,
        rf"^line {BIG_ROWS + 2}, field status: Input should be 'draft', 'published' or 'closed'",
        only=True,
        slow=True,
    ),
    Bad(
        f"{BIG_ROWS} good json records, then a bad one",
        "challenges",
        "json",
        big_json,
        rf"^record {BIG_ROWS + 1}, field level: Input should be ",
        only=True,
        slow=True,
    ),
    # Malformed files.
    Bad(
        "unterminated quote",
        "challenges",
        "csv",
        lambda: csv_file("challenges", GOOD3) + b'ch-9,"Nooit gesloten,\n',
        r"^line 5: not valid CSV: unexpected end of data$",
    ),
    Bad(
        "truncated json",
        "challenges",
        "json",
        lambda: json_file(GOOD3)[:-40],
        r"^line 4, column \d+: malformed JSON: ",
    ),
    Bad(
        "json object instead of an array",
        "challenges",
        "json",
        lambda: json.dumps(challenge(1)).encode(),
        r"^line 1: expected a JSON array of records, found an object$",
    ),
    Bad(
        "json array of strings",
        "challenges",
        "json",
        lambda: json_file([challenge(1), "ch-2"]),
        r"^record 2: expected an object, found a string$",
    ),
    Bad(
        "empty file",
        "challenges",
        "csv",
        lambda: b"",
        r"^line 1: the file is empty; expected a header line with the columns id, title, ",
    ),
    Bad(
        "only white space",
        "students",
        "json",
        lambda: b" \n\t\n",
        r"^line 1: the file is empty; expected a JSON array of records$",
    ),
    # Bad values.
    Bad(
        "impossible date",
        "challenges",
        "csv",
        lambda: csv_file("challenges", [challenge(1, period_start="2027-02-30")]),
        r"^line 2, field period_start: .*\(found '2027-02-30'\)$",
    ),
    Bad(
        "period backwards",
        "challenges",
        "csv",
        lambda: csv_file("challenges", [*GOOD3, challenge(4, period_end="2026-01-01")]),
        r"^line 5: period_end lies before period_start$",
    ),
    Bad(
        "skills cell that is no json",
        "challenges",
        "csv",
        lambda: csv_file("challenges", [challenge(1, wanted_skills="lassen, solderen")]),
        r"^line 2, field wanted_skills: expected a JSON list such as ",
    ),
    Bad(
        "unknown community",
        "challenges",
        "json",
        lambda: json_file([challenge(1, community_id="com-nergens")]),
        r"^record 1, field community_id: no community 'com-nergens'$",
    ),
    Bad(
        "unknown field in json",
        "challenges",
        "json",
        lambda: json_file([challenge(1, kleur="rood")]),
        r"^record 1, field kleur: unknown field$",
    ),
    Bad(
        "bad level",
        "students",
        "csv",
        lambda: csv_file("students", [student(1), student(2, level="phd")]),
        r"^line 3, field level: Input should be ",
    ),
]

WHERE = re.compile(r"^(line|record) \d+[,:]")


def cases() -> list[Any]:
    return [
        pytest.param(bad, id=bad.name, marks=[pytest.mark.slow] if bad.slow else [])
        for bad in CORPUS
    ]


# -- the database ---------------------------------------------------------------------------


def seed(engine: Engine) -> None:
    """A community, an SME in it, a challenge and a student: what the files refer to."""
    with Session(engine) as session:
        session.add(Community(id="com-x", name="Gemeenschap X"))
        session.add(Organisation(id="org-x", name="Warmtebedrijf X", kind="sme"))
        session.flush()
        session.add(Membership(community_id="com-x", member_id="org-x", kind="organisation"))
        session.add(Challenge.model_validate(challenge("taken")))
        session.add(
            StudentProfile(id="stu-x", full_name="Student X", programme="Zorg", level="mbo")
        )
        session.flush()
        session.add(Membership(community_id="com-x", member_id="stu-x", kind="student"))
        session.commit()


def snapshot(engine: Engine) -> dict[str, int]:
    """Every table's row count."""
    with engine.connect() as connection:
        return {
            table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            for table in SQLModel.metadata.sorted_tables
        }


def seeded_engine(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    seed(engine)
    return engine


@pytest.fixture(scope="module", params=BACKENDS)
def corpus_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One seeded database per backend for the whole corpus: no bad input writes anything
    (each test checks that), so they can share it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'corpus.sqlite'}"
    else:
        cluster: PostgresCluster = request.getfixturevalue("postgres")
        name = f"corpus_{uuid.uuid4().hex[:12]}"
        url = cluster.create(name)
        request.addfinalizer(lambda: cluster.drop(name))
    seeded_engine(url).dispose()
    yield url


@pytest.fixture(scope="module")
def engine(corpus_url: str) -> Iterator[Engine]:
    engine = make_engine(corpus_url)
    yield engine
    engine.dispose()


def backend_of(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


@pytest.fixture(scope="module")
def tally(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Counts the bad inputs tried, by backend and way in; written out at the end."""
    counts: dict[str, Any] = {"inputs": len(CORPUS), "tried": {}}
    yield counts
    counts["total"] = sum(counts["tried"].values())
    folder = tmp_path_factory.getbasetemp() / "reliability"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "import-corpus.json"
    path.write_text(json.dumps(counts, indent=2))
    print(f"\nimport corpus: {counts['inputs']} bad inputs, {counts['total']} tries -> {path}")


def count(tally: dict[str, Any], key: str) -> None:
    tally["tried"][key] = tally["tried"].get(key, 0) + 1


def check_problems(bad: Bad, problems: list[str]) -> None:
    """The expected problem is among them, and every problem names its line or record."""
    assert any(re.search(bad.expect, problem) for problem in problems), problems[:5]
    assert all(WHERE.match(problem) for problem in problems), problems[:5]
    if bad.only:
        assert len(problems) == 1, problems[:5]


# -- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", cases())
def test_import_data_refuses_and_writes_nothing(
    bad: Bad, engine: Engine, corpus_url: str, tally: dict[str, Any]
) -> None:
    before = snapshot(engine)
    matching = Matching(encoder=HashingEncoder())  # the embedding path, as the CLI takes it
    with (
        Session(engine, expire_on_commit=False) as session,
        pytest.raises(TransferError) as refused,
    ):
        import_data(session, bad.kind, bad.make(), bad.format, matching=matching)
    check_problems(bad, refused.value.problems)
    assert snapshot(engine) == before
    count(tally, f"import_data on {backend_of(corpus_url)}")


def cli_on(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """`lcmatch import` in process on a database, with the fast fake encoder."""
    monkeypatch.setenv("LCMATCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LCMATCH_DATABASE_URL", url)
    monkeypatch.setenv("LCMATCH_DEMO_DATA", "false")
    monkeypatch.chdir(tmp_path)  # no .env in reach
    monkeypatch.setattr("service.app.default_encoder", lambda settings: HashingEncoder())
    from service.cli.main import app

    runner = CliRunner()

    def run(*arguments: str) -> Any:
        return runner.invoke(app, ["import", *arguments, "--no-progress"])

    return run


@pytest.mark.parametrize("bad", cases())
def test_the_cli_refuses_and_writes_nothing(
    bad: Bad,
    engine: Engine,
    corpus_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tally: dict[str, Any],
) -> None:
    cli = cli_on(corpus_url, tmp_path, monkeypatch)
    before = snapshot(engine)
    path = tmp_path / f"{bad.kind}.{bad.format}"
    path.write_bytes(bad.make())
    result = cli(bad.kind, str(path))
    assert result.exit_code == 2, result.output
    errors = result.stderr.splitlines()
    assert all(line.startswith("error: ") for line in errors), errors[:5]
    *problems, summary = [line.removeprefix("error: ") for line in errors]
    assert re.fullmatch(rf"\d+ problems? in {re.escape(str(path))}; nothing was imported", summary)
    check_problems(bad, problems)
    assert snapshot(engine) == before
    count(tally, f"lcmatch import on {backend_of(corpus_url)}")


def test_the_control_a_good_file_is_imported(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshot sees an import: files like the corpus's, without a fault, are written."""
    engine = seeded_engine(db_url)
    cli = cli_on(db_url, tmp_path, monkeypatch)
    before = snapshot(engine)
    with Session(engine, expire_on_commit=False) as session:
        written = import_data(
            session, "challenges", csv_file("challenges", GOOD3), "csv", matching=None
        )
    assert written == 3
    after = snapshot(engine)
    assert after[Challenge.__tablename__] == before[Challenge.__tablename__] + 3
    students = Path("students.json")
    students.write_bytes(json_file([student(1), student(2, skills=[{"label": "lassen"}])]))
    result = cli("students", str(students))
    assert result.exit_code == 0, result.output
    table = StudentProfile.__tablename__
    assert snapshot(engine)[table] == after[table] + 2
    engine.dispose()
