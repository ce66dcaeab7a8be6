"""The constraint notes of a suggestion: each a code, whether it is met, and its parameters.

Made here only, from the rows (`constraint_notes`, stored with the suggestion) and from the room
counted when it is read (`room_note`); `service.usecases.note_texts` says them in a language, for
the API and the pages alike, so that the two never disagree on a constraint.

Parameters are plain JSON values (dates as ISO strings, distances in km to one decimal)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from service.domain.tables import Challenge, ChallengeLevel, ResearchGroup, StudentProfile
from service.usecases.places import travel

#: Every code a note may have, in the order a suggestion's notes come.
CODES = ("level", "period", "hours", "language", "place", "capacity", "room")


@dataclass(frozen=True)
class Note:
    """One constraint between a challenge and a candidate, and whether it is met."""

    code: str
    ok: bool
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"code": self.code, "ok": self.ok, "params": dict(self.params)}


def _day(day) -> str | None:
    return day.isoformat() if day else None


def _period_ok(challenge: Challenge, student: StudentProfile) -> bool:
    """Whether the student is free at some time in the challenge's period; a missing date
    of the student's is open-ended (as the availability filter of the ranking counts it)."""
    start, end = challenge.period_start, challenge.period_end
    free_from, free_until = student.available_from, student.available_until
    return not ((free_from and free_from > end) or (free_until and free_until < start))


def _place_note(challenge: Challenge, student: StudentProfile) -> Note:
    """The travel distance against the student's reach (see `service.usecases.places.travel`)."""
    trip = travel(challenge, student)
    params = {
        "work_mode": str(challenge.remote),
        "place": challenge.place,
        "student_place": student.region,
        "travel_km": student.travel_km,
        "reach_km": None if math.isinf(trip.reach) else round(trip.reach, 1),
        "distance_km": None if trip.distance is None else round(trip.distance, 1),
    }
    return Note("place", trip.ok, params)


def _student_notes(challenge: Challenge, student: StudentProfile) -> list[Note]:
    level_ok = challenge.level in (ChallengeLevel.any, student.level)
    notes = [Note("level", level_ok, {"wanted": str(challenge.level), "has": str(student.level)})]
    if challenge.period_start and challenge.period_end:
        period = {
            "start": _day(challenge.period_start),
            "end": _day(challenge.period_end),
            "free_from": _day(student.available_from),
            "free_until": _day(student.available_until),
        }
        notes.append(Note("period", _period_ok(challenge, student), period))
    hours = {"wanted": challenge.hours_per_week, "has": student.hours_per_week}
    notes.append(Note("hours", student.hours_per_week >= challenge.hours_per_week, hours))
    language = {"wanted": challenge.language, "spoken": list(student.languages)}
    notes.append(Note("language", challenge.language in student.languages, language))
    notes.append(_place_note(challenge, student))
    return notes


def constraint_notes(
    challenge: Challenge, target: StudentProfile | ResearchGroup, kind: str
) -> list[Note]:
    """How a challenge and a student or research group fit on level, period, hours, language
    and place (a student), or capacity (a research group)."""
    if kind == "student":
        return _student_notes(challenge, target)
    capacity = target.capacity_projects
    return [Note("capacity", capacity > 0, {"capacity": capacity})]


def room_note(left: int, capacity: int, unit: str) -> Note:
    """The room a challenge ("students": its places) or a research group ("projects") has left
    now, counted when the suggestion is read (`service.usecases.capacity.room_left`)."""
    return Note("room", left > 0, {"left": left, "capacity": capacity, "unit": unit})
