"""A staffed challenge: the result type the solver, the baselines and the validator share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Team:
    """One staffed challenge: its supervisor and members (ids)."""

    challenge: str
    supervisor: str | None
    members: tuple[str, ...]
