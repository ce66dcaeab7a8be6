"""Place names as the service stores them: looked up in the gazetteer whenever saved."""

from __future__ import annotations

from matcher.places import UnknownPlaceError, find_place
from service.domain.errors import UnknownPlace


def canonical_place(name: str, field: str) -> str:
    """The gazetteer's own name of the Dutch place `name` ("Den Bosch" -> "'s-Hertogenbosch");
    an empty name stays empty. An unknown one is a 422 naming `field`, with close names."""
    if not name.strip():
        return ""
    try:
        return find_place(name, field=field).name
    except UnknownPlaceError as error:
        raise UnknownPlace(field, name, error.suggestions, str(error)) from None
