"""What an outside security test found (issue 15), one regression test (or more) per finding.

Shared members (a student or research group in two communities), what a student sees of the
review before an introduction, password changes and logout, the secrets, 409s that told too
much, bad numbers and strings in bodies, and the Info findings. Every test that touches data
runs on SQLite and on PostgreSQL (the `world` fixture).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import logging
import re
import stat
from pathlib import Path

import pytest
from apiworld import API, PASSWORD, SECRET, World, email, running_app, settings_for
from fastapi.testclient import TestClient
from sqlmodel import Session, delete, select

from matcher import HashingEncoder
from service.app import create_app
from service.domain.tables import (
    Membership,
    ResearchGroup,
    StudentProfile,
    Suggestion,
)
from service.settings import PLACEHOLDER_SECRET
from service.usecases.security import create_token

NOTE_B = "Interne notitie com-b: niet doorsturen"


# -- helpers ------------------------------------------------------------------------------


def share(world: World, member_id: str, kind: str, community: str) -> None:
    """Put a member of one community into another one too (and into that index)."""
    with world.session() as session:
        session.add(Membership(community_id=community, member_id=member_id, kind=kind))
        session.commit()
        communities = set(
            session.exec(
                select(Membership.community_id).where(
                    Membership.member_id == member_id, Membership.kind == kind
                )
            )
        )
        table = StudentProfile if kind == "student" else ResearchGroup
        row = session.get(table, member_id)
    world.app.state.matching.sync(kind, row, communities)


def suggestion(world: World, challenge_id: str, student_id: str, **values) -> str:
    """A stored suggestion of a challenge for a student, in the challenge's community."""
    community = "com-" + challenge_id.split("-")[1]
    row = Suggestion(
        community_id=community,
        challenge_id=challenge_id,
        target_kind="student",
        target_id=student_id,
        score=0.9,
        dense=0.9,
        lexical=0.5,
        skill=0.5,
        model_version="test",
        **values,
    )
    with world.session() as session:
        session.add(row)
        session.commit()
        return row.id


def suggestions_in(world: World, community: str) -> set[str]:
    with world.session() as session:
        return set(session.exec(select(Suggestion.id).where(Suggestion.community_id == community)))


# -- 1. shared members ------------------------------------------------------------------------


def test_a_shared_students_export_shows_an_intermediary_only_their_communities(
    world: World,
) -> None:
    share(world, "stu-a1", "student", "com-b")
    theirs = suggestion(world, "ch-b-pub", "stu-a1", status="rejected", reason=NOTE_B)
    ours = suggestion(world, "ch-a-pub", "stu-a1")

    answer = world.get("/students/stu-a1/export", "int-a")
    assert answer.status_code == 200, answer.text
    export = answer.json()
    assert [row["id"] for row in export["suggestions"]] == [ours]
    assert theirs not in answer.text and NOTE_B not in answer.text
    assert "ch-b-pub" not in answer.text
    # The student and admins still get all of it.
    own = world.get("/users/me/export", "stu-a1").json()
    assert {row["id"] for row in own["suggestions"]} == {ours, theirs}
    assert world.get("/students/stu-a1/export", "int-b").json()["suggestions"][0]["id"] == theirs


def test_suggested_challenges_for_a_shared_student_stay_in_the_callers_communities(
    world: World,
) -> None:
    share(world, "stu-a1", "student", "com-b")
    theirs = suggestion(world, "ch-b-pub", "stu-a1", status="rejected", reason=NOTE_B)
    before_b = suggestions_in(world, "com-b")

    answer = world.get("/students/stu-a1/suggestions/challenges?k=50", "int-a")
    assert answer.status_code == 200, answer.text
    rows = answer.json()["data"]
    assert rows and {row["community_id"] for row in rows} == {"com-a"}
    assert theirs not in answer.text and NOTE_B not in answer.text
    # Ranking did not put anything into the other community's review queue.
    assert suggestions_in(world, "com-b") == before_b
    # The student themself is matched in both of their communities.
    own = world.get("/students/stu-a1/suggestions/challenges?k=50", "stu-a1").json()["data"]
    assert {row["community_id"] for row in own} == {"com-a", "com-b"}


def test_the_audit_log_of_a_shared_student_keeps_each_communitys_decisions_apart(
    world: World,
) -> None:
    share(world, "stu-a1", "student", "com-b")
    rows = world.get("/challenges/ch-b-pub/suggestions/students", "int-b").json()["data"]
    theirs = {row["target_id"]: row["id"] for row in rows}["stu-a1"]
    assert world.post(f"/suggestions/{theirs}/reject", "int-b", json={"reason": NOTE_B}).is_success
    answer = world.get("/audit?subject_id=stu-a1", "int-a")
    assert answer.status_code == 200, answer.text
    assert NOTE_B not in answer.text and theirs not in answer.text
    assert NOTE_B in world.get("/audit?subject_id=stu-a1", "int-b").text


@pytest.mark.parametrize(
    ("path", "kind", "member"),
    [
        ("/research-groups/rg-a", "research_group", "rg-a"),
        ("/students/stu-a3", "student", "stu-a3"),
    ],
)
def test_a_shared_member_is_changed_or_deleted_only_by_who_manages_all_its_communities(
    world: World, path: str, kind: str, member: str
) -> None:
    share(world, member, kind, "com-b")
    table = ResearchGroup if kind == "research_group" else StudentProfile
    before = world.row(table, member)
    change = {"name": "Overgenomen"} if kind == "research_group" else {"about": "Overgenomen."}
    for login in ("int-a", "int-b"):
        assert world.patch(path, login, json=change).status_code == 403
        assert world.delete(path, login).status_code == 403
    assert world.row(table, member) == before
    # Both may still read it, and an admin may change it.
    assert world.get(path, "int-b").status_code == 200
    assert world.patch(path, "admin", json=change).status_code == 200


def test_a_shared_organisation_is_changed_only_by_who_manages_all_its_communities(
    world: World,
) -> None:
    with world.session() as session:
        session.add(Membership(community_id="com-b", member_id="org-sme-a", kind="organisation"))
        session.commit()
    assert world.patch("/organisations/org-sme-a", "int-b", json={"city": "X"}).status_code == 403
    assert world.patch("/organisations/org-sme-a", "admin", json={"city": "X"}).status_code == 200


# -- 2. a student sees no review before the introduction --------------------------------------


def test_a_student_sees_no_status_or_reason_before_the_introduction(world: World) -> None:
    rows = world.get("/challenges/ch-a-pub/suggestions/students", "int-a").json()["data"]
    first = {row["target_id"]: row["id"] for row in rows}["stu-a1"]
    rows = world.get("/challenges/ch-a-other/suggestions/students", "int-a").json()["data"]
    second = {row["target_id"]: row["id"] for row in rows}["stu-a1"]
    secret = "Vertrouwelijk: cijfers te laag"
    assert world.post(f"/suggestions/{first}/reject", "int-a", json={"reason": secret}).is_success
    approved = world.post(f"/suggestions/{second}/approve", "int-a", json={"reason": "Goed"})
    assert approved.is_success

    answer = world.get("/students/stu-a1/suggestions/challenges?k=5", "stu-a1")
    assert answer.status_code == 200, answer.text
    seen = {row["id"]: row for row in answer.json()["data"]}
    assert {first, second} <= set(seen)
    for id_ in (first, second):
        assert seen[id_]["status"] is None and seen[id_]["reason"] is None
    assert secret not in answer.text and "Goed" not in answer.text
    for id_ in (first, second):  # interest is the same answer whatever the decision was
        interest = world.post(f"/suggestions/{id_}/interest", "stu-a1")
        assert interest.status_code == 200, interest.text
        assert interest.json()["status"] is None and interest.json()["reason"] is None
        assert secret not in interest.text and "rejected" not in interest.text

    # Once introduced the student sees the state, but never the intermediary's reason.
    assert world.post(f"/suggestions/{second}/introduce", "int-a").is_success
    shown = world.get(f"/suggestions/{second}", "stu-a1").json()
    assert shown["status"] == "introduced" and shown["reason"] is None
    events = world.get(f"/suggestions/{second}/events", "stu-a1").json()["data"]
    assert [e["reason"] for e in events if e["actor_id"] == "usr-int-a"] == [None, None]
    # The personal-data export lists the decisions about her (see the README, Trust).
    export = world.get("/users/me/export", "stu-a1").json()
    assert secret in {row["reason"] for row in export["suggestions"]}


# -- 3. password changes and logout -----------------------------------------------------------


def test_a_password_change_needs_the_current_password(world: World) -> None:
    new = "een-nieuw-lang-wachtwoord"
    answer = world.patch("/users/me", "sme-a", json={"password": new})
    assert answer.status_code == 422 and "current_password" in answer.text
    wrong = world.patch("/users/me", "sme-a", json={"password": new, "current_password": "x"})
    assert wrong.status_code == 403 and "current_password" in wrong.text
    assert world.login("sme-a", new).status_code == 400
    right = world.patch("/users/me", "sme-a", json={"password": new, "current_password": PASSWORD})
    assert right.status_code == 200, right.text
    assert world.login("sme-a", new).status_code == 200


def test_a_password_change_ends_every_older_token_and_api_key(world: World) -> None:
    old = world.headers("sme-a")
    other = world.login("sme-a").json()["access_token"]
    key = world.post("/users/me/api-keys", "sme-a", json={"name": "script"}).json()["key"]
    body = {"password": "een-nieuw-lang-wachtwoord", "current_password": PASSWORD}
    assert world.patch("/users/me", "sme-a", json=body).status_code == 200
    client = world.client
    assert client.get(f"{API}/users/me", headers=old).status_code == 401
    assert (
        client.get(f"{API}/users/me", headers={"Authorization": f"Bearer {other}"}).status_code
        == 401
    )
    assert client.get(f"{API}/users/me", headers={"X-API-Key": key}).status_code == 401
    fresh = world.login("sme-a", "een-nieuw-lang-wachtwoord").json()["access_token"]
    assert client.get(f"{API}/users/me", headers={"Authorization": f"Bearer {fresh}"}).is_success


def test_a_password_change_may_keep_the_api_keys_and_sessions_when_asked(world: World) -> None:
    old = world.headers("sme-a")
    key = world.post("/users/me/api-keys", "sme-a", json={"name": "script"}).json()["key"]
    body = {
        "password": "een-nieuw-lang-wachtwoord",
        "current_password": PASSWORD,
        "keep_api_keys": True,
        "keep_sessions": True,
    }
    assert world.patch("/users/me", "sme-a", json=body).status_code == 200
    assert world.client.get(f"{API}/users/me", headers={"X-API-Key": key}).is_success
    assert world.client.get(f"{API}/users/me", headers=old).is_success


def test_logout_through_the_api_ends_the_token_server_side(world: World) -> None:
    token = world.headers("stu-a1")
    assert world.client.post(f"{API}/logout", headers=token).status_code == 204
    assert world.client.get(f"{API}/users/me", headers=token).status_code == 401


def _page_login(app, login: str) -> TestClient:
    """A browser-like client (https, so the Secure cookies travel) logged in to the pages."""
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = client.post(
        "/login", data={"email": email(login), "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 303, answer.text
    return client


def test_logging_out_of_the_pages_ends_the_session_server_side(world: World) -> None:
    client = _page_login(world.app, "int-a")
    assert client.get("/review").status_code == 200
    cookie = client.cookies.get("lcmatch_session")
    page = client.get("/review").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    client.cookies.set("lcmatch_session", cookie)  # a copy kept by whoever took it
    answer = client.get("/review")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


# -- 4. the secrets ---------------------------------------------------------------------------


def _start(home: Path, url: str, **changes):
    settings = settings_for(home, url).model_copy(update=changes)
    app = create_app(settings, encoder=HashingEncoder())
    return app


def test_without_a_secret_a_random_one_is_made_once_and_kept(world_url: str, tmp_path: Path):
    kept = []
    for _ in range(2):
        app = _start(tmp_path, world_url, secret_key=None, pseudonym_key=None)
        with TestClient(app) as client:
            settings = app.state.settings
            kept.append((settings.secret_key, settings.pseudonym_key))
            forged = create_token("usr-admin", PLACEHOLDER_SECRET, 5, generation=0)
            answer = client.get(f"{API}/users", headers={"Authorization": f"Bearer {forged}"})
            assert answer.status_code == 401
    assert kept[0] == kept[1]
    secret, pseudonyms = kept[0]
    assert secret != PLACEHOLDER_SECRET and len(secret) >= 32 and pseudonyms != secret
    for name in ("secret_key", "pseudonym_key"):
        path = tmp_path / name
        assert path.read_text().strip() in (secret, pseudonyms)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_placeholder_secret_is_logged_loudly(
    world_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = _start(tmp_path, world_url, secret_key=PLACEHOLDER_SECRET, environment="development")
    with caplog.at_level(logging.WARNING, logger="lcmatch"), TestClient(app):
        pass
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("placeholder" in r.getMessage().lower() for r in warnings)


def test_erasure_pseudonyms_are_keyed_by_their_own_secret(world: World) -> None:
    settings = world.app.state.settings
    assert world.delete("/students/stu-a3", "int-a").status_code == 204
    entries = world.get("/audit?action=student.erase", "admin").json()["data"]
    alias = entries[0]["object_id"]
    by_secret = hmac.new(SECRET.encode(), b"stu-a3", hashlib.sha256).hexdigest()[:16]
    by_own = hmac.new(settings.pseudonym_key.encode(), b"stu-a3", hashlib.sha256).hexdigest()
    assert alias != "erased-" + by_secret
    assert alias == "erased-" + by_own[:16]


# -- 5. 409s that told too much ---------------------------------------------------------------


def test_a_client_id_gets_the_same_answer_whether_it_exists_elsewhere_or_not(
    world: World,
) -> None:
    body = {
        "community_id": "com-a",
        "title": "Zonnepanelen op bedrijfsdaken",
        "description": "Een planning maken voor zonnepanelen op de daken van bedrijfshallen.",
    }
    taken = world.post("/challenges", "sme-a", json={**body, "id": "ch-b-pub"})
    free = world.post("/challenges", "sme-a", json={**body, "id": "ch-nergens"})
    assert taken.status_code == free.status_code != 409
    assert taken.json()["detail"] == free.json()["detail"]
    assert "ch-b-pub" not in taken.text and "exists" not in taken.text
    group = {"name": "Lectoraat X", "expertise": "Onderzoek.", "community_ids": ["com-a"]}
    for id_ in ("rg-b", "rg-nergens"):
        answer = world.post("/research-groups", "int-a", json={**group, "id": id_})
        assert answer.status_code != 409 and "exists" not in answer.text
    # Without an id the server chooses one.
    made = world.post("/challenges", "sme-a", json=body)
    assert made.status_code == 201 and made.json()["id"].startswith("ch-")


def test_a_duplicate_email_does_not_tell_whose_account_it_is(world: World) -> None:
    body = {
        "full_name": "Nieuw",
        "role": "student",
        "password": "een-lang-wachtwoord",
        "community_ids": ["com-a"],
    }
    elsewhere = world.post("/users", "int-a", json={**body, "email": email("sme-b")})
    here = world.post("/users", "int-a", json={**body, "email": email("sme2-a")})
    assert elsewhere.status_code == here.status_code == 409
    assert elsewhere.json()["detail"] == here.json()["detail"]
    assert "usr-" not in elsewhere.text and "com-b" not in elsewhere.text


# -- 7. bad numbers and strings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "login", "body", "field"),
    [
        (
            "POST",
            "/challenges",
            "sme-a",
            '{"community_id": "com-a", "title": "ab\\ud800c", "description": "Een beschrijving."}',
            "title",
        ),
        (
            "POST",
            "/challenges",
            "sme-a",
            '{"community_id": "com-a", "title": "Titel", "description": "Een beschrijving.",'
            ' "hours_per_week": NaN}',
            "hours_per_week",
        ),
        ("PATCH", "/students/stu-a1", "stu-a1", '{"year": 1e400}', "year"),
        ("PATCH", "/students/stu-a1", "stu-a1", '{"about": "x\\udfffy"}', "about"),
        ("PATCH", "/students/stu-a1", "stu-a1", '{"hours_per_week": -Infinity}', "hours_per_week"),
    ],
)
def test_unpaired_surrogates_nan_and_infinity_are_422_naming_the_field(
    world: World, method: str, path: str, login: str, body: str, field: str
) -> None:
    answer = world.call(
        method, path, login, content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    assert field in [str(part) for error in answer.json()["detail"] for part in error["loc"]]


# -- 9. Info findings -------------------------------------------------------------------------


def test_a_disabled_account_with_the_right_password_is_told_what_a_wrong_one_is(
    world: World,
) -> None:
    disabled = world.login("off-a")
    wrong = world.login("sme-a", "niet-het-wachtwoord")
    assert disabled.status_code == wrong.status_code == 400
    assert disabled.json() == wrong.json()


def test_x_forwarded_for_counts_only_from_a_configured_proxy(
    world_url: str, tmp_path: Path
) -> None:
    def failures(app, forwarded: str, n: int) -> list[int]:
        with TestClient(app) as client:
            return [
                client.post(
                    f"{API}/login/access-token",
                    data={"username": email("x"), "password": f"fout-{i}"},
                    headers={"X-Forwarded-For": f"{forwarded}{i}"},
                ).status_code
                for i in range(n)
            ]

    # Untrusted peer (the test client is "testclient"): a new X-Forwarded-For per try does
    # not make a new address.
    app = _start(tmp_path, world_url, login_failures_per_address=3, login_failures_per_account=99)
    assert failures(app, "10.0.0.", 4)[-1] == 429
    trusted = _start(
        tmp_path,
        world_url,
        login_failures_per_address=3,
        login_failures_per_account=99,
        trusted_proxies=["testclient"],
    )
    assert failures(trusted, "10.0.0.", 4)[-1] == 400


def test_sqlite_files_are_only_for_their_owner(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'eigen.sqlite'}"
    with running_app(tmp_path, url) as running:
        running.login("nobody")
    files = [p for p in tmp_path.iterdir() if p.name.startswith("eigen.sqlite")]
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_an_erased_name_is_not_left_in_the_sqlite_files(world: World) -> None:
    if world.backend != "sqlite":
        pytest.skip("SQLite's files; PostgreSQL needs VACUUM (see the README)")
    path = Path(world.app.state.engine.url.database)
    name = b"Noor Zondertoestemming A"
    with world.session() as session:
        student = session.get(StudentProfile, "stu-a3")
        student.about = "Een tekst die nu in de WAL staat: Noor Zondertoestemming A."
        session.add(student)
        session.commit()
    assert world.delete("/students/stu-a3", "int-a").status_code == 204
    for file in path.parent.glob(path.name + "*"):
        assert name not in file.read_bytes(), file


# -- 8. spreadsheet formulas ------------------------------------------------------------------


def test_the_csv_export_guards_formulas_and_the_import_takes_the_guard_off(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from service.cli.main import app as cli
    from service.domain.tables import Community, Organisation
    from service.storage.db import make_engine, migrate
    from service.usecases.transfer import export, import_data

    names = ['=HYPERLINK("http://x")', "+31 6", "\t@SUM(A1)", ";=1", "\u00a0=1", "\uff1d1"]
    engine = make_engine(db_url)
    migrate(engine)
    with Session(engine) as session:
        session.add(Community(id="com-x", name="Gewoon"))
        session.flush()
        for n, name in enumerate(names):
            session.add(Organisation(id=f"org-{n}", name=name, kind="sme"))
            session.flush()
            session.add(Membership(community_id="com-x", member_id=f"org-{n}", kind="organisation"))
        session.commit()
    monkeypatch.setenv("LCMATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("LCMATCH_HOME", str(tmp_path))
    answer = CliRunner().invoke(cli, ["export", "organisations", "--format", "csv"])
    assert answer.exit_code == 0, answer.output
    rows = list(csv.DictReader(io.StringIO(answer.output)))
    assert sorted(row["name"] for row in rows) == sorted("'" + name for name in names)
    # Back in: the values as they were, and the same file again.
    with Session(engine) as session:
        for table in (Membership, Organisation):
            session.exec(delete(table))
        session.commit()
        assert import_data(session, "organisations", answer.output.encode(), "csv") == len(names)
    with Session(engine) as session:
        stored = sorted(session.exec(select(Organisation.name)))
        assert stored == sorted(names)
        assert export(session, "organisations", "csv") == answer.output
    engine.dispose()
