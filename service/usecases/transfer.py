"""Import and export of communities, organisations, challenges, students and research groups.

A file holds one kind, as CSV or JSON, with exactly the fields of that kind's create model
(lists and skill lists as JSON inside CSV cells; dates ISO); never the embeddings, and never
the users (their passwords stay in the database). An import is all or nothing: every record is
checked first, every problem is reported, and only a file without problems is written, in one
transaction.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import types
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Union, get_args, get_origin

from pydantic import ValidationError
from sqlmodel import Field, Session, SQLModel, select

from service.domain.errors import UnknownPlace
from service.domain.tables import (
    Challenge,
    ChallengeCreate,
    ChallengeStatus,
    Community,
    CommunityCreate,
    Membership,
    Organisation,
    OrganisationCreate,
    ResearchGroup,
    ResearchGroupCreate,
    Role,
    StudentCreate,
    StudentProfile,
    User,
)
from service.usecases.csv_safety import guard, unguard
from service.usecases.matching import Kind as MatchingKind
from service.usecases.matching import Matching
from service.usecases.places import canonical_place

FORMATS = ("csv", "json")


class ChallengeRecord(ChallengeCreate):
    """A challenge as it travels in a file: the create model with two changes.

    An import has no SME to take the organisation from, so it is required; and the status
    travels along, or a round trip would turn every published challenge into a draft.
    """

    organisation_id: str = Field(min_length=1, max_length=64)
    status: ChallengeStatus = ChallengeStatus.draft


@dataclass(frozen=True)
class Spec:
    """How one kind is stored and how it travels."""

    name: str  # as on the command line: "research_groups"
    noun: str  # one of them, in a message: "research group"
    table: type[SQLModel]
    record: type[SQLModel]  # the model every record is validated with
    member: str | None = None  # Membership.kind of its community links
    embed_as: MatchingKind | None = None  # the matching kind whose text gets an embedding


SPECS: dict[str, Spec] = {
    spec.name: spec
    for spec in (
        Spec("communities", "community", Community, CommunityCreate),
        Spec(
            "organisations", "organisation", Organisation, OrganisationCreate, member="organisation"
        ),
        Spec("challenges", "challenge", Challenge, ChallengeRecord, embed_as="challenge"),
        Spec(
            "students",
            "student",
            StudentProfile,
            StudentCreate,
            member="student",
            embed_as="student",
        ),
        Spec(
            "research_groups",
            "research group",
            ResearchGroup,
            ResearchGroupCreate,
            member="research_group",
            embed_as="research_group",
        ),
    )
}


class TransferError(Exception):
    """A file that cannot be imported (or a kind or format that does not exist), with every
    problem found, each as `line N, field F: message` or `record N, field F: message`."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def spec_for(kind: str) -> Spec:
    """The kind by its command-line name; `research-groups` works as well."""
    name = kind.strip().lower().replace("-", "_")
    if name == "users":
        raise TransferError(["users are neither exported nor imported: passwords stay put"])
    spec = SPECS.get(name)
    if spec is None:
        raise TransferError([f"unknown kind {kind!r}; choose one of: {', '.join(SPECS)}"])
    return spec


def columns(spec: Spec) -> list[str]:
    """The fields of a record, id first (a reader looks for it there)."""
    return ["id", *(name for name in spec.record.model_fields if name != "id")]


def _json_fields(spec: Spec) -> set[str]:
    """Fields holding lists or objects: inside a CSV cell they are written as JSON."""
    found = set()
    for name, info in spec.record.model_fields.items():
        annotation = info.annotation
        options = (
            get_args(annotation)
            if get_origin(annotation) in (Union, types.UnionType)
            else (annotation,)
        )
        if any(get_origin(option) in (list, dict) or option in (list, dict) for option in options):
            found.add(name)
    return found


# -- export -------------------------------------------------------------------------------


def export(session: Session, kind: str, format: str) -> str:
    """All rows of a kind, sorted by id, as the text of a CSV or JSON file."""
    spec = spec_for(kind)
    if format not in FORMATS:
        raise TransferError([f"unknown format {format!r}; choose csv or json"])
    # Sorted here, not by ORDER BY: PostgreSQL's collation may order "ch-1a" and "ch-10"
    # differently from SQLite, and an export must be the same file from either database.
    rows = sorted(session.exec(select(spec.table)), key=lambda row: row.id)
    links = _links(session, spec)
    records, problems = [], []
    for row in rows:
        try:
            records.append(_record_of(spec, row, links.get(row.id, [])))
        except ValidationError as error:
            # A row the import would refuse (say, an organisation whose only community was
            # deleted) is named rather than written into a file that cannot come back.
            problems.extend(problems_of(f"{spec.noun} {row.id}", error))
    if problems:
        raise TransferError(problems)
    if format == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns(spec))
    for record in records:
        writer.writerow(_cell(value) for value in record.values())
    return out.getvalue()


def _links(session: Session, spec: Spec) -> dict[str, list[str]]:
    """Member id -> its community ids, sorted (memberships have no order of their own)."""
    links: dict[str, list[str]] = {}
    if spec.member:
        query = select(Membership).where(Membership.kind == spec.member)
        for membership in session.exec(query):
            links.setdefault(membership.member_id, []).append(membership.community_id)
    return {member_id: sorted(community_ids) for member_id, community_ids in links.items()}


def _record_of(spec: Spec, row: SQLModel, community_ids: list[str]) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in columns(spec) if hasattr(row, name)}
    if spec.member:
        values["community_ids"] = community_ids
    if "user_id" in values:
        # Logins are not exported, so neither is the link to one: the file must import into
        # a database without these users. An import may still name a user that exists there.
        values["user_id"] = None
    dumped = spec.record.model_validate(values).model_dump(mode="json")
    return {name: dumped[name] for name in columns(spec)}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return guard(value)  # `_csv_record` takes the guard off again on import
    return str(value)


# -- reading a file -----------------------------------------------------------------------


@dataclass
class Record:
    """One record of a file and where it stands: "line 3" (CSV) or "record 3" (JSON)."""

    where: str
    values: dict[str, Any]
    problems: list[str] = field(default_factory=list)  # found while reading it
    bad_fields: set[str] = field(default_factory=set)  # whose problem is reported already
    readable: bool = True  # False when its shape is wrong: its fields are not checked


def format_of(filename: str) -> str:
    """csv or json, from a file name's suffix."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in FORMATS:
        raise TransferError(
            [f"cannot tell the format of {filename!r} from its suffix: pass --format csv or json"]
        )
    return suffix


def read_records(data: bytes, format: str, spec: Spec) -> list[Record]:
    """The records of a CSV or JSON file; a file that cannot be read raises TransferError."""
    text = _decode(data, format, spec)
    return _read_csv(text, spec) if format == "csv" else _read_json(text, spec)


def _decode(data: bytes, format: str, spec: Spec) -> str:
    # Excel saves an empty sheet as just a byte order mark: that file is empty too.
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        expected = (
            f"a header line with the columns {', '.join(columns(spec))}"
            if format == "csv"
            else "a JSON array of records"
        )
        raise TransferError([f"line 1: the file is empty; expected {expected}"])
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF16_LE, "UTF-16")):
        if data.startswith(bom) or data.startswith(bom[::-1]):
            raise TransferError([f"line 1: the file is {name}; save it as UTF-8"])
    problems = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if b"\0" in line:
            column = line.index(b"\0") + 1
            problems.append(f"line {number}: NUL byte at column {column}; not a text file?")
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = line[error.start]
            problems.append(
                f"line {number}: not UTF-8 (byte 0x{byte:02x} at column {error.start + 1}); "
                "save the file as UTF-8"
            )
    if problems:
        raise TransferError(problems)
    return data.decode("utf-8-sig")  # Excel puts a byte order mark before UTF-8 CSV


def _read_csv(text: str, spec: Spec) -> list[Record]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip() for name in next(reader)]
        _check_header(header, spec)
        json_fields = _json_fields(spec)
        records = []
        start = reader.line_num + 1
        for cells in reader:
            if cells:  # a blank line separates nothing; skip it
                records.append(_csv_record(f"line {start}", header, cells, json_fields))
            start = reader.line_num + 1
    except csv.Error as error:
        raise TransferError([f"line {reader.line_num}: not valid CSV: {error}"]) from None
    return records


def _check_header(header: list[str], spec: Spec) -> None:
    known = columns(spec)
    problems = []
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(f"line 1: column {position} has no name")
        elif name not in known:
            problems.append(
                f"line 1, field {name}: unknown column; the columns are {', '.join(known)}"
            )
        elif header.index(name) != position - 1:
            problems.append(f"line 1, field {name}: the column appears twice")
    for name, info in spec.record.model_fields.items():
        if info.is_required() and name not in header:
            problems.append(f"line 1, field {name}: required column is missing")
    if problems:
        raise TransferError(problems)


LIST_EXAMPLE = '["energietransitie", "zorg"]'
SKILLS_EXAMPLE = '[{"label": "warmtepompen installeren", "esco_uri": null}]'


def _csv_record(where: str, header: list[str], cells: list[str], json_fields) -> Record:
    record = Record(where, {})
    if len(cells) != len(header):
        record.problems.append(f"{where}: {len(cells)} cells, the header has {len(header)}")
        record.readable = False
        return record
    for name, cell in zip(header, cells, strict=True):
        if cell == "":
            continue  # an empty cell is a missing value: the field's default applies
        if name not in json_fields:
            record.values[name] = unguard(cell)
            continue
        try:
            record.values[name] = json.loads(cell)
        except json.JSONDecodeError:
            example = SKILLS_EXAMPLE if name in ("skills", "wanted_skills") else LIST_EXAMPLE
            record.problems.append(
                f"{where}, field {name}: expected a JSON list such as {example}, found {cell!r}"
            )
            record.bad_fields.add(name)
    return record


def _read_json(text: str, spec: Spec) -> list[Record]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TransferError(
            [f"line {error.lineno}, column {error.colno}: malformed JSON: {error.msg}"]
        ) from None
    if not isinstance(data, list):
        raise TransferError([f"line 1: expected a JSON array of records, found {_a(data)}"])
    known = set(columns(spec))
    records = []
    for number, item in enumerate(data, start=1):
        record = Record(f"record {number}", {})
        if not isinstance(item, dict):
            record.problems.append(f"record {number}: expected an object, found {_a(item)}")
            record.readable = False
        else:
            for name, value in item.items():
                if name in known:
                    record.values[name] = value
                else:
                    record.problems.append(f"record {number}, field {name}: unknown field")
        records.append(record)
    return records


def _a(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "true or false"}
    return names.get(type(value), "null" if value is None else "a number")


# -- checking ------------------------------------------------------------------------------


def problems_of(where: str, error: ValidationError, skip: Collection[str] = ()) -> list[str]:
    """Pydantic's complaints as `where, field F: message`, except on the fields in `skip`."""
    found = []
    for detail in error.errors(include_url=False):
        if detail["loc"] and detail["loc"][0] in skip:
            continue
        place = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in detail["loc"]
        ).lstrip(".")
        message = detail["msg"].removeprefix("Value error, ")
        value = detail.get("input")
        if detail["type"] != "missing" and isinstance(value, str | int | float) and place:
            shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
            message += f" (found {shown})"
        found.append(f"{where}, field {place}: {message}" if place else f"{where}: {message}")
    return found


#: Tables whose ids are member ids. Memberships are keyed by member id alone, so these ids are
#: unique over all four (as the routes require): a repeat would share another's communities.
MEMBER_TABLES = {
    "user": User,
    "organisation": Organisation,
    "student": StudentProfile,
    "research group": ResearchGroup,
}


@dataclass
class _Known:
    """What the database holds that records refer to or must not repeat."""

    taken: dict[str, str]  # id -> what holds it ("challenge", "student", ...)
    communities: set[str]
    organisations: dict[str, set[str]]  # organisation id -> its communities
    user_roles: dict[str, str]
    linked_users: dict[str, str]  # user id -> the student profile it is linked to

    @classmethod
    def load(cls, session: Session, spec: Spec) -> _Known:
        taken = {id_: spec.noun for id_ in session.exec(select(spec.table.id))}
        if spec.member:
            for holder, table in MEMBER_TABLES.items():
                taken.update((id_, holder) for id_ in session.exec(select(table.id)))
            taken.update(
                (member_id, "member of a community")
                for member_id in session.exec(select(Membership.member_id))
                if member_id not in taken
            )
        organisations: dict[str, set[str]] = {
            id_: set() for id_ in session.exec(select(Organisation.id))
        }
        links = select(Membership).where(Membership.kind == "organisation")
        for membership in session.exec(links):
            if membership.member_id in organisations:
                organisations[membership.member_id].add(membership.community_id)
        linked = select(StudentProfile.user_id, StudentProfile.id).where(
            StudentProfile.user_id.is_not(None)
        )
        return cls(
            taken=taken,
            communities=set(session.exec(select(Community.id))),
            organisations=organisations,
            user_roles=dict(session.exec(select(User.id, User.role)).all()),
            linked_users=dict(session.exec(linked).all()),
        )


def check(session: Session, spec: Spec, records: Sequence[Record]) -> list[SQLModel]:
    """The validated records; TransferError with every problem of every record otherwise."""
    known = _Known.load(session, spec)
    first_seen: dict[tuple[str, str], str] = {}  # (field, value) -> where it first stood
    problems: list[str] = []
    valid: list[SQLModel] = []
    for record in records:
        problems.extend(record.problems)
        if not record.readable:
            continue
        problems.extend(_nul_problems(record))
        try:
            model = spec.record.model_validate(record.values)
        except ValidationError as error:
            problems.extend(problems_of(record.where, error, skip=record.bad_fields))
        else:
            unknown = _place_problem(spec, model, record.where)
            if unknown:
                problems.append(unknown)
            else:
                valid.append(model)
        # References are checked on an invalid record too: every problem in one go.
        problems.extend(_reference_problems(spec, record, known, first_seen))
    if problems:
        raise TransferError(problems)
    return valid


#: The place field of each kind that has one: looked up in the gazetteer as on every save.
PLACE_FIELDS: dict[type[SQLModel], str] = {Challenge: "place", StudentProfile: "region"}


def _place_problem(spec: Spec, model: SQLModel, where: str) -> str | None:
    """Store the record's place under the gazetteer's name, as the API and the pages do; an
    unknown place is a problem naming the line and field, with close names to try."""
    field = PLACE_FIELDS.get(spec.table)
    if field is None:
        return None
    try:
        setattr(model, field, canonical_place(getattr(model, field), field))
    except UnknownPlace as error:
        hint = f"; did you mean {', '.join(error.suggestions)}?" if error.suggestions else ""
        return f"{where}, field {field}: unknown Dutch place {error.name!r}{hint}"
    return None


def _nul_problems(record: Record) -> list[str]:
    """A NUL character (JSON's \\u0000) in a value: PostgreSQL cannot store it in text (the
    import failed there with a database error) and a CSV export of it could not come back."""

    def has_nul(value: Any) -> bool:
        if isinstance(value, str):
            return "\0" in value
        if isinstance(value, list):
            return any(has_nul(item) for item in value)
        if isinstance(value, dict):
            return any(has_nul(key) or has_nul(item) for key, item in value.items())
        return False

    found = []
    for name, value in record.values.items():
        if has_nul(value):
            found.append(f"{record.where}, field {name}: contains a NUL character (\\u0000)")
            record.bad_fields.add(name)
    return found


def _reference_problems(
    spec: Spec, record: Record, known: _Known, first_seen: dict[tuple[str, str], str]
) -> list[str]:
    values, where = record.values, record.where
    problems = []

    def once(name: str, value: str, what: str) -> None:
        earlier = first_seen.setdefault((name, value), where)
        if earlier != where:
            problems.append(f"{where}, field {name}: {what} {value!r} appears again ({earlier})")

    id_ = values.get("id")
    if isinstance(id_, str) and id_:
        if id_ in known.taken:
            problems.append(f"{where}, field id: {id_!r} exists already ({known.taken[id_]})")
        once("id", id_, "id")
    community_ids = values.get("community_ids")
    if isinstance(community_ids, list):
        for community_id in community_ids:
            if isinstance(community_id, str) and community_id not in known.communities:
                problems.append(f"{where}, field community_ids: no community {community_id!r}")
    community_id = values.get("community_id")
    if isinstance(community_id, str) and community_id not in known.communities:
        problems.append(f"{where}, field community_id: no community {community_id!r}")
    organisation_id = values.get("organisation_id")
    if spec.table is Challenge and isinstance(organisation_id, str):
        if organisation_id not in known.organisations:
            problems.append(f"{where}, field organisation_id: no organisation {organisation_id!r}")
        elif (
            isinstance(community_id, str)
            and community_id in known.communities
            and community_id not in known.organisations[organisation_id]
        ):
            problems.append(
                f"{where}, field organisation_id: organisation {organisation_id!r} is not in "
                f"community {community_id!r}"
            )
    user_id = values.get("user_id")
    if spec.table is StudentProfile and isinstance(user_id, str) and user_id:
        if user_id not in known.user_roles:
            problems.append(f"{where}, field user_id: no user {user_id!r}")
        elif known.user_roles[user_id] != Role.student:
            problems.append(f"{where}, field user_id: user {user_id!r} is not a student's login")
        elif user_id in known.linked_users:
            student = known.linked_users[user_id]
            problems.append(f"{where}, field user_id: user {user_id!r} has student {student!r}")
        else:
            once("user_id", user_id, "user")  # one login, one student profile
    return problems


# -- writing -------------------------------------------------------------------------------


def new_rows(spec: Spec, model: SQLModel) -> tuple[SQLModel, list[Membership]]:
    """The table row for a validated record, and its community memberships."""
    values = model.model_dump(exclude={"id", "community_ids"})
    row = spec.table(**values)
    if model.id:  # otherwise the table makes a fresh id
        row.id = model.id
    links = []
    if spec.member:
        for community_id in dict.fromkeys(model.community_ids):  # a repeat is one membership
            links.append(Membership(community_id=community_id, member_id=row.id, kind=spec.member))
    return row, links


def import_data(
    session: Session,
    kind: str,
    data: bytes,
    format: str,
    *,
    matching: Matching | None = None,
    progress: bool = False,
) -> int:
    """Import a file's records in one transaction, with their embeddings; returns how many.

    Without `matching` the rows are stored without embeddings (the next start computes them).
    Raises TransferError, having written nothing, when any record has a problem.
    """
    spec = spec_for(kind)
    if format not in FORMATS:
        raise TransferError([f"unknown format {format!r}; choose csv or json"])
    models = check(session, spec, read_records(data, format, spec))
    built = [new_rows(spec, model) for model in models]
    rows = [row for row, _ in built]
    try:
        # Encode before the first write: SQLite holds its write lock from then to the commit.
        if matching is not None and spec.embed_as:
            matching.embed(spec.embed_as, rows, progress=progress)
        session.add_all(rows)
        session.flush()
        session.add_all(link for _, links in built for link in links)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(rows)
