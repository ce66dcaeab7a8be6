"""An independent check of teams against a round: every broken rule, from the instance alone.

It reads only the instance and the gazetteer (not the solver's arrays or candidate lists), so a
bug in how the solver prepares the rules shows up here as a violation."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from matcher.allocation.instance import Instance
from matcher.allocation.teams import Team
from matcher.places import distance_km, find_place
from matcher.travel import reach_km, within_reach


@dataclass(frozen=True)
class Violation:
    """One broken rule: a code ('size', 'level', 'place', …) and a message naming the ids."""

    code: str
    message: str
    challenge: str | None = None  # the team it is about, when it is about one team


@dataclass
class Check:
    """The violations found, and the placement rates by level and region."""

    violations: list[Violation] = field(default_factory=list)
    rates: dict[str, dict[str, float]] = field(default_factory=dict)
    gaps: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations


class TeamLike:
    """Anything with `challenge`, `supervisor`, `members` and `staff` (ids)."""

    challenge: str
    supervisor: str | None
    members: Sequence[str]
    staff: Sequence[str]


def _key(label: str) -> str:
    return " ".join(label.casefold().split())


def validate(instance: Instance, teams: Sequence[TeamLike]) -> Check:
    """Every rule of the round that `teams` break (empty when all are kept), and fairness rates."""
    check = Check()
    bad = check.violations.append
    students = {s.id: s for s in instance.students}
    challenges = {c.id: c for c in instance.challenges}
    supervisors = {v.id: v for v in instance.supervisors}
    forbidden = {(p.student or p.supervisor, p.challenge) for p in instance.forbids}
    factor = instance.weights.hybrid_travel_factor

    seen_challenge = Counter(t.challenge for t in teams)
    for cid, n in seen_challenge.items():
        if n > 1:
            bad(Violation("challenge_twice", f"challenge {cid} has {n} teams"))
    member_of: dict[str, list[str]] = defaultdict(list)
    load: Counter[str] = Counter()
    starts: list[tuple[str, int]] = []  # (team, its first violation) to tag them afterwards
    for team in teams:
        starts.append((team.challenge, len(check.violations)))
        ch = challenges.get(team.challenge)
        if ch is None:
            bad(Violation("unknown", f"team for unknown challenge {team.challenge}"))
            continue
        members = list(team.members)
        # The challenge's own staff are part of the team: they count in its size, and no
        # proposal may leave one out (or bring in someone else as staff).
        staff = list(dict.fromkeys(team.staff))
        for person in ch.staff:
            if person not in staff:
                bad(Violation("staff", f"{ch.id}: its own staff {person} is not in the team"))
        for person in staff:
            if person not in ch.staff:
                bad(Violation("staff", f"{ch.id}: {person} is not of the challenge's own staff"))
        size = len(members) + len(staff)
        if not ch.team_min <= size <= ch.team_max or not members:
            bad(
                Violation(
                    "size",
                    f"{ch.id}: team of {len(members)} students and {len(staff)} staff, "
                    f"allowed {ch.team_min}–{ch.team_max} in all, one student at least",
                )
            )
        site = find_place(ch.place) if ch.place else None
        for sid in members:
            member_of[sid].append(ch.id)
            st = students.get(sid)
            if st is None:
                bad(Violation("unknown", f"{ch.id}: unknown student {sid}"))
                continue
            if st.level not in ch.levels:
                bad(Violation("level", f"{ch.id}: {sid} is {st.level}, allowed {ch.levels}"))
            if ch.mode != "remote" and site is not None:
                km = distance_km(find_place(st.place), site)
                limit = reach_km(st.max_travel_km, ch.mode, factor)
                if not within_reach(km, limit):
                    bad(Violation("place", f"{ch.id}: {sid} lives {km:.1f} km away, max {limit}"))
            if ch.period not in st.periods:
                bad(Violation("period", f"{ch.id}: {sid} is not available in {ch.period}"))
            if st.hours < ch.hours:
                bad(Violation("hours", f"{ch.id}: {sid} has {st.hours} h, needs {ch.hours}"))
            if (sid, ch.id) in forbidden:
                bad(Violation("forbid", f"{ch.id}: {sid} is forbidden here"))
        known = [students[s] for s in members if s in students]
        programmes = {st.programme for st in known}
        if members and len(programmes) < ch.min_programmes:
            bad(
                Violation(
                    "programmes",
                    f"{ch.id}: {len(programmes)} programmes, needs {ch.min_programmes}",
                )
            )
        skills = {_key(x) for st in known for x in st.skills}
        for label in ch.required_skills:
            if _key(label) not in skills:
                bad(Violation("skills", f"{ch.id}: nobody in the team has '{label}'"))
        sup = supervisors.get(team.supervisor) if team.supervisor else None
        if sup is None:
            bad(Violation("supervisor", f"{ch.id}: no (known) supervisor"))
        else:
            load[sup.id] += 1
            if (sup.id, ch.id) in forbidden:
                bad(Violation("forbid", f"{ch.id}: supervisor {sup.id} is forbidden here"))
    ends = [begin for _, begin in starts[1:]] + [len(check.violations)] * bool(starts)
    for (cid, begin), end in zip(starts, ends, strict=True):
        check.violations[begin:end] = [
            replace(v, challenge=cid) for v in check.violations[begin:end]
        ]
    for sid, where in member_of.items():
        if len(where) > 1:
            bad(Violation("twice", f"{sid} is in {len(where)} teams: {', '.join(where)}"))
    for vid, n in load.items():
        if n > supervisors[vid].capacity:
            bad(
                Violation(
                    "capacity", f"{vid} supervises {n} teams, capacity {supervisors[vid].capacity}"
                )
            )
    by_challenge = {t.challenge: t for t in teams}
    for pin in instance.pins:
        team = by_challenge.get(pin.challenge)
        if pin.student is not None and (team is None or pin.student not in team.members):
            bad(Violation("pin", f"{pin.student} is pinned to {pin.challenge} but not in it"))
        if pin.supervisor is not None and (team is None or team.supervisor != pin.supervisor):
            bad(Violation("pin", f"{pin.supervisor} is pinned to {pin.challenge} but not on it"))
    _fairness(instance, set(member_of), check)
    return check


def _fairness(instance: Instance, placed: set[str], check: Check) -> None:
    for dim in ("level", "region"):
        groups: dict[str, list[str]] = defaultdict(list)
        for st in instance.students:
            group = st.level if dim == "level" else (st.region or find_place(st.place).province)
            groups[group].append(st.id)
        rates = {
            g: sum(s in placed for s in ids) / len(ids)
            for g, ids in groups.items()
            if len(ids) >= instance.fairness.min_group
        }
        check.rates[dim] = rates
        check.gaps[dim] = (max(rates.values()) - min(rates.values())) if len(rates) > 1 else 0.0


def teams_from_json(data: Mapping) -> list[TeamLike]:
    """Teams from a teams file (`lcmatch allocate` output) for validation."""
    return [
        Team(
            challenge=t["challenge"],
            supervisor=t.get("supervisor"),
            members=tuple(m["student"] if isinstance(m, dict) else m for m in t["members"]),
            staff=tuple(p["id"] if isinstance(p, dict) else p for p in t.get("staff", [])),
        )
        for t in data.get("teams", [])
    ]
