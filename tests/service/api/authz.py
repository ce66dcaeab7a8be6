"""What the authorization matrix (data/authz_matrix.csv) needs to make each of its calls.

Per route: which kind of object its path (or body) names, the state that object must be in for
the call to make sense, and the request body. Per cell, `make_target` creates a fresh object with
the cell's relation to the persona (own, same_community, other_community), so that a write that
succeeds changes only that cell's object, and `snapshot` reads back everything a denied write
must have left alone.

Bodies are templates: "{community}" is the cell's community, "{new_id}" a fresh id, "{side}"
the side a persona answers for, "{sme_org}" an SME organisation of the cell's community.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from apiworld import CHEAP_HASH, PASSWORD, World, as_dict, email
from sqlmodel import SQLModel, func, select

from service.domain.meeting_tables import Invitation, Meeting
from service.domain.tables import (
    ApiKey,
    Challenge,
    Community,
    Handover,
    Membership,
    Organisation,
    Professional,
    Programme,
    ResearchGroup,
    Round,
    RoundChallenge,
    RoundStudent,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    Teacher,
    Theme,
    User,
)
from service.usecases.security import hash_api_key

MATRIX = Path(__file__).parent / "data" / "authz_matrix.csv"
PERSONAS = ("anonymous", "admin", "intermediary", "sme", "student", "monitor")
#: "shared": a member (student, research group, organisation) of community A and of B too.
RELATIONS = ("own", "same_community", "other_community", "shared", "-")
#: A reason community B's intermediary wrote about a shared student: no call of anyone but
#: an admin may answer with it.
OTHER_COMMUNITYS_NOTE = "Interne notitie van com-b over een gedeelde student"
#: The account each persona logs in with (all of community A; the admin is in none).
LOGINS = {
    "anonymous": None,
    "admin": "admin",
    "intermediary": "int-a",
    "sme": "sme-a",
    "student": "stu-a1",
    "monitor": "mon-a",  # follows programme A (of community A) and is in no community
}
#: The side of a match a persona answers for (intermediaries and admins record the target's).
SIDES = {
    "admin": "target",
    "intermediary": "target",
    "sme": "sme",
    "student": "target",
    "monitor": "target",
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Route:
    """What a route's calls need: the kind of object, its state, a body."""

    resource: str | None  # None: the route names no object
    state: str | None = None
    body: Any = None
    form: dict[str, str] | None = None
    query: dict[str, str] | None = None
    changes_state: bool = True  # False for a POST that writes nothing (logging in)
    ends_session: bool = False  # the caller's token stops working (logging out)


#: No "id" in the bodies: only admins choose ids (a new row shows in the table's row count).
CHALLENGE_BODY = {
    "community_id": "{community}",
    "organisation_id": "{sme_org}",
    "title": "Zonnepanelen op bedrijfsdaken",
    "description": "Een planning maken voor zonnepanelen op de daken van bedrijfshallen.",
    "level": "mbo",
}
SUGGESTION = "/api/v1/suggestions/{suggestion_id}"
ROUND = "/api/v1/rounds/{round_id}"
CANDIDATES = ROUND + "/challenges/{challenge_id}/candidates"
PROFESSIONAL = "/api/v1/professionals/{professional_id}"
MEETING = "/api/v1/meetings/{meeting_id}"

ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/health"): Route(None),
    ("POST", "/api/v1/login/access-token"): Route(
        None, form={"username": email("sme-a"), "password": PASSWORD}, changes_state=False
    ),
    ("GET", "/api/v1/users/me"): Route(None),
    ("PATCH", "/api/v1/users/me"): Route("me", body={"full_name": "Nieuwe Naam"}),
    ("POST", "/api/v1/users/me/api-keys"): Route("me", body={"name": "script"}),
    ("GET", "/api/v1/users/me/api-keys"): Route(None),
    ("POST", "/api/v1/logout"): Route("me", ends_session=True),
    ("DELETE", "/api/v1/users/me/api-keys/{key_id}"): Route("api_key"),
    # challenges
    ("GET", "/api/v1/challenges"): Route(None),
    ("POST", "/api/v1/challenges"): Route("new:challenge", body=CHALLENGE_BODY),
    ("GET", "/api/v1/challenges/{challenge_id}"): Route("challenge", "published"),
    ("PATCH", "/api/v1/challenges/{challenge_id}"): Route(
        "challenge", "published", body={"title": "Warmtepompen onderhouden"}
    ),
    ("DELETE", "/api/v1/challenges/{challenge_id}"): Route("challenge", "published"),
    ("POST", "/api/v1/challenges/{challenge_id}/publish"): Route("challenge", "draft"),
    ("POST", "/api/v1/challenges/{challenge_id}/close"): Route("challenge", "published"),
    # communities
    ("GET", "/api/v1/communities"): Route(None),
    ("POST", "/api/v1/communities"): Route(
        "new:community", body={"id": "{new_id}", "name": "Leergemeenschap Zeeland"}
    ),
    ("GET", "/api/v1/communities/{community_id}"): Route("community"),
    ("PATCH", "/api/v1/communities/{community_id}"): Route(
        "community", body={"description": "Een nieuwe beschrijving van de gemeenschap."}
    ),
    # organisations
    ("GET", "/api/v1/organisations"): Route(None),
    ("POST", "/api/v1/organisations"): Route(
        "new:organisation",
        body={
            "name": "Bouwbedrijf Nieuw",
            "kind": "sme",
            "community_ids": ["{community}"],
        },
    ),
    ("GET", "/api/v1/organisations/{organisation_id}"): Route("organisation"),
    ("PATCH", "/api/v1/organisations/{organisation_id}"): Route(
        "organisation", body={"city": "Zutphen"}
    ),
    # research groups
    ("GET", "/api/v1/research-groups"): Route(None),
    ("POST", "/api/v1/research-groups"): Route(
        "new:research_group",
        body={
            "name": "Lectoraat Biobased Bouwen",
            "expertise": "Onderzoek naar bouwen met hennep, stro en hout.",
            "community_ids": ["{community}"],
        },
    ),
    ("GET", "/api/v1/research-groups/{group_id}"): Route("research_group"),
    ("PATCH", "/api/v1/research-groups/{group_id}"): Route(
        "research_group", body={"expertise": "Onderzoek naar warmtenetten in wijken."}
    ),
    ("DELETE", "/api/v1/research-groups/{group_id}"): Route("research_group"),
    # students
    ("GET", "/api/v1/students"): Route(None),
    ("POST", "/api/v1/students"): Route(
        "new:student",
        body={
            "full_name": "Nieuwe Student",
            "programme": "Bouwkunde",
            "level": "hbo",
            "consent_matching": True,
            "community_ids": ["{community}"],
        },
    ),
    ("GET", "/api/v1/students/{student_id}"): Route("student"),
    ("PATCH", "/api/v1/students/{student_id}"): Route(
        "student", body={"about": "Ik wil zonnepanelen leren plaatsen."}
    ),
    ("DELETE", "/api/v1/students/{student_id}"): Route("student"),
    ("PUT", "/api/v1/students/{student_id}/communities"): Route(
        "student", body={"community_ids": ["{community}"]}
    ),
    # users
    ("GET", "/api/v1/users"): Route(None),
    ("POST", "/api/v1/users"): Route(
        "new:user",
        body={
            "email": "{new_id}@example.nl",
            "full_name": "Nieuwe Gebruiker",
            "role": "student",
            "password": "een-lang-wachtwoord",
            "community_ids": ["{community}"],
        },
    ),
    ("GET", "/api/v1/users/{user_id}"): Route("user"),
    ("PATCH", "/api/v1/users/{user_id}/active"): Route("user", body={"is_active": False}),
    # suggestions
    ("GET", "/api/v1/challenges/{challenge_id}/suggestions/students"): Route(
        "challenge", "published", changes_state=False
    ),
    ("GET", "/api/v1/challenges/{challenge_id}/suggestions/research-groups"): Route(
        "challenge", "published", changes_state=False
    ),
    ("GET", "/api/v1/students/{student_id}/suggestions/challenges"): Route(
        "student", changes_state=False
    ),
    # reviews
    ("GET", "/api/v1/suggestions"): Route(None),
    ("GET", SUGGESTION): Route("suggestion", "introduced"),
    ("GET", SUGGESTION + "/events"): Route("suggestion", "introduced"),
    ("POST", SUGGESTION + "/approve"): Route("suggestion", "suggested", body={"reason": "Past"}),
    ("POST", SUGGESTION + "/reject"): Route(
        "suggestion", "suggested", body={"reason": "Past niet"}
    ),
    ("POST", SUGGESTION + "/introduce"): Route("suggestion", "approved"),
    ("POST", SUGGESTION + "/respond"): Route(
        "suggestion", "introduced", body={"response": "accepted", "side": "{side}"}
    ),
    ("POST", SUGGESTION + "/start"): Route("suggestion", "accepted"),
    ("POST", SUGGESTION + "/complete"): Route("suggestion", "active"),
    ("POST", SUGGESTION + "/rate"): Route(
        "suggestion", "completed", body={"rating": 4, "side": "{side}"}
    ),
    # wishes: before the introduction; "approved" so that the owning SME may see the match
    ("POST", SUGGESTION + "/interest"): Route("suggestion", "suggested"),
    ("POST", SUGGESTION + "/introduction-request"): Route("suggestion", "approved"),
    # privacy
    ("GET", "/api/v1/users/me/export"): Route(None),
    ("GET", "/api/v1/students/{student_id}/export"): Route("student"),
    ("GET", "/api/v1/audit"): Route(None),
    ("GET", "/api/v1/communities/{community_id}/fairness"): Route("community"),
    ("DELETE", "/api/v1/users/{user_id}"): Route("user"),
    # programmes: "same_community" is programme A (funding community A), "other" B's
    ("GET", "/api/v1/programmes"): Route(None),
    ("GET", "/api/v1/programmes/{programme_id}"): Route("programme"),
    ("GET", "/api/v1/programmes/{programme_id}/figures"): Route("programme"),
    ("GET", "/api/v1/programmes/{programme_id}/communities/{community_id}/report"): Route(
        "programme", query={"period": "2027-Q1"}
    ),
    # teachers
    ("GET", "/api/v1/teachers"): Route(None),
    ("POST", "/api/v1/teachers"): Route(
        "new:teacher",
        body={
            "full_name": "Nieuwe Docent",
            "supervision_capacity": 2,
            "community_ids": ["{community}"],
        },
    ),
    ("GET", "/api/v1/teachers/{teacher_id}"): Route("teacher"),
    ("PATCH", "/api/v1/teachers/{teacher_id}"): Route("teacher", body={"supervision_capacity": 3}),
    ("DELETE", "/api/v1/teachers/{teacher_id}"): Route("teacher"),
    # professionals: "own" is an employee of the sme persona's organisation
    ("GET", "/api/v1/professionals"): Route(None),
    ("POST", "/api/v1/professionals"): Route(
        "new:professional",
        body={
            "full_name": "Nieuwe Werknemer",
            "job_role": "werknemer",
            "learning_wishes": "Leren plannen met data.",
            "organisation_id": "{sme_org}",
            "community_ids": ["{community}"],
        },
    ),
    ("GET", PROFESSIONAL): Route("professional"),
    ("PATCH", PROFESSIONAL): Route("professional", body={"hours_per_week": 6}),
    ("DELETE", PROFESSIONAL): Route("professional"),
    ("GET", PROFESSIONAL + "/suggestions"): Route("professional"),
    # rounds
    ("GET", "/api/v1/rounds"): Route(None),
    ("POST", "/api/v1/rounds"): Route(
        "new:round",
        body={
            "community_id": "{community}",
            "name": "Ronde voorjaar",
            "period_label": "voorjaar 2027",
            "period_start": "2027-02-01",
            "period_end": "2027-06-30",
        },
    ),
    ("GET", ROUND): Route("round", "open"),
    ("PUT", ROUND + "/preferences/{student_id}"): Route(
        "round", "open", body={"challenge_ids": []}
    ),
    ("PUT", ROUND + "/pairs"): Route("round", "open", body={"pins": [], "forbids": []}),
    ("PUT", ROUND + "/challenges/{challenge_id}/staff"): Route(
        "round_challenge", body={"professional_ids": []}
    ),
    ("POST", ROUND + "/solve"): Route("round", "open"),
    ("GET", ROUND + "/proposal"): Route("round", "proposed"),
    ("POST", ROUND + "/commit"): Route("round", "proposed"),
    ("GET", ROUND + "/teams.csv"): Route("round", "proposed"),
    # an SME's candidates in a round: "own" is the SME persona's challenge (for the student
    # persona: a round where they are the candidate), "same_community" another SME's
    ("GET", CANDIDATES): Route("round_challenge", "open", changes_state=False),
    ("PUT", CANDIDATES + "/{candidate}/mark"): Route("round_challenge", "open"),
    ("DELETE", CANDIDATES + "/{candidate}/mark"): Route("round_challenge", "open"),
    # continuity: themes and their chains, hand-overs, follow-ups
    ("GET", "/api/v1/themes"): Route(None),
    ("POST", "/api/v1/themes"): Route(
        "new:theme", body={"community_id": "{community}", "name": "Warmte in de wijk"}
    ),
    ("GET", "/api/v1/themes/{theme_id}"): Route("theme"),
    ("GET", "/api/v1/themes/{theme_id}/chain"): Route("theme"),
    ("PUT", SUGGESTION + "/handover"): Route(
        "suggestion",
        "completed",
        body={"done": "Twaalf woningen kregen een warmtepomp.", "open": "Geluidsmetingen."},
    ),
    ("GET", "/api/v1/challenges/{challenge_id}/handover"): Route("done_challenge"),
    ("POST", "/api/v1/challenges/{challenge_id}/continue"): Route(
        "done_challenge", body={"period_start": "2028-02-01", "period_end": "2028-06-30"}
    ),
    # meetings: "own" is a meeting the sme or student persona is invited to
    ("GET", "/api/v1/meetings"): Route(None),
    ("POST", "/api/v1/meetings"): Route(
        "new:meeting",
        body={
            "theme_id": "{theme}",
            "title": "Kennismaken op het thema",
            "starts_at": "2027-03-10T15:00:00+01:00",
            "ends_at": "2027-03-10T17:00:00+01:00",
            "place": "Zutphen",
            "capacity": 10,
        },
    ),
    ("GET", MEETING): Route("meeting"),
    ("GET", MEETING + "/suggestions"): Route("meeting", changes_state=False),
    ("POST", MEETING + "/invitations"): Route(
        "meeting", body={"invitee_kind": "research_group", "invitee_id": "{group}"}
    ),
    ("POST", MEETING + "/invitations/{invitation_id}/answer"): Route(
        "meeting", body={"answer": "declined"}
    ),
    ("PUT", MEETING + "/attendance"): Route("meeting", body={"present": []}),
}


@dataclass(frozen=True)
class Cell:
    """One row of the matrix."""

    method: str
    path: str
    persona: str
    relation: str
    status: int

    @property
    def route(self) -> tuple[str, str]:
        return (self.method, self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path} as {self.persona} ({self.relation})"


def read_matrix(path: Path = MATRIX) -> list[Cell]:
    """The matrix's cells, in file order."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if not row["method"].startswith("#")]
    return [
        Cell(row["method"], row["path"], row["persona"], row["relation"], int(row["status"]))
        for row in rows
    ]


# -- making the object of a cell --------------------------------------------------------------


@dataclass
class Target:
    """The object of one call: its path parameters, who calls, and how to read it back."""

    params: dict[str, str] = field(default_factory=dict)
    login: str | None = None
    community: str = "com-a"
    table: type[SQLModel] | None = None
    id: str | None = None
    new_id: str = ""
    hidden: str | None = None  # text the answer must not hold (unless the caller is an admin)
    values: dict[str, str] = field(default_factory=dict)  # more for the body's templates


_ids = itertools.count(1)


def fresh_id(prefix: str) -> str:
    return f"{prefix}-m{next(_ids)}"


def _community(relation: str) -> str:
    return "com-b" if relation == "other_community" else "com-a"


def _add(world: World, *rows: SQLModel) -> None:
    with world.session() as session:
        for row in rows:
            session.add(row)
            session.flush()
        session.commit()


def _challenge(world: World, community: str, organisation: str, status: str) -> Challenge:
    challenge = Challenge(
        id=fresh_id("ch"),
        community_id=community,
        organisation_id=organisation,
        status=status,
        title="Warmtepompen installeren in een nieuwe wijk",
        description="Een student helpt met het installeren van warmtepompen in een wijk.",
        wanted_skills=[{"label": "warmtepompen installeren"}],
        period_start=date(2027, 2, 1),
        period_end=date(2027, 6, 30),
    )
    world.app.state.matching.embed("challenge", [challenge])
    _add(world, challenge)
    world.app.state.matching.sync("challenge", challenge, {community})
    return challenge


def _student(world: World, community: str, *, with_login: bool) -> tuple[StudentProfile, str]:
    id_ = fresh_id("stu")
    rows: list[SQLModel] = []
    login = ""
    user_id = None
    if with_login:
        user_id = f"usr-{id_}"
        login = f"{id_}"
        rows.append(
            User(
                id=user_id,
                email=email(login),
                full_name="Nieuwe Student",
                role="student",
                hashed_password=CHEAP_HASH,
            )
        )
        rows.append(Membership(community_id=community, member_id=user_id, kind="user"))
    student = StudentProfile(
        id=id_,
        user_id=user_id,
        full_name="Student In Een Cel",
        programme="Installatietechniek",
        level="mbo",
        about="Ik installeer warmtepompen.",
        consent_matching=True,
        available_from=date(2027, 1, 1),
        available_until=date(2027, 12, 31),
    )
    world.app.state.matching.embed("student", [student])
    rows += [student, Membership(community_id=community, member_id=id_, kind="student")]
    _add(world, *rows)
    world.app.state.matching.sync("student", student, {community})
    return student, login


def _user(world: World, community: str) -> User:
    user = User(
        id=fresh_id("usr"),
        email=email(fresh_id("gebruiker")),
        full_name="Gebruiker In Een Cel",
        role="student",
        hashed_password=CHEAP_HASH,
    )
    _add(world, user, Membership(community_id=community, member_id=user.id, kind="user"))
    return user


def _suggestion(world: World, persona: str, relation: str, status: str) -> Suggestion:
    """A suggestion in `status`: for an own sme on its organisation's challenge, for an own
    student about that student; otherwise between others of the community."""
    community = _community(relation)
    c = community[-1]
    organisation, target = f"org-sme2-{c}", f"stu-{c}2"
    if relation == "own" and persona == "sme":
        organisation = "org-sme-a"
    if relation == "own" and persona == "student":
        target = "stu-a1"
    challenge = _challenge(world, community, organisation, "published")
    later = status in ("accepted", "active", "completed")
    suggestion = Suggestion(
        id=fresh_id("sug"),
        community_id=community,
        challenge_id=challenge.id,
        target_kind="student",
        target_id=target,
        score=0.5,
        dense=0.5,
        lexical=0.5,
        skill=0.5,
        model_version="hashing-trigrams; matrix",
        status=status,
        sme_response="accepted" if later else "pending",
        target_response="accepted" if later else "pending",
    )
    _add(world, suggestion)
    return suggestion


def _theme(world: World, community: str) -> Theme:
    theme = Theme(id=fresh_id("thm"), community_id=community, name="Thema in een cel")
    _add(world, theme)
    return theme


def _meeting(world: World, cell: Cell, community: str) -> tuple[Meeting, Invitation]:
    """A meeting on a theme of the community with one invitation: the persona's own for an
    "own" cell (the sme persona's SME, the student persona's profile), else another
    student's of the community."""
    c = community[-1]
    theme = _theme(world, community)
    meeting = Meeting(
        id=fresh_id("mtg"),
        theme_id=theme.id,
        community_id=community,
        title="Bijeenkomst in een cel",
        starts_at=datetime(2027, 3, 10, 14, tzinfo=UTC),
        ends_at=datetime(2027, 3, 10, 16, tzinfo=UTC),
        place="Doetinchem",
        capacity=10,
    )
    kind, invitee, user = "student", f"stu-{c}2", f"usr-stu-{c}2"
    if cell.relation == "own" and cell.persona == "sme":
        kind, invitee, user = "sme", "org-sme-a", "usr-sme-a"
    elif cell.relation == "own" and cell.persona == "student":
        kind, invitee, user = "student", "stu-a1", "usr-stu-a1"
    invitation = Invitation(
        id=fresh_id("inv"),
        meeting_id=meeting.id,
        invitee_kind=kind,
        invitee_id=invitee,
        user_id=user,
    )
    _add(world, meeting, invitation)
    return meeting, invitation


def _done_challenge(world: World, cell: Cell, community: str) -> Challenge:
    """A published challenge of a theme whose match (with stu-{c}2) completed, with the
    team's hand-over; the own SME's for an "own" cell, else another SME's of the community."""
    c = community[-1]
    organisation = f"org-sme2-{c}"
    if cell.relation == "own":
        organisation = "org-sme-a"
    elif cell.relation == "other_community":
        organisation = "org-sme-b"
    challenge = _challenge(world, community, organisation, "published")
    theme = _theme(world, community)
    with world.session() as session:
        session.get(Challenge, challenge.id).theme_id = theme.id
        session.commit()
    done = Suggestion(
        id=fresh_id("sug"),
        community_id=community,
        challenge_id=challenge.id,
        target_kind="student",
        target_id=f"stu-{c}2",
        score=0.5,
        dense=0.5,
        lexical=0.5,
        skill=0.5,
        model_version="hashing-trigrams; matrix",
        status="completed",
        sme_response="accepted",
        target_response="accepted",
    )
    _add(world, done, Handover(challenge_id=challenge.id, done="Gedaan in een cel."))
    return challenge


#: A proposal with no teams: what a solved round of the matrix holds (its challenge's place,
#: a region, and its students' are unknown, so nothing can be staffed; solving is quick).
EMPTY_PROPOSAL = {"status": "optimal", "teams": [], "unstaffed": [], "unplaced": []}


def _round(world: World, cell: Cell, community: str, status: str) -> tuple[Round, str]:
    """A round of the community with its published challenge and two students: for the
    student persona's own cell stu-a1 (the persona) is the one named, otherwise stu-{c}2."""
    c = community[-1]
    round_ = Round(
        id=fresh_id("rnd"),
        community_id=community,
        name="Ronde in een cel",
        period_label="voorjaar 2027",
        period_start=date(2027, 2, 1),
        period_end=date(2027, 6, 30),
        time_limit_s=1,
        status=status,
        proposal=EMPTY_PROPOSAL if status == "proposed" else None,
    )
    _add(
        world,
        round_,
        RoundChallenge(round_id=round_.id, challenge_id=f"ch-{c}-pub"),
        RoundStudent(round_id=round_.id, student_id=f"stu-{c}1"),
        RoundStudent(round_id=round_.id, student_id=f"stu-{c}2"),
    )
    named = "stu-a1" if cell.relation == "own" else f"stu-{c}2"
    return round_, named


def _round_challenge(world: World, cell: Cell, community: str) -> tuple[Round, str]:
    """A round of the community with one challenge: the SME persona's own (ch-a-pub) for
    "own", another SME's of A for "same_community", B's for "other_community". Its candidate
    number 1 (stu-{c}1, stu-a1 the student persona) ranked it; stu-{c}2 did not."""
    c = community[-1]
    challenge = f"ch-{c}-other" if cell.relation == "same_community" else f"ch-{c}-pub"
    round_ = Round(
        id=fresh_id("rnd"),
        community_id=community,
        name="Ronde met kandidaten",
        period_label="voorjaar 2027",
        period_start=date(2027, 2, 1),
        period_end=date(2027, 6, 30),
        time_limit_s=1,
    )
    _add(
        world,
        round_,
        RoundChallenge(round_id=round_.id, challenge_id=challenge),
        RoundStudent(
            round_id=round_.id, student_id=f"stu-{c}1", preferences=[challenge], candidate_no=1
        ),
        RoundStudent(round_id=round_.id, student_id=f"stu-{c}2", candidate_no=2),
    )
    return round_, challenge


def _share(world: World, target: Target, kind: str) -> None:
    """Put the cell's member into community B as well; a student gets a suggestion there with
    B's intermediary's reason, which must not reach anyone of A."""
    _add(world, Membership(community_id="com-b", member_id=target.id, kind=kind))
    if kind in ("student", "research_group"):
        with world.session() as session:
            row = session.get(target.table, target.id)
        world.app.state.matching.sync(kind, row, {"com-a", "com-b"})
    if kind == "student":
        _add(
            world,
            Suggestion(
                id=fresh_id("sug"),
                community_id="com-b",
                challenge_id="ch-b-pub",
                target_kind="student",
                target_id=target.id,
                score=0.5,
                dense=0.5,
                lexical=0.5,
                skill=0.5,
                model_version="hashing-trigrams; matrix",
                status="rejected",
                reason=OTHER_COMMUNITYS_NOTE,
            ),
        )
        target.hidden = OTHER_COMMUNITYS_NOTE


SHARED_KINDS = {ResearchGroup: "research_group", StudentProfile: "student"}


def make_target(world: World, cell: Cell, route: Route) -> Target:
    """Create the cell's object (fresh where a call may change it); for a "shared" cell, one
    of community A that is in community B too."""
    target = _make_target(world, cell, route)
    if cell.relation == "shared":
        kind = SHARED_KINDS.get(target.table, "organisation")
        _share(world, target, kind)
    return target


def _make_target(world: World, cell: Cell, route: Route) -> Target:
    login = LOGINS[cell.persona]
    community = _community(cell.relation)
    c = community[-1]
    target = Target(login=login, community=community, new_id=fresh_id("nieuw"))
    resource = route.resource
    if resource is None or resource == "me":
        if resource == "me" and login is not None:
            target.table, target.id = User, f"usr-{login}"
        return target
    if resource.startswith("new:"):
        kind = resource.removeprefix("new:")
        tables = {
            "challenge": Challenge,
            "community": Community,
            "organisation": Organisation,
            "research_group": ResearchGroup,
            "student": StudentProfile,
            "user": User,
            "teacher": Teacher,
            "professional": Professional,
            "round": Round,
            "theme": Theme,
            "meeting": Meeting,
        }
        target.table, target.id = tables[kind], target.new_id
        if kind == "meeting":
            target.values["theme"] = _theme(world, community).id
        return target
    if resource == "challenge":
        organisation = f"org-sme2-{c}"
        if cell.relation == "own":
            organisation = "org-sme-a"  # the sme persona's organisation
        elif cell.relation == "other_community":
            organisation = "org-sme-b"
        row = _challenge(world, community, organisation, route.state or "published")
        target.params, target.table, target.id = {"challenge_id": row.id}, Challenge, row.id
    elif resource == "community":
        target.params, target.table, target.id = {"community_id": community}, Community, community
    elif resource == "organisation":
        if cell.relation == "own":
            org_id = {"sme": "org-sme-a", "intermediary": "org-int-a"}[cell.persona]
        else:
            org_id = fresh_id("org")
            _add(
                world,
                Organisation(id=org_id, name="Bedrijf In Een Cel", kind="sme"),
                Membership(community_id=community, member_id=org_id, kind="organisation"),
            )
        target.params, target.table, target.id = (
            {"organisation_id": org_id},
            Organisation,
            org_id,
        )
    elif resource == "research_group":
        group = ResearchGroup(
            id=fresh_id("rg"),
            name="Lectoraat In Een Cel",
            expertise="Onderzoek naar warmtepompen en warmtenetten.",
            capacity_projects=1,
        )
        world.app.state.matching.embed("research_group", [group])
        _add(
            world,
            group,
            Membership(community_id=community, member_id=group.id, kind="research_group"),
        )
        world.app.state.matching.sync("research_group", group, {community})
        target.params, target.table, target.id = {"group_id": group.id}, ResearchGroup, group.id
    elif resource == "student":
        # The own profile is a fresh student's, who then makes the call: a delete of it
        # must not take the student persona's profile away from the cells after it.
        own = cell.relation == "own"
        student, fresh_login = _student(world, community, with_login=own)
        if own:
            target.login = fresh_login
        target.params = {"student_id": student.id}
        target.table, target.id = StudentProfile, student.id
    elif resource == "user":
        user_id = f"usr-{login}" if cell.relation == "own" else _user(world, community).id
        target.params, target.table, target.id = {"user_id": user_id}, User, user_id
    elif resource == "api_key":
        owner = {
            "own": f"usr-{login}",
            "same_community": "usr-sme2-a",
            "other_community": "usr-sme-b",
        }[cell.relation]
        key = ApiKey(
            id=fresh_id("key"), user_id=owner, name="cel", key_hash=hash_api_key(fresh_id("k"))
        )
        _add(world, key)
        target.params, target.table, target.id = {"key_id": key.id}, ApiKey, key.id
    elif resource == "programme":
        target.params = {"programme_id": f"prg-{c}", "community_id": community}
        target.table, target.id = Programme, f"prg-{c}"
    elif resource == "teacher":
        teacher = Teacher(id=fresh_id("tea"), full_name="Docent In Een Cel")
        _add(
            world, teacher, Membership(community_id=community, member_id=teacher.id, kind="teacher")
        )
        target.params, target.table, target.id = {"teacher_id": teacher.id}, Teacher, teacher.id
    elif resource == "professional":
        organisation = {
            "own": "org-sme-a",
            "same_community": "org-sme2-a",
            "other_community": "org-sme-b",
        }[cell.relation]
        professional = Professional(
            id=fresh_id("pro"),
            full_name="Werknemer In Een Cel",
            job_role="werknemer",
            organisation_id=organisation,
            learning_wishes="Leren werken met warmtepompen en energiedata.",
        )
        _add(
            world,
            professional,
            Membership(community_id=community, member_id=professional.id, kind="professional"),
        )
        target.params = {"professional_id": professional.id}
        target.table, target.id = Professional, professional.id
    elif resource == "round":
        round_, student_id = _round(world, cell, community, route.state or "open")
        target.params = {"round_id": round_.id, "student_id": student_id}
        target.table, target.id = Round, round_.id
    elif resource == "round_challenge":
        round_, challenge_id = _round_challenge(world, cell, community)
        target.params = {"round_id": round_.id, "challenge_id": challenge_id, "candidate": "1"}
        target.table, target.id = Round, round_.id
    elif resource == "theme":
        theme = _theme(world, community)
        target.params, target.table, target.id = {"theme_id": theme.id}, Theme, theme.id
    elif resource == "meeting":
        meeting, invitation = _meeting(world, cell, community)
        target.params = {"meeting_id": meeting.id, "invitation_id": invitation.id}
        target.table, target.id = Meeting, meeting.id
        target.values["group"] = f"rg-{c}"
    elif resource == "done_challenge":
        row = _done_challenge(world, cell, community)
        target.params, target.table, target.id = {"challenge_id": row.id}, Challenge, row.id
    elif resource == "suggestion":
        suggestion = _suggestion(world, cell.persona, cell.relation, route.state or "suggested")
        target.params = {"suggestion_id": suggestion.id}
        target.table, target.id = Suggestion, suggestion.id
    else:
        raise AssertionError(f"unknown resource {resource}")
    return target


def fill(template: Any, values: dict[str, str]) -> Any:
    """The body template with the cell's values put in."""
    if isinstance(template, str):
        return template.format_map(values)
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    return template


def request_arguments(cell: Cell, route: Route, target: Target) -> dict[str, Any]:
    """The body (JSON or form) of a cell's call."""
    values = {
        "community": target.community,
        "new_id": target.new_id,
        "side": SIDES.get(cell.persona, "target"),
        "sme_org": f"org-sme-{target.community[-1]}",
        **target.values,
    }
    arguments: dict[str, Any] = {}
    if route.query is not None:
        arguments["params"] = route.query
    if route.form is not None:
        arguments["data"] = route.form
    elif route.body is not None:
        arguments["json"] = fill(route.body, values)
    return arguments


def snapshot(world: World, target: Target) -> dict[str, Any]:
    """Everything about the cell's object a denied write must leave as it was: the row, its
    memberships, its events and keys, and the size of its table."""
    if target.table is None:
        with world.session() as session:
            return {
                "api_keys": session.exec(select(func.count()).select_from(ApiKey)).one(),
                "users": [as_dict(u) for u in session.exec(select(User).order_by(User.id))],
            }
    with world.session() as session:
        found = session.get(target.table, target.id)
        members = session.exec(
            select(Membership.community_id, Membership.kind)
            .where(Membership.member_id == target.id)
            .order_by(Membership.community_id)
        ).all()
        events = session.exec(
            select(func.count())
            .select_from(SuggestionEvent)
            .where(SuggestionEvent.suggestion_id == target.id)
        ).one()
        rows = session.exec(select(func.count()).select_from(target.table)).one()
        keys = session.exec(select(func.count()).select_from(ApiKey)).one()
        marks = []
        if target.table is Round:  # a round's SME marks live on its challenges
            marks = [
                (r.challenge_id, list(r.sme_marks), list(r.staff_ids))
                for r in session.exec(
                    select(RoundChallenge)
                    .where(RoundChallenge.round_id == target.id)
                    .order_by(RoundChallenge.challenge_id)
                )
            ]
        invitations = []
        if target.table is Meeting:  # a meeting's invitations, answers and attendance
            invitations = [
                as_dict(row)
                for row in session.exec(
                    select(Invitation)
                    .where(Invitation.meeting_id == target.id)
                    .order_by(Invitation.id)
                )
            ]
        return {
            "invitations": invitations,
            "marks": marks,
            "row": None if found is None else as_dict(found),
            "memberships": [tuple(m) for m in members],
            "events": events,
            "rows_in_table": rows,
            "api_keys": keys,
        }
