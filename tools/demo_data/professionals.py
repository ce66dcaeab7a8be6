"""SME professionals (werknemers and leidinggevenden) who join teams and learn beside students."""

from __future__ import annotations

import random
from typing import Any

from tools.demo_data.records import email_local_part
from tools.demo_data.sources import Sources
from tools.demo_data.students import weighted


def skill_pool(challenges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The distinct wanted skills of these challenges, in first-seen order."""
    pool: list[dict[str, Any]] = []
    for challenge in challenges:
        pool += [s for s in challenge["wanted_skills"] if s not in pool]
    return pool


def person_name(rng: random.Random, sources: Sources, taken: set[str]) -> str:
    """A fictional full name from the name groups that no one else in the set has."""
    groups = sources.name_groups
    while True:
        group = weighted(rng, groups, [g.weight for g in groups])
        name = f"{rng.choice(group.first)} {rng.choice(group.last)}"
        if name not in taken:
            taken.add(name)
            return name


def build_professionals(
    sources: Sources, data: dict[str, list[dict[str, Any]]], taken_names: set[str]
) -> list[dict[str, Any]]:
    """One leidinggevende and a few werknemers per SME, with skills they bring and want to learn."""
    rules = sources.professionals
    rng = random.Random(rules["seed"])
    titles = rules["manager_titles"]
    professionals = []
    for sme in (o for o in data["organisations"] if o["kind"] == "sme"):
        own = [c for c in data["challenges"] if c["organisation_id"] == sme["id"]]
        others = [
            c
            for c in data["challenges"]
            if c["community_id"] == own[0]["community_id"] and c["organisation_id"] != sme["id"]
        ]
        bring, learn = skill_pool(own), [s for s in skill_pool(others) if s not in skill_pool(own)]
        counts = rules["employees_per_sme"]
        employees = weighted(rng, [n for n, _ in counts], [w for _, w in counts])
        for position in range(1 + employees):
            manager = position == 0
            if manager:
                size = "small" if sme["size_employees"] < titles["small_below"] else "large"
                job = rng.choice(titles[size])
            else:
                job = rng.choice(rules["employee_titles"][own[0]["themes"][0]])
            skills = rng.sample(bring, min(len(bring), rng.randint(2, 4)))
            wishes = rng.sample(learn, 2)
            name = person_name(rng, sources, taken_names)
            context = {
                "functie": job,
                "bedrijf": sme["name"],
                "kan": " en ".join(s["label"] for s in skills[:2]),
                "wil": wishes[0]["label"],
            }
            about = " ".join(
                rng.choice(rules[part]).format(**context) for part in ("about", "wish")
            )
            professionals.append(
                {
                    "id": f"pro-{len(professionals) + 1:03d}",
                    "organisation_id": sme["id"],
                    "community_ids": sme["community_ids"],
                    "full_name": name,
                    "email": f"{email_local_part(name)}@example.nl",
                    "role": "leidinggevende" if manager else "werknemer",
                    "job_title": job,
                    "about": about,
                    "skills": skills,
                    "learning_wishes": wishes,
                    "place": sme["city"],
                }
            )
    return professionals
