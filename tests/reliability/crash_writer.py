"""The writer that tests/reliability/test_crash.py kills: a separate process writing to a
database, printing one line on stdout for every write it acknowledges.

    python crash_writer.py api URL HOME PREFIX COUNT
        Starts the app (its lifespan migrates and rebuilds the indexes: the restart after the
        previous kill), logs in as the world's SME and posts COUNT challenges with the ids
        PREFIX-00000, PREFIX-00001, ... through the API (TestClient, in this process). Prints
        `ack ID` only after the 201 came back: the acknowledgement.

    python crash_writer.py import URL FILE
        Imports the students of FILE with service.usecases.transfer.import_data, with embeddings.
        Prints `writing` once the file is checked and embedded and the rows start to go to the
        database, and `ack import N` after the import returned.

Every line is flushed at once, so the parent sees an acknowledgement as soon as it is made.

With LCMATCH_CRASH_ACK_BEFORE_COMMIT=1 the writer is deliberately broken: it acknowledges a
challenge when the session is about to commit it and then waits before committing. The test's
checker must catch the writes this loses.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service" / "api"))

import sqlalchemy as sa
from apiworld import API, PASSWORD, email, settings_for
from fastapi.testclient import TestClient
from sqlmodel import Session

from matcher import HashingEncoder
from service.app import create_app
from service.domain.tables import Challenge
from service.storage.db import make_engine
from service.usecases.matching import Matching
from service.usecases.transfer import import_data

#: How long the broken writer waits between acknowledging and committing.
EARLY_ACK_WAIT = 0.2


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def acknowledge_before_commit() -> None:
    """The deliberate bug: Session.commit acknowledges the challenges the transaction inserts
    as soon as they are flushed, then waits, then commits."""

    def note_new(session: Session, _context) -> None:
        new = [row.id for row in session.new if isinstance(row, Challenge)]
        session.info.setdefault("unacknowledged", []).extend(new)

    sa.event.listen(Session, "after_flush", note_new)
    commit = Session.commit

    def early(self: Session) -> None:
        self.flush()
        for id_ in self.info.pop("unacknowledged", []):
            say(f"ack {id_}")
        time.sleep(EARLY_ACK_WAIT)
        commit(self)

    Session.commit = early  # type: ignore[method-assign]


def api(url: str, home: Path, prefix: str, count: int) -> None:
    early = os.environ.get("LCMATCH_CRASH_ACK_BEFORE_COMMIT") == "1"
    if early:
        acknowledge_before_commit()
    app = create_app(settings_for(home, url), encoder=HashingEncoder())
    with TestClient(app) as client:
        login = client.post(
            # The admin: only admins choose the ids of what they create.
            f"{API}/login/access-token",
            data={"username": email("admin"), "password": PASSWORD},
        )
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        say("ready")
        for n in range(count):
            id_ = f"{prefix}-{n:05d}"
            body = {
                "id": id_,
                "community_id": "com-a",
                "organisation_id": "org-sme-a",
                "title": f"Warmtepompen plaatsen, opdracht {n}",
                "description": "Een student helpt bij het plaatsen van warmtepompen in woningen.",
            }
            answer = client.post(f"{API}/challenges", json=body, headers=headers)
            if answer.status_code != 201:
                say(f"error {answer.status_code} {answer.text}")
                sys.exit(3)
            if not early:
                say(f"ack {id_}")


class Announcing(Matching):
    """Matching that says when the import has checked and embedded its rows: what follows
    is the writing."""

    def embed(self, *args, **kwargs):
        result = super().embed(*args, **kwargs)
        say("writing")
        return result


def import_file(url: str, path: Path) -> None:
    engine = make_engine(url)
    say("ready")
    with Session(engine, expire_on_commit=False) as session:
        written = import_data(
            session,
            "students",
            path.read_bytes(),
            "csv",
            matching=Announcing(encoder=HashingEncoder()),
        )
    say(f"ack import {written}")


def main(argv: list[str]) -> None:
    if argv[0] == "api":
        url, home, prefix, count = argv[1:]
        api(url, Path(home), prefix, int(count))
    elif argv[0] == "import":
        url, path = argv[1:]
        import_file(url, Path(path))
    else:
        raise SystemExit(f"unknown mode {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
