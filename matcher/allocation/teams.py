"""A staffed challenge: the result type the solver, the baselines and the validator share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Team:
    """One staffed challenge: its supervisor, members (student ids) and its own staff (ids of
    the challenge's own people, who are no students and stay in the team)."""

    challenge: str
    supervisor: str | None
    members: tuple[str, ...]
    staff: tuple[str, ...] = ()
