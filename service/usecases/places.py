"""Place names as the service stores them: looked up in the gazetteer whenever saved."""

from __future__ import annotations

import math
from dataclasses import dataclass

from matcher.places import Place, UnknownPlaceError, distance_km, find_place
from matcher.travel import nearness, reach_km, within_reach
from service.domain.errors import UnknownPlace
from service.domain.tables import Challenge, StudentProfile


def canonical_place(name: str, field: str) -> str:
    """The gazetteer's own name of the Dutch place `name` ("Den Bosch" -> "'s-Hertogenbosch");
    an empty name stays empty. An unknown one is a 422 naming `field`, with close names."""
    if not name.strip():
        return ""
    try:
        return find_place(name, field=field).name
    except UnknownPlaceError as error:
        raise UnknownPlace(field, name, error.suggestions, str(error)) from None


@dataclass(frozen=True)
class Travel:
    """How far a student lives from a challenge's place, and whether that is within reach.

    `distance` is None when either place is missing or unknown (then the check fails for work
    on site, unless it is remote); `reach` is the student's maximum for this kind of work."""

    distance: float | None
    reach: float
    ok: bool
    nearness: float


def _place_of(name: str) -> Place | None:
    if not name.strip():
        return None
    try:
        return find_place(name)
    except UnknownPlaceError:  # a name stored before places were looked up
        return None


def travel(challenge: Challenge, student: StudentProfile) -> Travel:
    """The place check between a challenge and a student: the straight-line distance against
    the student's `travel_km`, with the allocation's rule for hybrid and remote work
    (`matcher.travel`)."""
    reach = reach_km(student.travel_km, challenge.remote)
    if math.isinf(reach):
        return Travel(None, reach, True, 1.0)
    site, home = _place_of(challenge.place), _place_of(student.region)
    if site is None or home is None:
        return Travel(None, reach, False, 0.0)
    km = distance_km(site, home)
    return Travel(km, reach, bool(within_reach(km, reach)), float(nearness(km, reach)))
