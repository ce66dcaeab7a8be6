"""Synthetic, realistic rounds: Dutch places, ESCO skills, levels, wishes skewed by popularity."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache

import numpy as np

from matcher.allocation.instance import Instance, parse_instance
from matcher.paths import PROJECT_ROOT
from matcher.places import all_places

PROGRAMMES = {
    "mbo": [
        "Monteur elektrotechnische installaties",
        "Eerste monteur woning- en utiliteitsinstallaties",
        "Expert IT systems and devices",
        "Allround operator",
        "Medewerker ICT support",
        "Technicus engineering",
        "Verzorgende IG",
        "Bouwkundig tekenaar",
    ],
    "hbo": [
        "Elektrotechniek",
        "Werktuigbouwkunde",
        "Bouwkunde",
        "HBO-ICT",
        "Built Environment",
        "Bedrijfskunde",
        "Verpleegkunde",
        "Chemie",
    ],
    "wo": [
        "Sustainable Energy Technology",
        "Computer Science",
        "Bouwkunde (TU)",
        "Bedrijfskunde (RU)",
        "Biomedische wetenschappen",
        "Environmental Sciences",
    ],
}
LEVEL_SHARE = {"mbo": 0.45, "hbo": 0.35, "wo": 0.20}
PERIODS = ("februari–juni", "september–januari")


@lru_cache(maxsize=1)
def esco_labels() -> tuple[str, ...]:
    """Dutch ESCO skill labels that ship in data/esco (English where no Dutch label exists)."""
    path = PROJECT_ROOT / "data" / "esco" / "esco-skills.jsonl.gz"
    labels = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            label = row.get("label_nl") or row.get("label_en")
            if label and row.get("skill_type") == "skill/competence":
                labels.append(label)
    return tuple(sorted(set(labels)))


def generate(
    n_students: int,
    n_challenges: int,
    n_supervisors: int,
    *,
    seed: int = 0,
    n_themes: int = 12,
    skills_per_theme: int = 15,
) -> Instance:
    """A round of the given size; the same seed gives the same round."""
    return parse_instance(
        generate_data(
            n_students,
            n_challenges,
            n_supervisors,
            seed=seed,
            n_themes=n_themes,
            skills_per_theme=skills_per_theme,
        )
    )


def generate_data(
    n_students: int,
    n_challenges: int,
    n_supervisors: int,
    *,
    seed: int = 0,
    n_themes: int = 12,
    skills_per_theme: int = 15,
) -> dict:
    """The JSON of a generated round (see `generate`)."""
    rng = np.random.default_rng(seed)
    labels = esco_labels()
    pool = rng.choice(len(labels), size=n_themes * skills_per_theme, replace=False)
    themes = [
        [labels[k] for k in pool[t * skills_per_theme : (t + 1) * skills_per_theme]]
        for t in range(n_themes)
    ]
    places = all_places()[:400]
    weight = np.array([p.population for p in places], dtype=float) ** 0.7
    weight /= weight.sum()
    programme_theme = {
        p: rng.choice(n_themes, size=2, replace=False).tolist()
        for level in PROGRAMMES
        for p in PROGRAMMES[level]
    }

    def pick(theme_ids: list[int], n: int) -> list[str]:
        words = [w for t in theme_ids for w in themes[t]]
        return sorted(set(rng.choice(words, size=n, replace=True).tolist()))

    students = []
    levels = rng.choice(list(LEVEL_SHARE), size=n_students, p=list(LEVEL_SHARE.values()))
    for i in range(n_students):
        level = str(levels[i])
        programme = str(rng.choice(PROGRAMMES[level]))
        own = programme_theme[programme]
        extra = [int(rng.integers(n_themes))]
        periods = [PERIODS[0], PERIODS[1]] if rng.random() < 0.5 else [PERIODS[0]]
        students.append(
            {
                "id": f"s{i:05d}",
                "level": level,
                "programme": programme,
                "place": places[rng.choice(len(places), p=weight)].name,
                "max_travel_km": float(rng.choice([15, 25, 40, 60, 100])),
                "hours": float(rng.choice([8, 12, 16, 20, 24])),
                "periods": periods,
                "skills": pick(own, int(rng.integers(4, 9))) + pick(extra, 1),
            }
        )
    challenges = []
    for j in range(n_challenges):
        theme = int(rng.integers(n_themes))
        team_min = int(rng.choice([2, 3, 3, 4]))
        levels_allowed = [["mbo", "hbo", "wo"], ["mbo", "hbo"], ["hbo", "wo"], ["hbo"]][
            int(rng.choice(4, p=[0.55, 0.2, 0.15, 0.1]))
        ]
        mode = str(rng.choice(["onsite", "hybrid", "remote"], p=[0.6, 0.25, 0.15]))
        challenges.append(
            {
                "id": f"c{j:04d}",
                "title": f"Uitdaging {j}",
                "team_min": team_min,
                "team_max": team_min + int(rng.choice([1, 2, 3])),
                "levels": levels_allowed,
                "min_programmes": int(rng.choice([1, 2, 2, 3])),
                "skills": pick([theme], 6),
                "required_skills": pick([theme], int(rng.choice([0, 1, 1, 2]))),
                "place": places[rng.choice(len(places), p=weight)].name,
                "mode": mode,
                "period": PERIODS[0] if rng.random() < 0.8 else PERIODS[1],
                "hours": float(rng.choice([8, 12, 16])),
            }
        )
    seats = sum(c["team_max"] for c in challenges)
    capacity = max(1, int(np.ceil(1.3 * n_challenges / max(1, n_supervisors))))
    del seats
    supervisors = [
        {
            "id": f"v{k:03d}",
            "name": f"Begeleider {k}",
            "kind": "research_group" if k % 3 else "teacher",
            "capacity": int(capacity + rng.integers(-1, 2)),
            "expertise": pick(rng.choice(n_themes, size=3, replace=False).tolist(), 15),
        }
        for k in range(n_supervisors)
    ]
    # Wishes skewed by popularity: a few challenges draw many students (Zipf-like weights).
    popularity = 1.0 / np.arange(1, n_challenges + 1) ** 0.8
    popularity = popularity[rng.permutation(n_challenges)]
    ch_theme_words = [set(c["skills"]) for c in challenges]
    prefs = {}
    for s in students:
        if rng.random() > 0.8:
            continue
        own = set(s["skills"])
        relevance = np.array([1.0 + 3.0 * len(own & words) for words in ch_theme_words])
        p = popularity * relevance
        p /= p.sum()
        k = int(rng.integers(1, 6))
        prefs[s["id"]] = [
            challenges[j]["id"] for j in rng.choice(n_challenges, size=k, replace=False, p=p)
        ]
    return {
        "name": f"synthetic {n_students}×{n_challenges}×{n_supervisors} seed {seed}",
        "students": students,
        "challenges": challenges,
        "supervisors": supervisors,
        "preferences": {"students": prefs, "sme_marks": {}},
    }
