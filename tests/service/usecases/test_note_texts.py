"""The constraint notes: made from the rows as codes with parameters, said in Dutch and English."""

from __future__ import annotations

from datetime import date

import pytest

from service.domain.tables import Challenge, ResearchGroup, StudentProfile
from service.usecases.constraint_notes import CODES, Note, constraint_notes, room_note
from service.usecases.note_texts import LABELS, render_note


def _challenge(**values) -> Challenge:
    base = {
        "id": "ch-1",
        "community_id": "com-1",
        "organisation_id": "org-1",
        "title": "Warmtepompen",
        "description": "Warmtepompen installeren bij woningen.",
        "level": "hbo",
        "hours_per_week": 16,
        "period_start": date(2027, 2, 1),
        "period_end": date(2027, 6, 30),
        "place": "Middelburg",
        "remote": "onsite",
        "language": "nl",
    }
    return Challenge(**{**base, **values})


def _student(**values) -> StudentProfile:
    base = {
        "id": "stu-1",
        "full_name": "Sanne",
        "programme": "Installatietechniek",
        "institution": "HZ",
        "level": "hbo",
        "available_from": date(2027, 1, 1),
        "available_until": date(2027, 12, 31),
        "hours_per_week": 16,
        "region": "Vlissingen",
        "travel_km": 30,
        "languages": ["nl", "en"],
    }
    return StudentProfile(**{**base, **values})


def _said(note: Note, language: str) -> tuple[bool, str]:
    rendered = render_note(note.as_json(), language)
    assert rendered.code == rendered.constraint == note.code
    assert rendered.detail == rendered.text
    assert rendered.label == LABELS[language][note.code]
    return rendered.ok, rendered.text


def _notes(challenge: Challenge, student: StudentProfile) -> dict[str, Note]:
    return {note.code: note for note in constraint_notes(challenge, student, "student")}


def test_a_fitting_student_gets_every_note_met_in_both_languages() -> None:
    notes = _notes(_challenge(), _student())
    assert list(notes) == ["level", "period", "hours", "language", "place"]
    assert all(note.ok for note in notes.values())
    place = notes["place"].params
    assert place["student_place"] == "Vlissingen" and place["travel_km"] == 30
    assert place["work_mode"] == "onsite" and place["reach_km"] == 30
    distance = f"{place['distance_km']:.1f}"
    assert 3 < place["distance_km"] < 10
    said = {code: (_said(n, "nl")[1], _said(n, "en")[1]) for code, n in notes.items()}
    assert said == {
        "level": ("gevraagd hbo, student hbo", "wanted hbo, student hbo"),
        "period": (
            "1 feb 2027 tot 30 jun 2027; student beschikbaar 1 jan 2027 tot 31 dec 2027",
            "Feb 1, 2027 to Jun 30, 2027; student available Jan 1, 2027 to Dec 31, 2027",
        ),
        "hours": (
            "16 uur per week gevraagd, student heeft 16 uur",
            "16 hours a week wanted, student has 16",
        ),
        "language": (
            "in het Nederlands; student spreekt Nederlands, Engels",
            "in Dutch; student speaks Dutch, English",
        ),
        "place": (
            f"Middelburg (op locatie): {distance.replace('.', ',')} km van Vlissingen; "
            "student reist tot 30 km",
            f"Middelburg (on site): {distance} km from Vlissingen; student travels up to 30 km",
        ),
    }


def test_notes_not_met_say_why() -> None:
    challenge = _challenge(level="wo", hours_per_week=32, language="de", place="Groningen")
    student = _student(available_until=date(2027, 1, 15), travel_km=20)
    notes = _notes(challenge, student)
    assert not any(note.ok for note in notes.values())
    assert _said(notes["level"], "en") == (False, "wanted wo, student hbo")
    assert _said(notes["period"], "nl") == (
        False,
        "1 feb 2027 tot 30 jun 2027; student beschikbaar 1 jan 2027 tot 15 jan 2027",
    )
    assert _said(notes["hours"], "nl")[1] == "32 uur per week gevraagd, student heeft 16 uur"
    assert _said(notes["language"], "nl")[1] == "in het Duits; student spreekt Nederlands, Engels"
    assert _said(notes["language"], "en")[1] == "in German; student speaks Dutch, English"
    assert notes["place"].params["distance_km"] > 150
    assert _said(notes["place"], "en")[1].endswith("student travels up to 20 km")


def test_open_availability_any_level_and_hybrid_reach() -> None:
    challenge = _challenge(level="any", remote="hybrid")
    notes = _notes(challenge, _student(available_from=None, available_until=None, travel_km=10))
    assert notes["level"].ok and notes["period"].ok
    assert _said(notes["level"], "nl")[1] == "gevraagd alle niveaus, student hbo"
    assert _said(notes["level"], "en")[1] == "wanted any level, student hbo"
    assert _said(notes["period"], "nl")[1].endswith("student heeft geen beschikbaarheid opgegeven")
    assert _said(notes["period"], "en")[1].endswith("student gave no availability")
    # Hybrid work reaches further than the student's daily travel (matcher.travel).
    assert notes["place"].params["reach_km"] > 10
    assert "(hybride)" in _said(notes["place"], "nl")[1]
    only_from = _notes(challenge, _student(available_until=None))["period"]
    assert _said(only_from, "en")[1].endswith("student available from Jan 1, 2027")
    only_until = _notes(challenge, _student(available_from=None))["period"]
    assert _said(only_until, "nl")[1].endswith("student beschikbaar tot 31 dec 2027")


def test_a_challenge_without_period_has_no_period_note_and_remote_work_fits_anyone() -> None:
    challenge = _challenge(period_start=None, period_end=None, remote="remote", place="")
    notes = _notes(challenge, _student(region="", travel_km=0))
    assert "period" not in notes
    assert notes["place"].ok and notes["place"].params["reach_km"] is None
    assert _said(notes["place"], "nl") == (True, "op afstand")
    assert _said(notes["place"], "en") == (True, "remote")


def test_an_unknown_distance_fails_on_site_work() -> None:
    no_home = _notes(_challenge(), _student(region=""))["place"]
    assert _said(no_home, "nl") == (
        False,
        "Middelburg (op locatie): student gaf geen woonplaats op; reist tot 30 km",
    )
    assert _said(no_home, "en") == (
        False,
        "Middelburg (on site): student gave no home town; travels up to 30 km",
    )
    no_site = _notes(_challenge(place=""), _student())["place"]
    assert _said(no_site, "nl") == (
        False,
        "op locatie: afstand tot Vlissingen onbekend; student reist tot 30 km",
    )
    assert _said(no_site, "en")[1] == (
        "on site: distance to Vlissingen unknown; student travels up to 30 km"
    )


def test_capacity_and_room() -> None:
    group = ResearchGroup(id="rg-1", name="Lectoraat", expertise="Energie", capacity_projects=0)
    [capacity] = constraint_notes(_challenge(), group, "research_group")
    assert _said(capacity, "nl") == (False, "0 projecten tegelijk")
    assert _said(capacity, "en") == (False, "0 projects at a time")
    assert _said(room_note(2, 3, "students"), "nl") == (True, "2 van 3 plaatsen vrij")
    assert _said(room_note(0, 3, "students"), "en") == (False, "0 of 3 places free")
    assert _said(room_note(1, 2, "projects"), "nl") == (True, "1 van 2 projecten tegelijk vrij")
    assert _said(room_note(1, 2, "projects"), "en") == (True, "1 of 2 projects at a time free")


def test_every_code_has_a_label_and_texts_in_both_languages() -> None:
    assert set(LABELS["nl"]) == set(LABELS["en"]) == set(CODES)
    notes = [
        *constraint_notes(_challenge(), _student(), "student"),
        *constraint_notes(_challenge(), ResearchGroup(capacity_projects=1), "research_group"),
        room_note(1, 1, "students"),
    ]
    assert {note.code for note in notes} == set(CODES)
    for note in notes:
        assert _said(note, "nl")[1] != _said(note, "en")[1], note.code


def test_a_note_stored_before_codes_keeps_its_sentence_and_other_languages_are_dutch() -> None:
    old = {"constraint": "level", "ok": True, "detail": "challenge any, student hbo"}
    rendered = render_note(old, "en")
    assert (rendered.code, rendered.ok, rendered.text, rendered.params) == (
        "level",
        True,
        "challenge any, student hbo",
        {},
    )
    assert render_note(room_note(1, 2, "students").as_json(), "fr").text == "1 van 2 plaatsen vrij"
    with pytest.raises(ValueError, match="no text"):
        render_note({"code": "colour", "ok": True, "params": {}}, "nl")
