"""Pages and API never disagree on a constraint (issue 18): every suggestion of the demo data,
as the API answers it and as the pages show it, in Dutch and in English.

The API is asked for every student's assignments and every published challenge's students and
research groups; the review queue (every stage, page after page) shows each of those
suggestions, and each demo student's own assignment page theirs. Per suggestion, the notes'
codes, verdicts and texts must be the same. The pages are read as the server sends them (the
HTML), with the fast fake encoder: which suggestions there are does not matter here, only that
both sides say the same of each.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.encoders import HashingEncoder
from matcher.paths import data_dir
from service.app import create_app
from service.settings import Settings
from service.web.i18n import gettext, use_language

API = "/api/v1"
PASSWORD = "demo-wachtwoord"
ADMIN = "admin@example.com"
LANGUAGES = ("nl", "en")


def _demo(name: str) -> list[dict]:
    return json.loads((data_dir() / "demo" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """The app on the demo data, with room for a walk through every suggestion (the
    suggestion allowance is per minute)."""
    home: Path = tmp_path_factory.mktemp("lcmatch-notes")
    settings = Settings(
        home=home, environment="development", demo_data=True, suggestion_requests=100_000
    )
    app = create_app(settings, encoder=HashingEncoder())
    with TestClient(app):  # runs the start-up: the demo data and the indexes
        yield app


MATCH = re.compile(r'<li class="match" id="([^"]+)"')
NOTE = re.compile(r'<li class="note (ok|not-ok)">(.*?)</li>', re.S)
TAG = re.compile(r"<[^>]+>")


def _page_notes(page: str, prefix: str) -> dict[str, list[tuple[bool, str]]]:
    """Per match on a page (`li.match` whose id starts with `prefix`): its notes as (ok, the
    text the reader sees). Read with patterns of our own templates: the stdlib HTML parser
    took more time than the pages took to make."""
    starts = [m for m in MATCH.finditer(page) if m.group(1).startswith(prefix)]
    found = {}
    for match, following in zip(starts, [*starts[1:], None], strict=False):
        part = page[match.end() : following.start() if following else len(page)]
        found[match.group(1).removeprefix(prefix)] = [
            (verdict == "ok", " ".join(html.unescape(TAG.sub("", text)).split()))
            for verdict, text in NOTE.findall(part)
        ]
    return found


def _as_review_page_says(note: dict) -> tuple[bool, str]:
    verdict = gettext("past") if note["ok"] else gettext("past niet")
    mark = "✓" if note["ok"] else "✗"
    return note["ok"], f"{mark} {note['label']} ({verdict}): {note['text']}"


def _as_student_page_says(note: dict) -> tuple[bool, str]:
    verdict = gettext("past:") if note["ok"] else gettext("past niet:")
    mark = "✓" if note["ok"] else "✗"
    return note["ok"], f"{mark} {verdict} {note['label']}: {note['text']}"


class Visitor:
    """One user on both sides: a browser session on the pages and a token for the API, both
    in one language (the pages' cookie; for the API the language the login remembered)."""

    def __init__(self, app, email: str, language: str) -> None:
        self.pages = TestClient(app, follow_redirects=True)
        self.pages.cookies.set("lang", language)
        form = self.pages.get("/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf, "the login form has no CSRF token"
        logged_in = self.pages.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf.group(1)}
        )
        assert logged_in.status_code == 200 and "logout" in logged_in.text, logged_in.text[:500]
        self.api = TestClient(app)
        token = self.api.post(
            f"{API}/login/access-token", data={"username": email, "password": PASSWORD}
        )
        assert token.status_code == 200, token.text
        self.api.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def suggestions(self, path: str) -> list[dict]:
        answer = self.api.get(f"{API}{path}")
        assert answer.status_code == 200, (path, answer.text)
        return answer.json()["data"]

    def page(self, path: str) -> str:
        answer = self.pages.get(path)
        assert answer.status_code == 200, (path, answer.text[:500])
        return answer.text


def _api_walk(admin: Visitor) -> dict[str, list[dict]]:
    """Every suggestion the API gives for every student and every published challenge."""
    notes: dict[str, list[dict]] = {}
    for student in _demo("students"):
        path = f"/students/{student['id']}/suggestions/challenges?available=false"
        for row in admin.suggestions(path):
            notes[row["id"]] = row["constraint_notes"]
    published = [c for c in _demo("challenges") if c.get("status") == "published"]
    assert published, "the demo data has no published challenges"
    for challenge in published:
        for kind in ("students", "research-groups"):
            path = f"/challenges/{challenge['id']}/suggestions/{kind}?available=false"
            for row in admin.suggestions(path):
                notes[row["id"]] = row["constraint_notes"]
    return notes


def _review_walk(admin: Visitor) -> dict[str, list[tuple[bool, str]]]:
    """Every suggestion on the review queue's pages, of every stage."""
    shown: dict[str, list[tuple[bool, str]]] = {}
    for number in range(10_000):
        found = _page_notes(admin.page(f"/review?stage=all&page={number}"), "match-")
        if not found:
            return shown
        shown.update(found)
    raise AssertionError("the review queue did not end")


@pytest.fixture(scope="module")
def walked(app) -> dict[str, tuple[dict[str, list[dict]], dict[str, list[tuple[bool, str]]]]]:
    """Per language: the API's notes and the review pages' notes of every suggestion."""
    walks = {}
    for language in LANGUAGES:
        admin = Visitor(app, ADMIN, language)
        walks[language] = (_api_walk(admin), _review_walk(admin))
    return walks


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_suggestion_has_the_same_notes_on_the_pages_as_in_the_api(walked, language) -> None:
    from_api, on_pages = walked[language]
    assert len(from_api) > 500, "the walk saw too few suggestions to say much"
    assert set(from_api) <= set(on_pages), "a suggestion of the API is not in the review queue"
    codes = set()
    with use_language(language):
        for suggestion_id, notes in from_api.items():
            codes |= {note["code"] for note in notes}
            expected = [_as_review_page_says(note) for note in notes]
            assert on_pages[suggestion_id] == expected, suggestion_id
    # Every kind of note was compared, met and not met.
    assert codes == {"level", "period", "hours", "language", "place", "capacity", "room"}
    verdicts = {(note["code"], note["ok"]) for notes in from_api.values() for note in notes}
    assert {("place", True), ("place", False), ("period", False), ("room", True)} <= verdicts
    assert {("period", True), ("hours", False), ("level", True)} <= verdicts
    said_in = {note["text"] for notes in from_api.values() for note in notes}
    assert any(("student reist tot" if language == "nl" else "travels up to") in t for t in said_in)


def test_both_languages_walk_the_same_suggestions_with_the_same_verdicts(walked) -> None:
    (dutch, _), (english, _) = walked["nl"], walked["en"]
    assert set(dutch) == set(english)
    for suggestion_id, notes in dutch.items():
        pairs = list(zip(notes, english[suggestion_id], strict=True))
        assert all(nl["code"] == en["code"] and nl["ok"] == en["ok"] for nl, en in pairs)
        assert all(nl["params"] == en["params"] for nl, en in pairs)
        assert any(nl["text"] != en["text"] for nl, en in pairs), suggestion_id


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_students_assignment_page_has_the_notes_the_api_gives_them(app, language) -> None:
    students = [user for user in _demo("users") if user["role"] == "student"]
    assert len(students) >= 6
    compared = 0
    for user in students:
        student = Visitor(app, user["email"], language)
        page = _page_notes(student.page("/student/assignments"), "sug-")
        path = f"/students/{user['student_id']}/suggestions/challenges?k=10&available=false"
        from_api = {row["id"]: row["constraint_notes"] for row in student.suggestions(path)}
        assert page, f"{user['id']} sees no assignments"
        # The page leaves out what an intermediary rejected; the API shows it without status.
        assert set(page) <= set(from_api), user["id"]
        with use_language(language):
            for suggestion_id, shown in page.items():
                assert shown == [_as_student_page_says(n) for n in from_api[suggestion_id]]
                compared += 1
    assert compared >= 30
