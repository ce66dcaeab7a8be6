"""Programme monitoring: a funder's monitor reads figures per community and period, as JSON,
CSV and a one-page PDF, which all state the same numbers; no person is ever named."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pypdf
import pytest
from apiworld import PASSWORD, World, email
from fastapi.testclient import TestClient
from sqlmodel import select

from service.domain.meeting_tables import Invitation, Meeting
from service.domain.tables import (
    Challenge,
    Membership,
    Professional,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    Theme,
    User,
)
from service.usecases import dashboard, programmes
from service.usecases.programme_report import LABELS, REPORTED, shown
from service.web import auth, journey, review, rounds, rounds_student, sme, student
from service.web import dashboard as dashboard_pages
from service.web import programme as programme_pages

#: Every area of the pages (service.web.install mounts these routers).
PAGE_AREAS = (
    auth,
    student,
    sme,
    review,
    dashboard_pages,
    programme_pages,
    journey,
    rounds,
    rounds_student,
)
FIGURES = "/programmes/prg-a/figures"
#: The day the figures are read on: every period of the activity below has ended by then.
READ_ON = datetime(2027, 7, 15, 9, 0, tzinfo=UTC)


def read_on(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Read the figures as on that day (only periods ended by then are published)."""
    monkeypatch.setattr(programmes, "utcnow", lambda: moment)


@pytest.fixture(autouse=True)
def _after_the_activity(monkeypatch: pytest.MonkeyPatch) -> None:
    read_on(monkeypatch, READ_ON)


PLACED = 6  # students placed in 2027-Q1; 3 of them complete in Q2


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def add_activity(world: World) -> None:
    """Six mbo students of community A introduced on ch-a-pub in 2027-Q1; three complete in
    Q2 and both sides rate each of those (6 ratings: 4, 5, 4, 5, 3, 5)."""
    ratings = iter([4, 5, 4, 5, 3, 5])
    with world.session() as session:
        for n in range(PLACED):
            student = StudentProfile(
                id=f"stu-p{n}",
                full_name=f"Geplaatste Student{n}",
                programme="Installatietechniek",
                level="mbo",
                region="Achterhoek",
                consent_matching=True,
            )
            session.add(student)
            session.add(Membership(community_id="com-a", member_id=student.id, kind="student"))
            done = n < 3
            suggestion = Suggestion(
                id=f"sug-p{n}",
                community_id="com-a",
                challenge_id="ch-a-pub",
                target_kind="student",
                target_id=student.id,
                score=2.5,
                dense=0.5,
                lexical=0.5,
                skill=0.5,
                model_version="test",
                status="completed" if done else "introduced",
                created_at=at("2027-01-10"),
            )
            session.add(suggestion)
            session.flush()
            moves = [
                ("approve", "suggested", "approved", "2027-01-15"),
                ("introduce", "approved", "introduced", "2027-02-01"),
            ]
            if done:
                moves += [
                    ("complete", "active", "completed", "2027-04-10"),
                    (f"rate:sme:{next(ratings)}", "completed", "completed", "2027-04-12"),
                    (f"rate:target:{next(ratings)}", "completed", "completed", "2027-04-13"),
                ]
            for action, before, after, day in moves:
                session.add(
                    SuggestionEvent(
                        suggestion_id=suggestion.id,
                        actor_id="usr-int-a",
                        action=action,
                        from_status=before,
                        to_status=after,
                        at=at(day),
                    )
                )
        session.commit()
    add_meeting_and_follow_up(world)


MET = 6  # professionals who came to the meeting of 2026-11 (one more was invited)


def add_meeting_and_follow_up(world: World) -> None:
    """A meeting held in November 2026 on a theme of community A: seven of the SME's
    professionals invited, six came; and in April 2027 ch-a-pub's follow-up."""
    with world.session() as session:
        session.add(Theme(id="thm-a", community_id="com-a", name="Warmtepompen"))
        session.flush()
        meeting = Meeting(
            id="mtg-a",
            title="Kennissessie warmtepompen",
            starts_at=at("2026-11-20T14:00"),
            ends_at=at("2026-11-20T17:00"),
            place="Doetinchem",
            capacity=30,
            theme_id="thm-a",
            community_id="com-a",
        )
        session.add(meeting)
        session.flush()
        for n in range(MET + 1):
            professional = Professional(
                id=f"pro-a{n}",
                full_name=f"Vakman{n} Achterhoek",
                job_role="werknemer",
                organisation_id="org-sme-a",
            )
            session.add(professional)
            session.flush()
            session.add(
                Membership(community_id="com-a", member_id=professional.id, kind="professional")
            )
            session.add(
                Invitation(
                    meeting_id=meeting.id,
                    invitee_kind="professional",
                    invitee_id=professional.id,
                    status="accepted",
                    attended=n < MET,
                )
            )
        session.add(
            Challenge(
                id="ch-a-next",
                community_id="com-a",
                organisation_id="org-sme-a",
                title="Warmtepompen, het vervolg",
                description="Het volgende team zet het werk aan ch-a-pub voort.",
                status="published",
                follows_id="ch-a-pub",
                created_at=at("2027-04-02"),
            )
        )
        session.commit()


def row_of(rows: list[dict], period: str, community: str = "com-a") -> dict:
    [row] = [r for r in rows if r["period"] == period and r["community_id"] == community]
    return row


def test_a_monitor_reads_their_programme_per_quarter_with_small_counts_hidden(
    world: World,
) -> None:
    add_activity(world)
    listed = world.get("/programmes", "mon-a")
    assert listed.status_code == 200, listed.text
    assert [(p["id"], p["community_ids"]) for p in listed.json()["data"]] == [("prg-a", ["com-a"])]
    answer = world.get(FIGURES, "mon-a")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "<5" in body["suppression"]
    rows = body["figures"]
    assert {row["community_id"] for row in rows} == {"com-a"}
    q1 = row_of(rows, "2027-Q1")
    assert q1["matches_suggested"] == PLACED
    assert q1["matches_approved"] == PLACED
    assert q1["matches_introduced"] == PLACED
    assert q1["students_taking_part"] == PLACED
    assert q1["challenges_staffed"] == "<5"  # one challenge
    assert q1["smes_taking_part"] == "<5"
    assert q1["ratings"] == 0 and q1["mean_rating"] is None
    q2 = row_of(rows, "2027-Q2")
    assert q2["matches_completed"] == "<5"  # three
    assert q2["challenges_completed"] == "<5"
    assert q2["ratings"] == 6
    assert q2["mean_rating"] == 4.3
    assert q2["challenges_continued"] == "<5"  # one follow-up
    assert q2["hours_completed"] is None  # three matches: fewer than 5
    assert q1["hours_completed"] == 0
    q4 = row_of(rows, "2026-Q4")
    assert q4["meetings_held"] == "<5"  # one meeting
    assert q4["meeting_invitations"] == MET + 1
    assert q4["meeting_attendance"] == MET
    assert q4["professionals_taking_part"] == MET
    placements = [p for p in body["placements"] if p["period"] == "2027-Q1"]
    assert {(p["by"], p["value"], p["students_placed"]) for p in placements} == {
        ("level", "mbo", PLACED),
        ("region", "Achterhoek", PLACED),
    }
    # Quarters without anything are rows of zeros: no gap from the first to the last.
    periods = [row["period"] for row in rows]
    assert periods == sorted(periods) and "2027-Q1" in periods and periods[-2] == "2027-Q2"
    # Up to the running quarter, which is not yet published.
    assert periods[-1] == "2027-Q3" and row_of(rows, "2027-Q3")["published"] is False
    fields = {entry["field"] for entry in body["dictionary"]}
    assert set(rows[0]) <= fields and set(placements[0]) <= fields


def test_per_month_the_same_events_fall_in_their_months(world: World) -> None:
    add_activity(world)
    rows = world.get(FIGURES, "mon-a", params={"period": "month"}).json()["figures"]
    assert row_of(rows, "2027-01")["matches_approved"] == PLACED
    assert row_of(rows, "2027-02")["matches_introduced"] == PLACED
    assert row_of(rows, "2027-03")["matches_introduced"] == 0
    bad = world.get(FIGURES, "mon-a", params={"period": "week"})
    assert bad.status_code == 422 and "period" in bad.text


def test_who_follows_which_programme(world: World) -> None:
    for login, programme, status in [
        ("mon-a", "prg-b", 404),
        ("mon-a", "prg-nope", 404),
        ("int-a", "prg-a", 200),
        ("int-a", "prg-b", 404),
        ("int-b", "prg-a", 404),
        ("admin", "prg-b", 200),
        ("sme-a", "prg-a", 403),
        ("stu-a1", "prg-a", 403),
    ]:
        answer = world.get(f"/programmes/{programme}/figures", login)
        assert answer.status_code == status, (login, programme, answer.text)
    assert [p["id"] for p in world.get("/programmes", "admin").json()["data"]] == [
        "prg-a",
        "prg-b",
    ]
    assert world.get("/programmes", "int-b").json()["data"][0]["id"] == "prg-b"
    assert world.get("/programmes", None).status_code == 401


def _pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1, "the report is one page"
    return reader.pages[0].extract_text()


def test_json_csv_and_pdf_state_the_same_figures(world: World) -> None:
    add_activity(world)
    body = world.get(FIGURES, "mon-a").json()
    as_csv = world.get(FIGURES, "mon-a", params={"format": "csv"})
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    csv_rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(csv_rows) == len(body["figures"])
    for from_json, from_csv in zip(body["figures"], csv_rows, strict=True):
        for field, value in from_json.items():
            assert from_csv[field] == ("" if value is None else str(value)), field
    placements_csv = world.get(FIGURES, "mon-a", params={"format": "csv", "table": "placements"})
    assert len(list(csv.DictReader(io.StringIO(placements_csv.text)))) == len(body["placements"])
    dictionary_csv = world.get(FIGURES, "mon-a", params={"format": "csv", "table": "dictionary"})
    described = {row["field"] for row in csv.DictReader(io.StringIO(dictionary_csv.text))}
    assert set(body["figures"][0]) <= described

    for period in ("2026-Q4", "2027-Q1", "2027-Q2"):
        for language in ("nl", "en"):
            answer = world.get(
                "/programmes/prg-a/communities/com-a/report",
                "mon-a",
                params={"period": period, "language": language},
            )
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"] == "application/pdf"
            text = _pdf_text(answer.content)
            lines = text.splitlines()
            assert period in text and "Leergemeenschap Achterhoek" in text
            row = row_of(body["figures"], period)
            for field in REPORTED:
                label = LABELS[language][field]
                [line] = [line for line in lines if line.startswith(label)]
                assert line.split()[-1] == shown(row[field]), (period, language, field)
            for placement in [p for p in body["placements"] if p["period"] == period]:
                assert any(
                    placement["value"] in line
                    and line.split()[-1] == shown(placement["students_placed"])
                    for line in lines
                )
    missing = world.get(
        "/programmes/prg-a/communities/com-b/report", "mon-a", params={"period": "2027-Q1"}
    )
    assert missing.status_code == 404


def test_a_quiet_period_is_a_report_of_zeros(world: World) -> None:
    answer = world.get(
        "/programmes/prg-a/communities/com-a/report",
        "int-a",
        params={"period": "2025-Q3", "language": "en"},
    )
    assert answer.status_code == 200, answer.text
    lines = _pdf_text(answer.content).splitlines()
    for field in REPORTED:
        [line] = [line for line in lines if line.startswith(LABELS["en"][field])]
        assert line.split()[-1] == ("-" if field == "mean_rating" else "0"), field
    assert any("No students placed" in line for line in lines)
    bad = world.get(
        "/programmes/prg-a/communities/com-a/report", "int-a", params={"period": "2031-Q5"}
    )
    assert bad.status_code == 422
    later = world.get(
        "/programmes/prg-a/communities/com-a/report",
        "int-a",
        params={"period": "2031-Q3", "language": "en"},
    )
    text = _pdf_text(later.content)
    assert programmes.NOT_PUBLISHED in text  # a period not yet ended: no zeros either
    assert not any(line.startswith(LABELS["en"]["matches_suggested"]) for line in text.splitlines())


def test_the_current_period_is_not_yet_published(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read in May 2027: 2027-Q2 (and 2027-05) still run, their counts grow as events arrive,
    and two downloads on different days would give a hidden count away by subtraction. They
    read "not yet published", in the JSON, the CSV and the PDF; the periods ended are there."""
    add_activity(world)
    read_on(monkeypatch, datetime(2027, 5, 10, 12, 0, tzinfo=UTC))
    body = world.get(FIGURES, "mon-a").json()
    q2 = row_of(body["figures"], "2027-Q2")
    assert q2["published"] is False
    assert all(q2[field] is None for field in programmes.FIGURE_VALUES), q2
    assert not [p for p in body["placements"] if p["period"] == "2027-Q2"]
    q1 = row_of(body["figures"], "2027-Q1")
    assert q1["published"] is True and q1["matches_introduced"] == PLACED
    assert "not yet published" in body["suppression"]
    [published] = [e for e in body["dictionary"] if e["field"] == "published"]
    assert "nog niet gepubliceerd" in published["description_nl"]
    assert "not yet published" in published["description_en"]

    months = world.get(FIGURES, "mon-a", params={"period": "month"}).json()["figures"]
    assert row_of(months, "2027-04")["published"] is True
    assert row_of(months, "2027-04")["ratings"] == 6
    may = row_of(months, "2027-05")
    assert may["published"] is False and may["ratings"] is None

    as_csv = world.get(FIGURES, "mon-a", params={"format": "csv"}).text
    [csv_q2] = [r for r in csv.DictReader(io.StringIO(as_csv)) if r["period"] == "2027-Q2"]
    assert csv_q2["published"] == "False"
    assert all(csv_q2[field] == "" for field in programmes.FIGURE_VALUES)

    for language, words in (("nl", programmes.NOT_PUBLISHED_NL), ("en", programmes.NOT_PUBLISHED)):
        answer = world.get(
            "/programmes/prg-a/communities/com-a/report",
            "mon-a",
            params={"period": "2027-Q2", "language": language},
        )
        assert answer.status_code == 200, answer.text
        text = _pdf_text(answer.content)
        assert words in text
        for field in REPORTED:
            assert not any(line.startswith(LABELS[language][field]) for line in text.splitlines())


def _path_values(world: World) -> dict[str, str]:
    with world.session() as session:
        suggestion = session.exec(select(Suggestion.id)).first()
    return {
        "challenge_id": "ch-a-pub",
        "community_id": "com-a",
        "organisation_id": "org-sme-a",
        "group_id": "rg-a",
        "student_id": "stu-a1",
        "user_id": "usr-stu-a1",
        "suggestion_id": suggestion or "sug-p0",
        "key_id": "key-none",
        "programme_id": "prg-a",
        # No teacher, round, theme, meeting or professional in this world: the authorization
        # matrix tries the monitor on real ones.
        "teacher_id": "tea-none",
        "round_id": "rnd-none",
        "candidate": "1",
        "theme_id": "thm-none",
        "meeting_id": "mtg-none",
        "invitation_id": "inv-none",
        "professional_id": "pro-none",
    }


def test_a_monitor_never_sees_a_person_on_any_route(world: World) -> None:
    add_activity(world)
    with world.session() as session:
        people = [
            *session.exec(select(StudentProfile.full_name)).all(),
            *session.exec(select(Professional.full_name)).all(),
        ]
        emails = session.exec(select(User.email).where(User.role == "student")).all()
    assert len(people) >= PLACED
    values = _path_values(world)
    paths = world.app.openapi()["paths"]
    walked = 0
    for path, operations in paths.items():
        if "get" not in operations:
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: values[m[1]], path)
        params = {"period": "2027-Q1"} if url.endswith("/report") else {}
        answer = world.request("GET", url, "mon-a", params=params)
        walked += 1
        text = answer.content.decode("latin-1")
        if answer.headers.get("content-type") == "application/pdf":
            text = _pdf_text(answer.content)
        for name in [*people, *emails]:
            assert name not in text, f"GET {url} as a monitor shows {name}"
    assert walked >= 20

    # And every page, through the pages' own login (a session cookie).
    client = TestClient(world.app, base_url="https://testserver", follow_redirects=False)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    logged_in = client.post(
        "/login", data={"email": email("mon-a"), "password": PASSWORD, "csrf_token": token[1]}
    )
    assert logged_in.headers["location"] == "/programmes"
    pages = 0
    for route in (r for area in PAGE_AREAS for r in area.router.routes):
        path = getattr(route, "path", "")
        if "GET" not in getattr(route, "methods", ()) or path.startswith(("/api/", "/static")):
            continue
        url = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values.get(m[1], "figures"), path)
        params = {"period": "2027-Q1"} if url.endswith("report.pdf") else {}
        answer = client.get(url, params=params)
        pages += 1
        text = answer.content.decode("latin-1")
        if answer.headers.get("content-type") == "application/pdf":
            text = _pdf_text(answer.content)
        for name in [*people, *emails]:
            assert name not in text, f"page {url} as a monitor shows {name}"
    assert pages >= 10
    programme_page = client.get("/programmes/prg-a")
    assert programme_page.status_code == 200 and "Programma A" in programme_page.text
    # A monitor reaches no community's own data either: their communities are none.
    assert world.get("/students/stu-a1", "mon-a").status_code in (403, 404)
    assert world.get("/challenges", "mon-a").json()["count"] == 0


def test_the_figures_bucket_like_the_dashboard(world: World) -> None:
    """The programme's match counts come from the dashboard's own query: the weeks of the
    dashboard add up to the quarter."""
    add_activity(world)
    with world.session() as session:
        weeks = dashboard.matches_per_week(session, "com-a").rows
    in_q1 = [w for w in weeks if date(2027, 1, 1) <= w["week_start"] < date(2027, 4, 1)]
    q1 = row_of(world.get(FIGURES, "mon-a").json()["figures"], "2027-Q1")
    # 2027-W01 starts on 28 Dec 2026, but holds no events; every Q1 event falls in a Q1 week.
    assert sum(w["introduced"] for w in in_q1) == q1["matches_introduced"]


def test_a_monitor_login_is_only_a_monitor(world: World) -> None:
    me = world.get("/users/me", "mon-a").json()
    assert me["role"] == "monitor" and me["community_ids"] == []
