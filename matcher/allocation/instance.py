"""A round: students, challenges, supervisors and rules, read from JSON with clear errors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from matcher.errors import MatcherError
from matcher.places import UnknownPlaceError, find_place
from matcher.travel import HYBRID_TRAVEL_FACTOR

Level = Literal["mbo", "hbo", "wo"]
MAX_PREFERENCES = 5


class InstanceError(MatcherError):
    """A round file that cannot be read; `problems` lists each bad field by its path."""

    def __init__(self, problems: list[str], source: str = "round") -> None:
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Student(_Strict):
    """A student who may join one team in this round."""

    id: str = Field(min_length=1)
    level: Level
    programme: str = Field(min_length=1)
    place: str = Field(min_length=1)
    max_travel_km: float = Field(ge=0)
    hours: float = Field(ge=0, description="hours per week available")
    periods: list[str] = Field(min_length=1)
    skills: list[str] = []
    region: str | None = Field(None, description="defaults to the province of `place`")


class Challenge(_Strict):
    """A challenge that gets one team (between team_min and team_max students) or none."""

    id: str = Field(min_length=1)
    title: str = ""
    team_min: int = Field(ge=1)
    team_max: int = Field(ge=1)
    levels: list[Level] = Field(default_factory=lambda: ["mbo", "hbo", "wo"], min_length=1)
    min_programmes: int = Field(1, ge=1)
    skills: list[str] = Field([], description="wanted skills: they raise a member's fit")
    required_skills: list[str] = Field([], description="the team must cover each between them")
    place: str | None = None
    mode: Literal["onsite", "hybrid", "remote"] = "onsite"
    period: str = Field(min_length=1)
    hours: float = Field(0, ge=0, description="hours per week asked of each member")
    staff: list[str] = Field(
        [],
        description="the challenge's own people (the SME's employees): they stay in its team "
        "whatever the allocation does, and each takes a place of team_min and team_max",
    )

    @model_validator(mode="after")
    def _sizes_and_place(self) -> Challenge:
        if self.team_min > self.team_max:
            raise ValueError(f"team_min {self.team_min} is above team_max {self.team_max}")
        if self.mode != "remote" and not self.place:
            raise ValueError(f"a {self.mode} challenge needs a place")
        if len(set(self.staff)) < len(self.staff):
            raise ValueError("staff: someone is named twice")
        if len(self.staff) >= self.team_max:
            raise ValueError(
                f"staff: {len(self.staff)} of its own fill team_max {self.team_max}: "
                "no place is left for a student"
            )
        return self

    @property
    def students_min(self) -> int:
        """The fewest students a team takes: team_min less its own staff, one at least."""
        return max(1, self.team_min - len(self.staff))

    @property
    def students_max(self) -> int:
        """The most students a team takes: team_max less its own staff."""
        return self.team_max - len(self.staff)


class Supervisor(_Strict):
    """A research group or teacher who supervises up to `capacity` teams."""

    id: str = Field(min_length=1)
    name: str = ""
    kind: Literal["research_group", "teacher"]
    capacity: int = Field(ge=0)
    expertise: list[str] = []


class Score(_Strict):
    """A given match score for one (student, challenge) pair, in [0, 1]."""

    student: str
    challenge: str
    score: float = Field(ge=0, le=1)


class Pair(_Strict):
    """A pin or forbid: a student (or a supervisor) with a challenge."""

    challenge: str
    student: str | None = None
    supervisor: str | None = None

    @model_validator(mode="after")
    def _one_side(self) -> Pair:
        if (self.student is None) == (self.supervisor is None):
            raise ValueError("give exactly one of student or supervisor")
        return self


class Preferences(_Strict):
    """Students' ranked challenges (best first, at most five) and SMEs' marked students."""

    students: dict[str, Annotated[list[str], Field(max_length=MAX_PREFERENCES)]] = {}
    sme_marks: dict[str, list[str]] = Field({}, description="challenge id → marked student ids")


class Weights(_Strict):
    """How the parts of fit add up; see README.md for each."""

    placement: float = Field(0.1, ge=0, description="fit of any placed student")
    score: float = Field(1.0, ge=0)
    nearby: float = Field(0.2, ge=0, description="fit of living next door, down to 0 at the limit")
    preference: float = Field(1.0, ge=0)
    sme_mark: float = Field(0.25, ge=0)
    expertise: float = Field(0.5, ge=0)
    worst_team: float = Field(
        0.1,
        ge=0,
        description="above 0: the worst team's mean fit first, total fit second; also the fit "
        "per unit of the worst team's mean, per challenge, when moves are compared (and in the "
        "CP-SAT route's one objective)",
    )
    fairness: float = Field(5.0, ge=0, description="fit given up per percentage point of excess")
    hybrid_travel_factor: float = Field(HYBRID_TRAVEL_FACTOR, ge=1)


class Fairness(_Strict):
    """Placement rates by level and by region stay within `margin` of each other (soft)."""

    margin: float = Field(0.15, ge=0, le=1)
    by: list[Literal["level", "region"]] = ["level", "region"]
    min_group: int = Field(10, ge=1, description="smaller groups are not compared")


class Settings(_Strict):
    """Solver settings: pruning, time limit, solver."""

    candidates_per_challenge: int = Field(40, ge=1)
    candidates_per_student: int = Field(3, ge=0)
    supervisors_per_challenge: int = Field(8, ge=1)
    time_limit_s: float = Field(10.0, gt=0)
    workers: int = Field(2, ge=1)
    solver: Literal["highs", "cpsat"] = "highs"


class Instance(_Strict):
    """One round to solve."""

    name: str = ""
    students: list[Student]
    challenges: list[Challenge]
    supervisors: list[Supervisor]
    scores: list[Score] = []
    preferences: Preferences = Preferences()
    pins: list[Pair] = []
    forbids: list[Pair] = []
    weights: Weights = Weights()
    fairness: Fairness = Fairness()
    settings: Settings = Settings()


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def check_references(instance: Instance) -> list[str]:
    """Every problem a valid-shaped instance can still have: duplicates, unknown ids and places."""
    problems: list[str] = []
    for kind in ("students", "challenges", "supervisors"):
        for key, n in Counter(x.id for x in getattr(instance, kind)).items():
            if n > 1:
                problems.append(f"{kind}: id {key!r} occurs {n} times")
    students = {s.id for s in instance.students}
    challenges = {c.id for c in instance.challenges}
    supervisors = {v.id for v in instance.supervisors}

    def known(value: str | None, ids: set[str], where: str, what: str) -> None:
        if value is not None and value not in ids:
            problems.append(f"{where}: unknown {what} {value!r}")

    for i, s in enumerate(instance.students):
        try:
            find_place(s.place, field=f"students[{i}].place")
        except UnknownPlaceError as error:
            problems.append(str(error))
    for i, c in enumerate(instance.challenges):
        for j, person in enumerate(c.staff):
            if person in students:
                problems.append(
                    f"challenges[{i}].staff[{j}]: {person!r} is a student: the allocation "
                    "places students, staff are the challenge's own"
                )
        if c.place:
            try:
                find_place(c.place, field=f"challenges[{i}].place")
            except UnknownPlaceError as error:
                problems.append(str(error))
    for i, sc in enumerate(instance.scores):
        known(sc.student, students, f"scores[{i}].student", "student")
        known(sc.challenge, challenges, f"scores[{i}].challenge", "challenge")
    for sid, ranked in instance.preferences.students.items():
        known(sid, students, f"preferences.students.{sid}", "student")
        for j, cid in enumerate(ranked):
            known(cid, challenges, f"preferences.students.{sid}[{j}]", "challenge")
        if len(set(ranked)) < len(ranked):
            problems.append(f"preferences.students.{sid}: a challenge is ranked twice")
    for cid, marked in instance.preferences.sme_marks.items():
        known(cid, challenges, f"preferences.sme_marks.{cid}", "challenge")
        for j, sid in enumerate(marked):
            known(sid, students, f"preferences.sme_marks.{cid}[{j}]", "student")
    for kind in ("pins", "forbids"):
        for i, pair in enumerate(getattr(instance, kind)):
            known(pair.challenge, challenges, f"{kind}[{i}].challenge", "challenge")
            known(pair.student, students, f"{kind}[{i}].student", "student")
            known(pair.supervisor, supervisors, f"{kind}[{i}].supervisor", "supervisor")
    pinned = {(p.student, p.supervisor, p.challenge) for p in instance.pins}
    for i, pair in enumerate(instance.forbids):
        if (pair.student, pair.supervisor, pair.challenge) in pinned:
            problems.append(f"forbids[{i}]: the same pair is pinned")
    return problems


def parse_instance(data: object, source: str = "round") -> Instance:
    """An Instance from parsed JSON; InstanceError listing every bad field by its path."""
    try:
        instance = Instance.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = _path(item["loc"]) or "(top level)"
            problems.append(f"{where}: {item['msg']}")
        raise InstanceError(problems, source) from None
    problems = check_references(instance)
    if problems:
        raise InstanceError(problems, source)
    return instance


def load_instance(path: str | Path) -> Instance:
    """Read a round file (JSON); InstanceError naming the line or field of every problem."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InstanceError(
            [f"line {error.lineno} column {error.colno}: {error.msg}"], str(path)
        ) from None
    except OSError as error:
        raise InstanceError([f"cannot read: {error.strerror}"], str(path)) from None
    return parse_instance(data, str(path))
