"""How good a set of teams is: total fit, the worst team's fit, placement and staffing shares.

The worst team is measured over every challenge the round must staff (each one that can have a
valid team on its own, `matcher.allocation.bounds`): a challenge left without a team, or whose
team breaks a rule, counts as 0 — the intermediary still has to staff it by hand — so no
method can look better by staffing fewer challenges. The worst over the teams that keep every
rule and the number of such teams are reported beside it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass

from matcher.allocation.instance import Instance
from matcher.allocation.prepare import Prepared
from matcher.allocation.validate import Check, TeamLike, validate


@dataclass(frozen=True)
class Figures:
    """The comparison figures of one set of teams (see benchmarks/allocation.py)."""

    total_fit: float
    worst_team_fit: float
    valid_total_fit: float
    valid_worst_team_fit: float
    valid_teams: int  # teams that keep every rule of their own
    must_staff: int  # challenges that can have a valid team on their own (or all, if not given)
    must_staff_valid: int  # of those, how many have a team that keeps every rule
    worst_team_fit_all: float  # over the must-staff challenges; none or a broken team counts 0
    worst_team_all: str | None  # the challenge where it is
    students_placed: float
    challenges_staffed: float
    challenges_full: float
    violations: int
    gap_level: float
    gap_region: float

    def as_dict(self) -> dict[str, float | int | str | None]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def figures(
    prepared: Prepared, teams: Sequence[TeamLike], must_staff: Collection[str] | None = None
) -> Figures:
    """Total fit (members' fit plus supervisors' expertise) and the lowest mean member fit of
    any team, both again over the teams that keep every rule of their own (valid_*); the worst
    team over the challenges in `must_staff` (default: every challenge of the round) with 0 for
    one without a valid team; the shares of students placed and of challenges staffed within
    (and up to the top of) their range; the validator's violations and the placement-rate gaps
    by level and region."""
    inst = prepared.instance
    s_of = {s.id: i for i, s in enumerate(inst.students)}
    c_of = {c.id: j for j, c in enumerate(inst.challenges)}
    v_of = {v.id: k for k, v in enumerate(inst.supervisors)}
    check = validate(inst, teams)
    broken = _broken(inst, teams, check)
    valid_mean: dict[str, float] = {}
    total = 0.0
    means = []
    valid_total: list[float] = []
    valid_means: list[float] = []
    staffed = full = 0
    placed: set[str] = set()
    for team in teams:
        c = c_of[team.challenge]
        members = [s_of[m] for m in team.members]
        if not members:
            continue
        fits = prepared.fit[members, c]
        team_total = float(fits.sum())
        if team.supervisor in v_of:
            team_total += inst.weights.expertise * float(
                prepared.expertise[v_of[team.supervisor], c]
            )
        total += team_total
        means.append(float(fits.mean()))
        if team.challenge not in broken:  # only teams that keep every rule of their own
            valid_total.append(team_total)
            valid_means.append(float(fits.mean()))
            valid_mean[team.challenge] = float(fits.mean())
        placed.update(team.members)
        ch = inst.challenges[c]
        staffed += ch.students_min <= len(members) <= ch.students_max
        full += len(members) == ch.students_max
    n_c = max(1, len(inst.challenges))
    must = list(must_staff) if must_staff is not None else [c.id for c in inst.challenges]
    worst_all = min(must, key=lambda cid: (valid_mean.get(cid, 0.0), cid), default=None)
    return Figures(
        total_fit=total,
        worst_team_fit=min(means) if means else 0.0,
        valid_total_fit=sum(valid_total),
        valid_worst_team_fit=min(valid_means) if valid_means else 0.0,
        valid_teams=len(valid_mean),
        must_staff=len(must),
        must_staff_valid=sum(cid in valid_mean for cid in must),
        worst_team_fit_all=valid_mean.get(worst_all, 0.0) if worst_all is not None else 0.0,
        worst_team_all=worst_all,
        students_placed=len(placed) / max(1, len(inst.students)),
        challenges_staffed=staffed / n_c,
        challenges_full=full / n_c,
        violations=len(check.violations),
        gap_level=check.gaps.get("level", 0.0),
        gap_region=check.gaps.get("region", 0.0),
    )


def _broken(inst: Instance, teams: Sequence[TeamLike], check: Check) -> set[str]:
    """Challenges whose team breaks a rule: one of its own (size, mix, a member's level, place,
    period, hours, supervisor, forbid, a pin to it), a member also in another team, a supervisor
    over capacity (all of that supervisor's teams: which one is too many is anyone's guess) or a
    second team for the challenge."""
    out = {v.challenge for v in check.violations if v.challenge is not None}
    seen = Counter(m for t in teams for m in t.members)
    load = Counter(t.supervisor for t in teams if t.supervisor is not None)
    capacity = {v.id: v.capacity for v in inst.supervisors}
    twice = Counter(t.challenge for t in teams)
    for team in teams:
        if (
            any(seen[m] > 1 for m in team.members)
            or load.get(team.supervisor, 0) > capacity.get(team.supervisor, 0)
            or twice[team.challenge] > 1
        ):
            out.add(team.challenge)
    by_challenge = {t.challenge: t for t in teams}
    for pin in inst.pins:  # a pin not kept: the pinned challenge's team is not the one asked for
        team = by_challenge.get(pin.challenge)
        if team is not None and (
            (pin.student is not None and pin.student not in team.members)
            or (pin.supervisor is not None and pin.supervisor != team.supervisor)
        ):
            out.add(pin.challenge)
    return out


__all__ = ["Figures", "figures"]
