"""Why each team, member and left-out student, and which rule binds: codes with parameters, in
Dutch and English. Diagnoses count eligible students rule by rule; they never guess."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matcher.allocation.prepare import Prepared, skill_key
from matcher.allocation.solve import Proposal

LEVEL_NAMES = {
    "nl": {"mbo": "mbo", "hbo": "hbo", "wo": "wo"},
    "en": {"mbo": "MBO", "hbo": "HBO", "wo": "WO"},
}
KIND_NAMES = {
    "nl": {"research_group": "lectoraat/onderzoeksgroep", "teacher": "docent"},
    "en": {"research_group": "research group", "teacher": "teacher"},
}

TEMPLATES: dict[str, dict[str, str]] = {
    "member.pinned": {"nl": "vastgezet door de intermediair", "en": "pinned by the intermediary"},
    "member.preference": {
        "nl": "had deze uitdaging als keuze {rank}",
        "en": "ranked it choice {rank}",
    },
    "member.sme_mark": {
        "nl": "het mkb wil deze student graag",
        "en": "the SME would love to have this student",
    },
    "member.skills": {"nl": "brengt {skills} mee", "en": "brings {skills}"},
    "member.covers": {
        "nl": "is de enige in het team met {skills}",
        "en": "is the team's only member with {skills}",
    },
    "member.programme": {
        "nl": "brengt de opleiding {programme} in de mix",
        "en": "adds the programme {programme} to the mix",
    },
    "member.distance": {"nl": "woont op {km} km ({place})", "en": "lives {km} km away ({place})"},
    "member.remote": {"nl": "werkt op afstand", "en": "works remotely"},
    "team.covers": {"nl": "dekt {skills}", "en": "covers {skills}"},
    "team.lacks": {"nl": "mist {skills}", "en": "lacks {skills}"},
    "team.supervisor": {
        "nl": "begeleiding: {supervisor} ({kind}), expertise in {skills}",
        "en": "supervised by {supervisor} ({kind}), expertise in {skills}",
    },
    "team.supervisor_plain": {
        "nl": "begeleiding: {supervisor} ({kind})",
        "en": "supervised by {supervisor} ({kind})",
    },
    "challenge.programmes": {
        "nl": "heeft studenten van {needed} opleidingen nodig; {available} beschikbaar",
        "en": "needs students from {needed} programmes; {available} available",
    },
    "challenge.no_supervisor": {
        "nl": "heeft een begeleider met ruimte nodig; geen beschikbaar",
        "en": "needs a supervisor with room; none available",
    },
    "challenge.supervisors_full": {
        "nl": "alle {count} begeleiders zitten vol ({teams} teams)",
        "en": "all {count} supervisors are at capacity ({teams} teams)",
    },
    "challenge.outcompeted": {
        "nl": "{eligible} studenten komen in aanmerking, {taken} daarvan passen beter in een ander "
        "team; met de rest is geen team te vormen dat aan de eisen voldoet",
        "en": "{eligible} students qualify, {taken} of them fit better in another team; the rest "
        "cannot form a team that meets the rules",
    },
    "student.none_at_level": {
        "nl": "geen uitdaging staat open voor {level}",
        "en": "no challenge is open to {level}",
    },
    "student.none_in_reach": {
        "nl": "geen passende uitdaging binnen {km} km van {place}",
        "en": "no suitable challenge within {km} km of {place}",
    },
    "student.none_in_period": {
        "nl": "geen passende uitdaging in {periods}",
        "en": "no suitable challenge in {periods}",
    },
    "student.none_with_hours": {
        "nl": "elke passende uitdaging vraagt meer dan {hours} uur per week",
        "en": "every suitable challenge asks more than {hours} hours a week",
    },
    "student.all_forbidden": {
        "nl": "uitgesloten van elke passende uitdaging",
        "en": "excluded from every suitable challenge",
    },
    "student.eligible_unstaffed": {
        "nl": "geen van de uitdagingen die passen ({challenges}) krijgt een team",
        "en": "none of the challenges that fit ({challenges}) gets a team",
    },
    "student.teams_full": {
        "nl": "de {count} teams die passen zijn gevuld met studenten die beter passen of een "
        "nodige vaardigheid of opleiding meebrengen (beste: {challenge}, jouw fit {fit}, "
        "laagste in dat team {lowest})",
        "en": "the {count} teams that fit are filled with students who fit better or bring a "
        "needed skill or programme (best: {challenge}, your fit {fit}, lowest there {lowest})",
    },
    "infeasible.pin_rule": {
        "nl": "vastgezet: {student} kan niet bij {challenge}: {rule}",
        "en": "pinned: {student} cannot join {challenge}: {rule}",
    },
    "infeasible.pins_exceed_size": {
        "nl": "{count} studenten vastgezet bij {challenge}, maar het team telt hoogstens {max}",
        "en": "{count} students pinned to {challenge}, but its team takes at most {max}",
    },
    "infeasible.pins_exceed_places": {
        "nl": "{count} studenten vastgezet bij {challenge}, maar naast de {staff} eigen "
        "medewerker(s) van de organisatie is er plaats voor hoogstens {max}",
        "en": "{count} students pinned to {challenge}, but beside the organisation's {staff} own "
        "staff there is room for at most {max}",
    },
    "infeasible.pinned_challenge": {
        "nl": "{challenge} is vastgezet maar niet te bemensen: {reason}",
        "en": "{challenge} is pinned but cannot be staffed: {reason}",
    },
    "infeasible.supervisor_capacity": {
        "nl": "{supervisor} is vastgezet bij {count} teams maar begeleidt er hoogstens {capacity}",
        "en": "{supervisor} is pinned to {count} teams but supervises at most {capacity}",
    },
    "infeasible.capacity_total": {
        "nl": "{count} vastgezette teams, maar de begeleiders hebben samen {capacity} plaatsen",
        "en": "{count} pinned teams, but the supervisors have {capacity} places between them",
    },
    "infeasible.combination": {
        "nl": "de vastgezette keuzes samen laten geen team toe voor {challenges}",
        "en": "the pins together leave no valid team for {challenges}",
    },
}

RULES = {
    "level": {"nl": "niveau {level} niet toegestaan", "en": "level {level} not allowed"},
    "place": {
        "nl": "{km} km, meer dan de {max_km} km die de student reist",
        "en": "{km} km, beyond the student's {max_km} km",
    },
    "period": {"nl": "niet beschikbaar in {period}", "en": "not available in {period}"},
    "hours": {
        "nl": "{hours} uur per week, de uitdaging vraagt {needed}",
        "en": "{hours} hours a week, the challenge asks {needed}",
    },
    "forbidden": {"nl": "uitgesloten", "en": "forbidden"},
}


@dataclass(frozen=True)
class Reason:
    """One explanation: a code and its parameters; `text(lang)` renders it."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "nl") -> str:
        """The reason in Dutch ("nl") or English ("en")."""
        if self.code == "challenge.needs":
            return _needs_text(self.params, lang)
        params = {k: _render(v, lang) for k, v in self.params.items() if k != "rule"}
        if self.code == "infeasible.pin_rule":
            rule = self.params["rule"]
            values = {k: _render(v, lang) for k, v in rule["params"].items()}
            if "level" in values:
                values["level"] = LEVEL_NAMES[lang].get(values["level"], values["level"])
            params["rule"] = RULES[rule["code"]][lang].format(**values)
        for key in ("level",):
            if key in params:
                params[key] = LEVEL_NAMES[lang].get(params[key], params[key])
        if "kind" in params:
            params["kind"] = KIND_NAMES[lang].get(params["kind"], params["kind"])
        return TEMPLATES[self.code][lang].format(**params)

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        """JSON: code and params, plus the text in both languages (or the one asked for)."""
        langs = [lang] if lang else ["nl", "en"]
        return {"code": self.code, "params": self.params, **{lg: self.text(lg) for lg in langs}}


def _render(value: Any, lang: str) -> Any:
    if isinstance(value, Reason):
        return value.text(lang)
    if isinstance(value, dict) and "code" in value:
        return Reason(value["code"], value.get("params", {})).text(lang)
    if isinstance(value, list | tuple):
        return ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return value


def _needs_text(p: dict[str, Any], lang: str) -> str:
    """'needs 2 hbo students with 'x' within reach of Oss in februari–juni; 1 available'."""
    n = p["needed"]
    levels = "/".join(LEVEL_NAMES[lang][lv] for lv in p.get("levels", []))
    if lang == "nl":
        noun = (
            ("student" if n == 1 else "studenten")
            if not levels
            else (f"{levels}-student" if n == 1 else f"{levels}-studenten")
        )
        parts = [f"heeft {n} {noun}"]
        if p.get("skill"):
            parts.append(f"met '{p['skill']}'")
        if p.get("place"):
            parts.append(f"die naar {p['place']} kunnen reizen")
        if p.get("period"):
            parts.append(f"in {p['period']}")
        if p.get("hours"):
            parts.append(f"met {_render(float(p['hours']), lang)} uur per week")
        return " ".join(parts) + f" nodig; {p['available']} beschikbaar"
    noun = "student" if n == 1 else "students"
    parts = [f"needs {n} {levels + ' ' if levels else ''}{noun}"]
    if p.get("skill"):
        parts.append(f"with '{p['skill']}'")
    if p.get("place"):
        parts.append(f"who can travel to {p['place']}")
    if p.get("period"):
        parts.append(f"in {p['period']}")
    if p.get("hours"):
        parts.append(f"with {_render(float(p['hours']), lang)} hours a week")
    return " ".join(parts) + f"; {p['available']} available"


# -- diagnoses by counting ---------------------------------------------------------------------


def diagnose_challenge(prepared: Prepared, c: int, proposal: Proposal | None = None) -> Reason:
    """Why challenge `c` has no team: the first rule after which too few students remain."""
    inst = prepared.instance
    ch = inst.challenges[c]
    params: dict[str, Any] = {"needed": ch.students_min, "levels": list(ch.levels)}
    if set(ch.levels) == {"mbo", "hbo", "wo"}:
        params["levels"] = []
    mask = prepared.level_ok[:, c].copy()
    steps = [
        ("place", prepared.place_ok[:, c], ch.place if ch.mode != "remote" else None),
        ("period", prepared.period_ok[:, c], ch.period),
        ("hours", prepared.hours_ok[:, c], ch.hours or None),
        ("forbidden", ~prepared.forbidden[:, c], None),
    ]
    if mask.sum() < ch.students_min:
        return Reason("challenge.needs", {**params, "available": int(mask.sum())})
    for name, ok, value in steps:
        if value is not None:
            params[name] = value
        mask = mask & ok
        if mask.sum() < ch.students_min:
            return Reason("challenge.needs", {**params, "available": int(mask.sum())})
    for label in ch.required_skills:
        holders = prepared.skill_holders[prepared.skill_index[skill_key(label)]]
        count = int(sum(1 for s in np.nonzero(mask)[0].tolist() if s in holders))
        if count == 0:
            return Reason(
                "challenge.needs", {**params, "needed": 1, "skill": label, "available": 0}
            )
    programmes = {inst.students[s].programme for s in np.nonzero(mask)[0].tolist()}
    if len(programmes) < ch.min_programmes:
        return Reason(
            "challenge.programmes", {"needed": ch.min_programmes, "available": len(programmes)}
        )
    usable = [
        v
        for v, sup in enumerate(inst.supervisors)
        if sup.capacity > 0 and not prepared.supervisor_forbidden[v, c]
    ]
    if not usable:
        return Reason("challenge.no_supervisor")
    if proposal is not None:
        load: dict[str, int] = defaultdict(int)
        for team in proposal.teams:
            load[team.supervisor] += 1
        if all(load[inst.supervisors[v].id] >= inst.supervisors[v].capacity for v in usable):
            return Reason(
                "challenge.supervisors_full", {"count": len(usable), "teams": len(proposal.teams)}
            )
        placed = proposal.assignment()
        taken = sum(1 for s in np.nonzero(mask)[0].tolist() if inst.students[s].id in placed)
        return Reason("challenge.outcompeted", {"eligible": int(mask.sum()), "taken": taken})
    return Reason("challenge.outcompeted", {"eligible": int(mask.sum()), "taken": 0})


def diagnose_student(prepared: Prepared, s: int, proposal: Proposal) -> Reason:
    """Why student `s` is in no team: the rule that leaves no challenge, or who took the places."""
    inst = prepared.instance
    st = inst.students[s]
    mask = prepared.level_ok[s].copy()
    if not mask.any():
        return Reason("student.none_at_level", {"level": st.level})
    steps = [
        (
            "student.none_in_reach",
            prepared.place_ok[s],
            {"km": st.max_travel_km, "place": st.place},
        ),
        ("student.none_in_period", prepared.period_ok[s], {"periods": list(st.periods)}),
        ("student.none_with_hours", prepared.hours_ok[s], {"hours": st.hours}),
        ("student.all_forbidden", ~prepared.forbidden[s], {}),
    ]
    for code, ok, params in steps:
        mask = mask & ok
        if not mask.any():
            return Reason(code, params)
    teams = {t.challenge: t for t in proposal.teams}
    eligible = [c for c in np.nonzero(mask)[0].tolist()]
    staffed = [c for c in eligible if inst.challenges[c].id in teams]
    if not staffed:
        ids = [inst.challenges[c].id for c in eligible[:5]]
        return Reason("student.eligible_unstaffed", {"count": len(eligible), "challenges": ids})
    s_of = {x.id: i for i, x in enumerate(inst.students)}
    best = max(staffed, key=lambda c: prepared.fit[s, c])
    lowest = min(prepared.fit[s_of[m], best] for m in teams[inst.challenges[best].id].members)
    return Reason(
        "student.teams_full",
        {
            "count": len(staffed),
            "challenge": inst.challenges[best].id,
            "fit": round(float(prepared.fit[s, best]), 2),
            "lowest": round(float(lowest), 2),
        },
    )


def pin_rule(prepared: Prepared, s: int, c: int) -> dict[str, Any] | None:
    """The first hard rule the pair (s, c) breaks, as {code, params}; None when it keeps them."""
    inst = prepared.instance
    st, ch = inst.students[s], inst.challenges[c]
    if not prepared.level_ok[s, c]:
        return {"code": "level", "params": {"level": st.level}}
    if not prepared.place_ok[s, c]:
        km = round(float(prepared.distance[s, c]), 1)
        return {"code": "place", "params": {"km": km, "max_km": st.max_travel_km}}
    if not prepared.period_ok[s, c]:
        return {"code": "period", "params": {"period": ch.period}}
    if not prepared.hours_ok[s, c]:
        return {"code": "hours", "params": {"hours": st.hours, "needed": ch.hours}}
    if prepared.forbidden[s, c]:
        return {"code": "forbidden", "params": {}}
    return None


def diagnose_infeasible(prepared: Prepared) -> list[Reason]:
    """Why no proposal keeps every pin: each pin that breaks a rule, or the pins' combination."""
    inst = prepared.instance
    reasons: list[Reason] = []
    for s, c in prepared.student_pins.items():
        rule = pin_rule(prepared, s, c)
        if rule is not None:
            reasons.append(
                Reason(
                    "infeasible.pin_rule",
                    {
                        "student": inst.students[s].id,
                        "challenge": inst.challenges[c].id,
                        "rule": rule,
                    },
                )
            )
    per_challenge: dict[int, int] = defaultdict(int)
    for c in prepared.student_pins.values():
        per_challenge[c] += 1
    for c, n in per_challenge.items():
        ch = inst.challenges[c]
        if n > ch.students_max:
            params = {"count": n, "challenge": ch.id, "max": ch.students_max}
            if ch.staff:  # the places its own staff hold are the reason, not the team's size
                reasons.append(
                    Reason("infeasible.pins_exceed_places", {**params, "staff": len(ch.staff)})
                )
            else:
                reasons.append(Reason("infeasible.pins_exceed_size", params))
    pinned = set(per_challenge) | set(prepared.supervisor_pins)
    for c in sorted(pinned):
        reason = diagnose_challenge(prepared, c)
        if reason.code != "challenge.outcompeted":
            reasons.append(
                Reason(
                    "infeasible.pinned_challenge",
                    {"challenge": inst.challenges[c].id, "reason": reason.as_dict()},
                )
            )
    sup_count: dict[int, int] = defaultdict(int)
    for v in prepared.supervisor_pins.values():
        sup_count[v] += 1
    for v, n in sup_count.items():
        if n > inst.supervisors[v].capacity:
            reasons.append(
                Reason(
                    "infeasible.supervisor_capacity",
                    {
                        "supervisor": inst.supervisors[v].id,
                        "count": n,
                        "capacity": inst.supervisors[v].capacity,
                    },
                )
            )
    capacity = sum(v.capacity for v in inst.supervisors)
    if len(pinned) > capacity:
        reasons.append(
            Reason("infeasible.capacity_total", {"count": len(pinned), "capacity": capacity})
        )
    if not reasons:
        ids = [inst.challenges[c].id for c in sorted(pinned)]
        reasons.append(Reason("infeasible.combination", {"challenges": ids}))
    return reasons


# -- the report ---------------------------------------------------------------------------------


def explain_team(
    prepared: Prepared, team_challenge: int, members: list[int], supervisor: int | None
) -> dict[str, Any]:
    """Why each member, what the team covers and lacks, and its supervisor."""
    inst = prepared.instance
    ch = inst.challenges[team_challenge]
    c = team_challenge
    wanted = {skill_key(x): x for x in [*ch.skills, *ch.required_skills]}
    required = {skill_key(x) for x in ch.required_skills}
    own = {s: {skill_key(x) for x in inst.students[s].skills} for s in members}
    covered = set().union(*own.values()) & set(wanted) if members else set()
    pinned = {s for s, pc in prepared.student_pins.items() if pc == c}
    programmes = defaultdict(int)
    for s in members:
        programmes[inst.students[s].programme] += 1
    why: dict[str, list[Reason]] = {}
    for s in members:
        st = inst.students[s]
        rs: list[Reason] = []
        if s in pinned:
            rs.append(Reason("member.pinned"))
        if prepared.pref_rank[s, c]:
            rs.append(Reason("member.preference", {"rank": int(prepared.pref_rank[s, c])}))
        if prepared.marked[s, c]:
            rs.append(Reason("member.sme_mark"))
        only = sorted(
            wanted[k] for k in own[s] & required if all(k not in own[o] for o in members if o != s)
        )
        if only:
            rs.append(Reason("member.covers", {"skills": only}))
        shared = sorted(wanted[k] for k in own[s] & set(wanted))
        if shared:
            rs.append(Reason("member.skills", {"skills": shared}))
        if ch.min_programmes > 1 and programmes[st.programme] == 1:
            rs.append(Reason("member.programme", {"programme": st.programme}))
        if ch.mode == "remote":
            rs.append(Reason("member.remote"))
        else:
            km = round(float(prepared.distance[s, c]), 1)
            rs.append(Reason("member.distance", {"km": km, "place": st.place}))
        why[st.id] = rs
    team: list[Reason] = []
    if covered:
        team.append(Reason("team.covers", {"skills": sorted(wanted[k] for k in covered)}))
    lacks = sorted(wanted[k] for k in set(wanted) - covered)
    if lacks:
        team.append(Reason("team.lacks", {"skills": lacks}))
    if supervisor is not None:
        sup = inst.supervisors[supervisor]
        shared = sorted(wanted[k] for k in {skill_key(x) for x in sup.expertise} & set(wanted))
        params = {"supervisor": sup.name or sup.id, "kind": sup.kind}
        team.append(
            Reason("team.supervisor", {**params, "skills": shared})
            if shared
            else Reason("team.supervisor_plain", params)
        )
    return {"members": why, "team": team}


def _finite(value: float, digits: int) -> float | None:
    """JSON has no NaN or infinity: an unknown bound or gap is null."""
    return round(value, digits) if np.isfinite(value) else None


def report(prepared: Prepared, proposal: Proposal) -> dict[str, Any]:
    """The proposal as JSON: teams with reasons, students left out and unstaffed challenges with
    why, the fairness figures, and the solver's figures."""
    inst = prepared.instance
    s_of = {s.id: i for i, s in enumerate(inst.students)}
    c_of = {c.id: j for j, c in enumerate(inst.challenges)}
    v_of = {v.id: k for k, v in enumerate(inst.supervisors)}
    out: dict[str, Any] = {
        "round": inst.name,
        "status": proposal.status,
        "solver": {
            "name": proposal.solver,
            "objective": _finite(proposal.objective, 3),
            "bound": _finite(proposal.bound, 3),
            "gap": _finite(proposal.gap, 5),
            "seconds": round(proposal.seconds, 3),
            "candidate_pairs": proposal.candidates,
        },
    }
    if proposal.status == "infeasible":
        out["infeasible"] = [r.as_dict() for r in diagnose_infeasible(prepared)]
        return out
    teams = []
    for team in proposal.teams:
        c = c_of[team.challenge]
        members = [s_of[m] for m in team.members]
        v = v_of.get(team.supervisor) if team.supervisor else None
        why = explain_team(prepared, c, members, v)
        teams.append(
            {
                "challenge": team.challenge,
                "supervisor": team.supervisor,
                # The challenge's own people (the SME's employees), who hold places of the team.
                "staff": list(team.staff),
                "members": [
                    {
                        "student": inst.students[s].id,
                        "fit": round(float(prepared.fit[s, c]), 3),
                        "why": [r.as_dict() for r in why["members"][inst.students[s].id]],
                    }
                    for s in members
                ],
                "fit": round(float(np.mean([prepared.fit[s, c] for s in members])), 3),
                "team": [r.as_dict() for r in why["team"]],
            }
        )
    staffed = {t.challenge for t in proposal.teams}
    placed = proposal.assignment()
    out["teams"] = teams
    out["unstaffed"] = [
        {"challenge": ch.id, "why": diagnose_challenge(prepared, j, proposal).as_dict()}
        for j, ch in enumerate(inst.challenges)
        if ch.id not in staffed
    ]
    out["unplaced"] = [
        {"student": st.id, "why": diagnose_student(prepared, i, proposal).as_dict()}
        for i, st in enumerate(inst.students)
        if st.id not in placed
    ]
    out["fairness"] = {"margin": inst.fairness.margin, "excess": proposal.fairness_excess}
    return out
