"""Import and export (service/usecases/transfer.py) on SQLite and on PostgreSQL.

The demo data goes out as CSV and JSON, into an empty database and out again, byte for byte
the same. An import is all or nothing: a file with bad lines names every one of them (line or
record number and field) and writes nothing; a good file is written with its embeddings.
"""

from __future__ import annotations

import codecs
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from matcher import HashingEncoder
from matcher.cache import text_hash
from matcher.paths import data_dir
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
from service.storage.db import make_engine, migrate
from service.usecases.demo import load_demo_if_empty
from service.usecases.matching import Matching, text_view
from service.usecases.transfer import TransferError, export, import_data

DEMO_PASSWORD = "demo-wachtwoord-voor-de-tests"
SECRET = "a-test-secret-that-is-long-enough-0123456789"

#: Every kind, in an order in which each file only refers to rows imported before it.
KINDS = ("communities", "organisations", "research_groups", "challenges", "students")
FORMATS = ("csv", "json")
TABLES: dict[str, type[SQLModel]] = {
    "communities": Community,
    "organisations": Organisation,
    "research_groups": ResearchGroup,
    "challenges": Challenge,
    "students": StudentProfile,
}
#: Fields of the demo files that are no field of a record (see service/usecases/demo.py).
INFORMATIONAL = {"intermediary_organisation_id", "note"}


def demo_file(kind: str) -> list[dict[str, Any]]:
    return json.loads((data_dir() / "demo" / f"{kind}.json").read_text(encoding="utf-8"))


# -- databases -------------------------------------------------------------------------------


def another_database(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> str:
    """A second empty database on the same backend as db_url (dropped after the test)."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'second.sqlite'}"
    cluster = request.getfixturevalue("postgres")
    name = f"t_{uuid.uuid4().hex[:16]}"
    url = cluster.create(name)
    request.addfinalizer(lambda: cluster.drop(name))
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The test's database, migrated and empty."""
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def second_engine(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A second database on the same backend, migrated and empty."""
    engine = make_engine(another_database(request, db_url, tmp_path))
    migrate(engine)
    yield engine
    engine.dispose()


def demo_settings(tmp_path: Path, engine: Engine) -> Settings:
    return Settings(
        home=tmp_path,
        database_url=engine.url.render_as_string(hide_password=False),
        demo_data=True,
        demo_password=DEMO_PASSWORD,
        environment="test",
        secret_key=SECRET,
    )


def count(session: Session, table: type[SQLModel]) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def counts(engine: Engine) -> dict[str, int]:
    """Rows per table, memberships per kind and users: what an import must not touch."""
    with Session(engine) as session:
        found = {kind: count(session, table) for kind, table in TABLES.items()}
        found["users"] = count(session, User)
        for kind in ("organisation", "student", "research_group", "user"):
            query = select(func.count()).select_from(Membership).where(Membership.kind == kind)
            found[f"membership {kind}"] = session.exec(query).one()
    return found


def export_all(engine: Engine) -> dict[tuple[str, str], str]:
    with Session(engine) as session:
        return {(kind, fmt): export(session, kind, fmt) for kind in KINDS for fmt in FORMATS}


# -- the round trip --------------------------------------------------------------------------


@pytest.mark.parametrize("via", FORMATS)
def test_demo_data_round_trips_byte_for_byte(
    engine: Engine, second_engine: Engine, tmp_path: Path, via: str
) -> None:
    with Session(engine) as session:
        assert load_demo_if_empty(session, demo_settings(tmp_path, engine)) is True
    expected = {kind: len(demo_file(kind)) for kind in KINDS}
    assert expected == {
        "communities": 3,
        "organisations": 61,
        "research_groups": 15,
        "challenges": 80,
        "students": 300,
    }
    # The demo's history loads too: the research lines' past challenges are challenges.
    expected["challenges"] += len(demo_file("past_challenges"))
    first = counts(engine)
    assert {kind: first[kind] for kind in KINDS} == expected
    files = export_all(engine)

    with Session(second_engine) as session:
        imported = {
            kind: import_data(session, kind, files[kind, via].encode("utf-8"), via)
            for kind in KINDS
        }
    assert imported == expected
    again = export_all(second_engine)
    differing = [f"{kind}.{fmt}" for (kind, fmt), text in files.items() if again[kind, fmt] != text]
    assert differing == []
    assert len(again) == 10
    # Everything but the logins came along, with every community link.
    second = counts(second_engine)
    assert second == {**first, "users": 0, "membership user": 0}


def test_export_holds_every_value_of_the_demo_files_and_no_login(
    engine: Engine, tmp_path: Path
) -> None:
    with Session(engine) as session:
        load_demo_if_empty(session, demo_settings(tmp_path, engine))
    files = export_all(engine)
    for kind in KINDS:
        exported = json.loads(files[kind, "json"])
        ids = [record["id"] for record in exported]
        assert ids == sorted(ids), kind
        by_id = {record["id"]: record for record in exported}
        source = demo_file(kind)
        past = []
        if kind == "challenges":  # the research lines' past challenges load as closed ones
            past = demo_file("past_challenges")
            assert all(by_id[item["id"]]["status"] == "closed" for item in past)
        assert sorted(by_id) == sorted(item["id"] for item in source + past), kind
        for item in source:
            record = by_id[item["id"]]
            for name, value in item.items():
                if name in INFORMATIONAL:
                    continue
                if name == "community_ids":
                    assert record[name] == sorted(value), (kind, item["id"], name)
                else:
                    assert record[name] == value, (kind, item["id"], name)
        # The CSV holds one line per record under a header (no demo text spans lines).
        assert len(files[kind, "csv"].splitlines()) == len(source) + len(past) + 1, kind
    # Six demo students have a login; the export names none of them, nor any login at all.
    assert {record["user_id"] for record in json.loads(files["students", "json"])} == {None}
    everything = "".join(files.values())
    for user in demo_file("users"):
        assert user["email"] not in everything
        assert user["id"] not in everything
    assert "$argon2" not in everything
    assert "embedding" not in everything


# -- all or nothing: every bad line, and nothing written ----------------------------------------


@pytest.fixture
def two_communities(engine: Engine) -> Engine:
    """com-x with org-x and challenge ch-old, com-y with org-y and student stu-old."""
    with Session(engine) as session:
        session.add(Community(id="com-x", name="Leergemeenschap X"))
        session.add(Community(id="com-y", name="Leergemeenschap Y"))
        session.add(Organisation(id="org-x", name="Warmtebedrijf X", kind="sme"))
        session.add(Organisation(id="org-y", name="Datakantoor Y", kind="sme"))
        session.flush()
        session.add(
            Challenge(
                id="ch-old",
                title="Een bestaande challenge",
                description="Deze challenge staat al in de database.",
                community_id="com-x",
                organisation_id="org-x",
            )
        )
        session.add(
            StudentProfile(
                id="stu-old", full_name="Bestaande Student", programme="Bouwkunde", level="hbo"
            )
        )
        session.add(Membership(community_id="com-x", member_id="org-x", kind="organisation"))
        session.add(Membership(community_id="com-y", member_id="org-y", kind="organisation"))
        session.add(Membership(community_id="com-y", member_id="stu-old", kind="student"))
        session.commit()
    return engine


PROBLEM = re.compile(r"^(line \d+|record \d+)(?:, field ([\w.\[\]]+))?: \S")


def places(problems: list[str]) -> list[tuple[str, str | None]]:
    """(line or record, field) of each problem; every problem must have that shape."""
    found = []
    for problem in problems:
        match = PROBLEM.match(problem)
        assert match, f"not `line N, field F: message`: {problem!r}"
        found.append((match.group(1), match.group(2)))
    return found


def refused(engine: Engine, kind: str, data: bytes, format: str) -> list[str]:
    """The problems of an import that must fail, having written nothing."""
    before = counts(engine)
    with Session(engine) as session, pytest.raises(TransferError) as caught:
        import_data(session, kind, data, format, matching=Matching(encoder=HashingEncoder()))
    assert caught.value.problems, "a TransferError without problems"
    assert counts(engine) == before
    return caught.value.problems


BAD_CHALLENGES_CSV = """\
id,title,description,wanted_skills,level,hours_per_week,community_id,organisation_id,status
ch-new-1,Warmtepompen plannen,"Een planning maken voor het onderhoud
van warmtepompen bij klanten.",[],hbo,8,com-x,org-x,published
ch-new-2,Ventilatie meten,Luchtkwaliteit meten in klaslokalen.,[],master,8,com-x,org-x,draft
ch-new-3,Zonnepanelen,Opbrengst berekenen.,"[{""label"": panelen]",hbo,8,com-x,org-x,draft
ch-new-1,Dubbel id,Een challenge met een id dat al voorkomt.,[],hbo,8,com-x,org-x,draft
ch-new-4,Verkeerde organisatie,Een organisatie van elders.,[],hbo,8,com-x,org-y,draft
ch-new-5,Te weinig cellen,[]
ch-old,Bestaand id,Dit id staat al in de database.,[],hbo,8,com-x,org-x,draft
ch-new-6,Onbekende gemeenschap,Een gemeenschap die niet bestaat.,[],hbo,8,com-z,org-x,draft
ch-new-7,Uren in woorden,Uren en status in het Nederlands.,[],hbo,veel,com-x,org-x,gepubliceerd

ch-new-8,Goed na een lege regel,"Goed, met ""aanhalingstekens"".",[],any,8,com-x,org-x,draft
ch-new-9,x,kort,[],any,8,com-x,org-x,draft
"""


def test_a_csv_with_bad_lines_names_every_line_and_field_and_writes_nothing(
    two_communities: Engine,
) -> None:
    problems = refused(two_communities, "challenges", BAD_CHALLENGES_CSV.encode(), "csv")
    # Line numbers are the file's: the first record spans lines 2 and 3, line 12 is blank.
    assert sorted(places(problems)) == sorted(
        [
            ("line 4", "level"),
            ("line 5", "wanted_skills"),
            ("line 6", "id"),
            ("line 7", "organisation_id"),
            ("line 8", None),
            ("line 9", "id"),
            ("line 10", "community_id"),
            ("line 11", "hours_per_week"),
            ("line 11", "status"),
            ("line 14", "title"),
            ("line 14", "description"),
        ]
    ), "\n".join(problems)
    numbers = [
        int(problem.split(",")[0].split(":")[0].removeprefix("line ")) for problem in problems
    ]
    assert numbers == sorted(numbers), "problems are reported in the order of the file"
    text = dict(zip(places(problems), problems, strict=True))
    assert "'master'" in text["line 4", "level"]
    assert "line 2" in text["line 6", "id"]  # where the id stood first
    assert "exists already" in text["line 9", "id"]
    assert "org-y" in text["line 7", "organisation_id"]
    assert "com-z" in text["line 10", "community_id"]
    assert "'veel'" in text["line 11", "hours_per_week"]
    with Session(two_communities) as session:
        assert session.get(Challenge, "ch-new-1") is None
        assert session.get(Challenge, "ch-new-8") is None


def test_a_csv_without_a_required_column_is_refused_at_its_header(two_communities: Engine) -> None:
    data = (
        b"id,description,colour,community_id\n"
        b"ch-new-1,Een beschrijving van genoeg tekens.,rood,com-x\n"
    )
    problems = refused(two_communities, "challenges", data, "csv")
    assert sorted(places(problems)) == sorted(
        [("line 1", "colour"), ("line 1", "title"), ("line 1", "organisation_id")]
    ), "\n".join(problems)


BAD_STUDENTS_JSON: list[Any] = [
    {
        "id": "stu-new-1",
        "full_name": "Sanne de Goede",
        "programme": "Installatietechniek",
        "level": "mbo",
        "community_ids": ["com-x"],
    },
    {"id": "stu-new-2", "full_name": "Daan", "programme": "HBO-ICT", "level": "master",
     "community_ids": ["com-x"]},
    {"id": "stu-new-3", "full_name": "Noor", "programme": "Bouwkunde", "level": "hbo",
     "community_ids": "com-x"},
    {"id": "stu-new-1", "full_name": "Sanne Dubbel", "programme": "Bouwkunde", "level": "hbo",
     "community_ids": ["com-x"]},
    "stu-new-5",
    {"id": "stu-new-6", "full_name": "Kleur Rijk", "programme": "Bouwkunde", "level": "hbo",
     "community_ids": ["com-x"], "colour": "rood"},
    {"id": "stu-old", "full_name": "Bestaand Id", "programme": "Bouwkunde", "level": "hbo",
     "community_ids": ["com-y"]},
    {"id": "org-x", "full_name": "Id van een organisatie", "programme": "Bouwkunde",
     "level": "hbo", "community_ids": ["com-x"]},
    {"id": "stu-new-9", "full_name": "Onbekende Gemeenschap", "programme": "Bouwkunde",
     "level": "hbo", "community_ids": ["com-x", "com-z"]},
    {"id": "stu-new-10", "full_name": "Verkeerde Periode", "programme": "Bouwkunde",
     "level": "hbo", "community_ids": ["com-x"],
     "available_from": "2027-06-01", "available_until": "2027-01-31"},
    {"id": "stu-new-11", "full_name": "Geen Login", "programme": "Bouwkunde", "level": "hbo",
     "community_ids": ["com-x"], "user_id": "usr-bestaat-niet"},
    {"id": "stu-new-12", "full_name": "Te Veel Uren", "programme": "Bouwkunde", "level": "hbo",
     "community_ids": ["com-x"], "hours_per_week": 0, "year": "derde"},
]  # fmt: skip


def test_json_records_with_problems_are_named_by_record_and_field(two_communities: Engine) -> None:
    data = json.dumps(BAD_STUDENTS_JSON, indent=2).encode()
    problems = refused(two_communities, "students", data, "json")
    found = places(problems)
    assert sorted(found, key=str) == sorted(
        [
            ("record 2", "level"),
            ("record 3", "community_ids"),
            ("record 4", "id"),
            ("record 5", None),
            ("record 6", "colour"),
            ("record 7", "id"),
            ("record 8", "id"),
            ("record 9", "community_ids"),
            ("record 10", None),
            ("record 11", "user_id"),
            ("record 12", "year"),
            ("record 12", "hours_per_week"),
        ],
        key=str,
    ), "\n".join(problems)
    text = dict(zip(found, problems, strict=True))
    assert "record 1" in text["record 4", "id"]
    assert "exists already" in text["record 7", "id"]
    assert "organisation" in text["record 8", "id"]  # ids are unique over all member kinds
    assert "com-z" in text["record 9", "community_ids"]
    assert "available_until" in text["record 10", None]
    assert "usr-bestaat-niet" in text["record 11", "user_id"]


UNREADABLE = {
    "utf-16": (b"\xff\xfe" + "id,title\n".encode("utf-16-le"), "csv", "line 1"),
    "latin-1": (b"id,title\nch-1,Warmte\nch-2,Caf\xe9\n", "csv", "line 3"),
    "nul-byte": (b"id,title\nch-1,War\x00mte\n", "csv", "line 2"),
    "empty": (b"", "csv", "line 1"),
    "blank": (b"  \n\n", "json", "line 1"),
    # Excel's "CSV UTF-8" of an empty sheet: only the byte order mark.
    "only-a-bom": (b"\xef\xbb\xbf", "csv", "line 1"),
    "malformed-json": (b'[\n  {"id": "ch-1",\n   "title": }\n]\n', "json", "line 3"),
    "json-object": (b'{"id": "ch-1"}', "json", "line 1"),
    "unclosed-quote": (
        b"id,title,description,community_id,organisation_id\n"
        b'ch-1,Warmte,"Een beschrijving zonder eind,com-x,org-x\n',
        "csv",
        "line",
    ),
}


@pytest.mark.parametrize("case", list(UNREADABLE))
def test_a_file_that_cannot_be_read_is_a_clear_error(two_communities: Engine, case: str) -> None:
    data, format, where = UNREADABLE[case]
    problems = refused(two_communities, "challenges", data, format)
    assert all(isinstance(problem, str) for problem in problems)
    assert problems[0].startswith(where), problems


# -- a good file ---------------------------------------------------------------------------


def test_a_csv_as_excel_saves_it_imports(two_communities: Engine) -> None:
    """UTF-8 with a byte order mark and CRLF line ends (Excel's "CSV UTF-8")."""
    text = 'id,name,kind,community_ids,city\r\norg-bakker,Bakkerij Één,sme,"[""com-x""]",Goes\r\n'
    data = codecs.BOM_UTF8 + text.encode()
    with Session(two_communities) as session:
        assert import_data(session, "organisations", data, "csv") == 1
    with Session(two_communities) as session:
        row = session.get(Organisation, "org-bakker")
        assert (row.name, row.kind, row.city) == ("Bakkerij Één", "sme", "Goes")
        exported = export(session, "organisations", "csv")
    assert exported.splitlines()[0] == "id,name,kind,city,description,size_employees,community_ids"
    assert 'org-bakker,Bakkerij Één,sme,Goes,,,"[""com-x""]"' in exported.splitlines()


GOOD_CHALLENGES_CSV = """\
id,title,description,wanted_skills,themes,level,community_id,organisation_id,status
ch-warmte,Warmtepompen installeren,"Wij zoeken een student die warmtepompen installeert bij \
woningen.","[{""label"": ""warmtepompen installeren"", ""esco_uri"": null}]",\
"[""energietransitie""]",mbo,com-x,org-x,published
ch-data,Energiedata analyseren,Analyseer het energieverbruik van kantoren met Python.,[],[],\
hbo,com-y,org-y,published
ch-concept,Een datamodel voor facturen,Ontwerp een datamodel voor de facturen.,,,any,com-x,\
org-x,
"""


def test_a_good_file_is_imported_embedded_and_searchable(two_communities: Engine) -> None:
    encoder = HashingEncoder()
    matching = Matching(encoder=encoder)
    with Session(two_communities) as session:
        imported = import_data(
            session, "challenges", GOOD_CHALLENGES_CSV.encode(), "csv", matching=matching
        )
    assert imported == 3
    assert encoder.encoded == 3
    with Session(two_communities) as session:
        rows = {row.id: row for row in session.exec(select(Challenge))}
        assert sorted(rows) == ["ch-concept", "ch-data", "ch-old", "ch-warmte"]
        for id_ in ("ch-concept", "ch-data", "ch-warmte"):
            row = rows[id_]
            assert row.embedding is not None, id_
            assert len(row.embedding) == encoder.dimension
            assert row.embedding_model == encoder.model_id
            assert row.text_hash == text_hash(text_view("challenge", row))
        assert rows["ch-warmte"].wanted_skills == [
            {"label": "warmtepompen installeren", "esco_uri": None}
        ]
        assert rows["ch-warmte"].themes == ["energietransitie"]
        assert rows["ch-warmte"].status == "published"
        assert rows["ch-concept"].status == "draft"  # an empty cell takes the default
        assert rows["ch-concept"].wanted_skills == []

    # A restart builds its indexes from the stored vectors: only ch-old and stu-old (stored
    # without) are encoded; the imported published challenges are found, the draft is not.
    restarted = Matching(encoder=HashingEncoder())
    with Session(two_communities) as session:
        assert restarted.rebuild(session) == 2
    ranker = restarted.rankers["challenge"]
    assert "ch-warmte" in ranker and "ch-data" in ranker
    assert "ch-concept" not in ranker
    found = ranker.search("warmtepompen installeren bij woningen", 2)
    assert found[0].id == "ch-warmte"
    in_y = ranker.search("energieverbruik analyseren", 5, filters={"community": ["com-y"]})
    assert [match.id for match in in_y] == ["ch-data"]


def test_imported_students_get_their_communities_and_are_suggested(
    two_communities: Engine,
) -> None:
    records = [
        {
            "id": "stu-warmte",
            "full_name": "Sanne Installateur",
            "programme": "Installatietechniek",
            "level": "mbo",
            "about": "Ik wil warmtepompen installeren bij woningen.",
            "community_ids": ["com-x", "com-y", "com-x"],
            "consent_matching": True,
        },
        {
            "id": "stu-geheim",
            "full_name": "Noor Zondertoestemming",
            "programme": "Installatietechniek",
            "level": "mbo",
            "about": "Warmtepompen installeren bij woningen.",
            "community_ids": ["com-x"],
        },
    ]
    with Session(two_communities) as session:
        imported = import_data(
            session,
            "students",
            json.dumps(records).encode(),
            "json",
            matching=Matching(encoder=HashingEncoder()),
        )
    assert imported == 2
    with Session(two_communities) as session:
        links = session.exec(
            select(Membership.community_id).where(Membership.member_id == "stu-warmte")
        ).all()
        assert sorted(links) == ["com-x", "com-y"]  # a repeated community is one membership
        assert session.get(StudentProfile, "stu-geheim").consent_matching is False
        matching = Matching(encoder=HashingEncoder())
        matching.rebuild(session)
        challenge = Challenge(
            title="Warmtepompen installeren",
            description="Warmtepompen installeren bij woningen van klanten.",
            community_id="com-x",
            organisation_id="org-x",
        )
        ranked = matching.rank(
            "student", "challenge", challenge, k=5, filters={"community": ["com-x"]}
        )
    assert [match.id for match in ranked] == ["stu-warmte"]  # no consent, no suggestion


def test_imported_places_are_looked_up_as_on_every_save(two_communities: Engine) -> None:
    """A file's place is stored under the gazetteer's name; an unknown one names its record
    and field, with close names, and nothing is written."""
    student = {
        "full_name": "Sanne Installateur",
        "programme": "Installatietechniek",
        "level": "mbo",
        "about": "Warmtepompen installeren.",
        "community_ids": ["com-x"],
    }
    bad = [
        {**student, "id": "stu-bosch", "region": "den bosch"},
        {**student, "id": "stu-nergens", "region": "Nijmegn"},
    ]
    problems = refused(two_communities, "students", json.dumps(bad).encode(), "json")
    assert places(problems) == [("record 2", "region")]
    assert "'Nijmegn'" in problems[0] and "Nijmegen" in problems[0]

    good = [bad[0], {**student, "id": "stu-thuis", "region": ""}]
    with Session(two_communities) as session:
        assert import_data(session, "students", json.dumps(good).encode(), "json") == 2
    with Session(two_communities) as session:
        assert session.get(StudentProfile, "stu-bosch").region == "'s-Hertogenbosch"
        assert session.get(StudentProfile, "stu-thuis").region == ""

    challenges = (
        "id,title,description,community_id,organisation_id,place\n"
        "ch-oss,Warmte,Warmtepompen plannen.,com-x,org-x,OSS\n"
    )
    with Session(two_communities) as session:
        assert import_data(session, "challenges", challenges.encode(), "csv") == 1
    with Session(two_communities) as session:
        assert session.get(Challenge, "ch-oss").place == "Oss"


def test_an_import_without_matching_leaves_the_encoding_to_the_next_start(
    two_communities: Engine,
) -> None:
    records = [
        {
            "id": f"rg-{n}",
            "name": f"Lectoraat {n}",
            "expertise": "Onderzoek naar duurzame warmte in woningen.",
            "community_ids": ["com-x"],
        }
        for n in range(3)
    ]
    with Session(two_communities) as session:
        assert import_data(session, "research-groups", json.dumps(records).encode(), "json") == 3
    with Session(two_communities) as session:
        groups = session.exec(select(ResearchGroup)).all()
        assert [group.embedding for group in groups] == [None, None, None]
        # Three research groups, and ch-old and stu-old, stored without vectors as well.
        assert Matching(encoder=HashingEncoder()).rebuild(session) == 5
