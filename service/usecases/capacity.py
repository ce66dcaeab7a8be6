"""Capacity that is used up: a challenge wants so many students, a research group supervises so
many projects at once, and introduced, accepted and active matches take up that room.

Introducing or starting a match beyond it is a 409 that gives the numbers. Two introductions at
once cannot both take the last place: the check first locks the row whose capacity it counts
(PostgreSQL: `SELECT ... FOR UPDATE` on the challenge or group; SQLite: a first write, which
takes the one writer lock of the database, see `service.storage.db._serialise_writers`), so the
second counts after the first committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, func, select, update

from service.domain.errors import Conflict
from service.domain.tables import (
    Challenge,
    ResearchGroup,
    Suggestion,
    SuggestionStatus,
    TargetKind,
)

#: The statuses whose matches take up room: both sides know of them and the work is on.
USING = (SuggestionStatus.introduced, SuggestionStatus.accepted, SuggestionStatus.active)


def _owner(suggestion: Suggestion) -> tuple[type[Challenge] | type[ResearchGroup], str] | None:
    """The row whose capacity a match of this suggestion takes up, as (table, id)."""
    if suggestion.target_kind == TargetKind.student:
        return Challenge, suggestion.challenge_id
    if suggestion.target_kind == TargetKind.research_group:
        return ResearchGroup, suggestion.target_id
    return None


def _capacity(row: Challenge | ResearchGroup) -> int:
    return row.students_wanted if isinstance(row, Challenge) else row.capacity_projects


def _using(table: type, ids: Iterable[str]) -> tuple[Any, list[Any]]:
    """The column naming the owner, and the conditions for the matches using these owners'
    room: a challenge's introduced students, or a research group's projects."""
    if table is Challenge:
        owner, kind = Suggestion.challenge_id, TargetKind.student
    else:
        owner, kind = Suggestion.target_id, TargetKind.research_group
    where = [Suggestion.target_kind == kind, owner.in_(list(ids)), Suggestion.status.in_(USING)]
    return owner, where


def _lock(session: Session, table: type, id_: str) -> None:
    """Hold the owner's row until the commit, so that concurrent checks run one after another."""
    if session.get_bind().dialect.name == "sqlite":
        # A write that changes nothing: it takes SQLite's writer lock (and the process's) now,
        # so the count below reads what every earlier writer committed.
        session.execute(update(table).where(table.id == id_).values(id=table.id))
    else:
        session.execute(select(table.id).where(table.id == id_).with_for_update())


def check_room(session: Session, suggestion: Suggestion, action: str) -> None:
    """Refuse (409, with the numbers) to introduce or start this match when the challenge has
    as many students, or the research group as many projects, as it takes already. Locks the
    owner's row first; the caller commits (or rolls back) the transaction."""
    owner = _owner(suggestion)
    if owner is None:
        return
    table, id_ = owner
    _lock(session, table, id_)
    row = session.get(table, id_, populate_existing=True)  # as locked, not as read before
    if row is None:
        return
    _, where = _using(table, [id_])
    others = session.exec(select(func.count()).where(Suggestion.id != suggestion.id, *where)).one()
    capacity = _capacity(row)
    if others >= capacity:
        what = (
            f"challenge {id_} has {others} of {capacity} students"
            if table is Challenge
            else f"research group {id_} has {others} of {capacity} projects"
        )
        raise Conflict(f"Cannot {action}: {what} introduced or under way; no room left")


def room_left(session: Session, suggestions: Iterable[Suggestion]) -> dict[str, int | None]:
    """Per suggestion id: how many more matches its challenge (for a student) or its research
    group can take now (never below 0); None when its owner is gone. One count per table."""
    owners = {s.id: _owner(s) for s in suggestions}
    used: dict[tuple[type, str], int] = {}
    for table in (Challenge, ResearchGroup):
        ids = {o[1] for o in owners.values() if o is not None and o[0] is table}
        if ids:
            owner, where = _using(table, ids)
            for id_, count in session.exec(
                select(owner, func.count()).where(*where).group_by(owner)
            ):
                used[(table, id_)] = count
    left: dict[str, int | None] = {}
    for suggestion_id, owner in owners.items():
        row = session.get(*owner) if owner is not None else None
        left[suggestion_id] = None if row is None else max(0, _capacity(row) - used.get(owner, 0))
    return left
