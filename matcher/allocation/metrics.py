"""How good a set of teams is: total fit, the worst team's fit, placement and staffing shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from matcher.allocation.prepare import Prepared
from matcher.allocation.validate import TeamLike, validate


@dataclass(frozen=True)
class Figures:
    """The comparison figures of one set of teams (see benchmarks/allocation.py)."""

    total_fit: float
    worst_team_fit: float
    valid_total_fit: float
    valid_worst_team_fit: float
    students_placed: float
    challenges_staffed: float
    challenges_full: float
    violations: int
    gap_level: float
    gap_region: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def figures(prepared: Prepared, teams: Sequence[TeamLike]) -> Figures:
    """Total fit (members' fit plus supervisors' expertise) and the lowest mean member fit of
    any team, both again over the teams that keep every rule of their own (valid_*); the shares
    of students placed and of challenges staffed within (and up to the top of) their range; the
    validator's violations and the placement-rate gaps by level and region."""
    inst = prepared.instance
    s_of = {s.id: i for i, s in enumerate(inst.students)}
    c_of = {c.id: j for j, c in enumerate(inst.challenges)}
    v_of = {v.id: k for k, v in enumerate(inst.supervisors)}
    check = validate(inst, teams)
    broken = {v.challenge for v in check.violations if v.challenge is not None}
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
        placed.update(team.members)
        ch = inst.challenges[c]
        staffed += ch.students_min <= len(members) <= ch.students_max
        full += len(members) == ch.students_max
    n_c = max(1, len(inst.challenges))
    return Figures(
        total_fit=total,
        worst_team_fit=min(means) if means else 0.0,
        valid_total_fit=sum(valid_total),
        valid_worst_team_fit=min(valid_means) if valid_means else 0.0,
        students_placed=len(placed) / max(1, len(inst.students)),
        challenges_staffed=staffed / n_c,
        challenges_full=full / n_c,
        violations=len(check.violations),
        gap_level=check.gaps.get("level", 0.0),
        gap_region=check.gaps.get("region", 0.0),
    )


__all__ = ["Figures", "figures"]
