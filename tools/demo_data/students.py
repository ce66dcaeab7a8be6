"""The 300 generated students: hand-written material per programme combined with a seeded RNG."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TypeVar

from tools.demo_data.sources import Institution, Programme, Sources

T = TypeVar("T")


def period_end(start: dt.date, weeks: int) -> dt.date:
    """The Friday of the last week of a period that starts on a Monday."""
    return start + dt.timedelta(weeks=weeks) - dt.timedelta(days=3)


def weighted(rng: random.Random, options: list[T], weights: list[int]) -> T:
    """One weighted choice; a thin wrapper so the call sites read clearly."""
    return rng.choices(options, weights=weights, k=1)[0]


def wish_for(rng: random.Random, level: str, year: int) -> str:
    """What a student looks for, following the usual rhythm of Dutch programmes."""
    if level == "mbo":  # mbo has internships (bpv) from the first year, no graduation project
        return "stage" if rng.random() < (0.3 if year == 1 else 0.8) else "opdracht"
    if level == "hbo":  # year 1 small assignments, years 2-3 internships, year 4 graduation
        if year == 4:
            return "afstuderen" if rng.random() < 0.8 else "opdracht"
        internship = {1: 0.0, 2: 0.4, 3: 0.7}[year]
        return "stage" if rng.random() < internship else "opdracht"
    # wo: small projects in the bachelor, a graduation project in the master
    return "afstuderen" if year >= 4 and rng.random() < 0.7 else "opdracht"


def availability(
    rng: random.Random, rules: dict[str, Any], level: str, wish: str
) -> tuple[dt.date, dt.date, int]:
    """Available from, available until and hours per week for this kind of wish."""
    if wish == "opdracht":
        start = dt.date.fromisoformat(rng.choice(rules["assignment_starts"]))
        weeks = rng.choice((10, 12, 16))
        hours = rng.choice((8, 8, 12, 12, 16, 16, 20))
    elif wish == "stage":
        start = dt.date.fromisoformat(rng.choice(rules["internship_starts"]))
        weeks = 20
        hours = rng.choice((32, 32, 36, 40))
    else:
        start = dt.date.fromisoformat(rng.choice(rules["graduation_starts"]))
        weeks = 24 if level == "wo" else 20
        hours = rng.choice((36, 40, 40))
    if start.month == 9:  # keep an autumn window inside 2027
        weeks = min(weeks, 15)
    return start, period_end(start, weeks), hours


def wish_phrase(wish: str, level: str, english: bool) -> str:
    """How the student names what they look for, in the text of the about me."""
    if english:
        return "a graduation project" if wish == "afstuderen" else "a project next to my studies"
    if wish == "opdracht":
        return "een opdracht naast mijn studie"
    if wish == "stage":
        return "een stageplek" if level == "mbo" else "een stage"
    return "een afstudeerproject voor mijn master" if level == "wo" else "een afstudeeropdracht"


def compose_about(
    rng: random.Random, texts: dict[str, Any], ctx: dict[str, str], focus: list[str], english: bool
) -> str:
    """Two or three sentences: one intro, then motivation and/or a wish, never a tag twice.

    Each sentence that mentions what the student likes takes the next phrase from `focus`,
    so a text never repeats itself.
    """
    language = "en" if english else "nl"
    intro, motivation, wish = (
        [(t["text"], t.get("tag", "")) for t in texts[f"{part}_{language}"]]
        for part in ("intro", "motivation", "wish")
    )
    used: set[str] = set()  # tags and template texts already in this text

    def pick(templates: list[tuple[str, str]]) -> str:
        usable = [
            text
            for text, tag in templates
            if text not in used
            and not (tag in ("wens", "plaats") and tag in used)
            and not (tag == "taal" and "taal" not in ctx)
            and not (tag == "ervaring" and "ervaring" not in ctx)
        ]
        text = rng.choice(usable)
        used.add(text)
        used.update(tag for t, tag in templates if t == text and tag)
        if "{focus}" in text:
            return text.format(**ctx, focus=focus.pop())
        return text.format(**ctx)

    sentences = [pick(intro)]
    shape = rng.choice(("mw", "mw", "m", "w", "mm"))
    sentences += [pick(motivation if part == "m" else wish) for part in shape]
    return " ".join(sentences)


def with_article(name: str) -> str:
    """Dutch says "aan de Universiteit Domstad" but "bij Hogeschool Domstad" and "bij ROC X"."""
    return f"de {name}" if name.startswith(("Universiteit", "Technische Universiteit")) else name


def short_programme(name: str) -> str:
    """Programme name without the level in brackets: "Bouwkunde (hbo)" -> "Bouwkunde"."""
    return name.split(" (")[0]


class StudentBuilder:
    """Builds students one by one from the sources; one RNG drives every choice, in order."""

    def __init__(self, sources: Sources, rng: random.Random, reserved_names: set[str]) -> None:
        self.sources = sources
        self.rng = rng
        self.taken_names = set(reserved_names)  # never reuse a contact's or demo user's name
        self.institutions = {i.id: i for i in sources.institutions}

    def name(
        self, programme: Programme, institution: Institution
    ) -> tuple[str, str, str | None, bool]:
        """First name, full name, family language and whether the student is international."""
        rng, names = self.rng, self.sources.names
        if programme.international and rng.random() < programme.international:
            group = rng.choice(names["international_names"])
            first = rng.choice(group["first"])
            return first, f"{first} {rng.choice(group['last'])}", group["language"], True
        groups = self.sources.name_groups
        group = weighted(rng, groups, [g.weight for g in groups])
        first = rng.choice(group.first)
        if group.regional and rng.random() < 0.4:
            last = rng.choice(names["regional_surnames"][institution.surname_region])
        else:
            last = rng.choice(group.last)
        return first, f"{first} {last}", group.language, False

    def student(self, number: int, level: str) -> dict[str, Any]:
        """One student profile with a unique full name."""
        rng, sources, texts = self.rng, self.sources, self.sources.texts
        programmes = [p for p in sources.programmes if p.level == level]
        programme = weighted(rng, programmes, [p.weight for p in programmes])
        institution = self.institutions[rng.choice(programme.institutions)]
        communities = [
            c
            for c in sources.community_order
            if c in institution.community_ids and c in programme.community_ids
        ]
        if len(communities) > 1 and rng.random() < 0.65:  # most students join one community
            communities = [rng.choice(communities)]
        while True:
            first, full_name, family_language, international = self.name(programme, institution)
            if full_name not in self.taken_names:
                self.taken_names.add(full_name)
                break
        year = weighted(rng, [y for y, _ in programme.years], [w for _, w in programme.years])
        master = level == "wo" and year >= 4
        wish = wish_for(rng, level, year)
        start, until, hours = availability(rng, sources.rules, level, wish)

        if international:
            languages = ["en", family_language]
            home = institution.towns[0]  # newcomers live near the campus
        else:
            languages = ["nl"]
            if rng.random() < {"mbo": 0.75, "hbo": 0.95, "wo": 1.0}[level]:
                languages.append("en")
            if rng.random() < 0.1:
                languages.append("de")
            if family_language and rng.random() < 0.5:
                languages.append(family_language)
            home = rng.choice(institution.towns)

        skills = rng.sample(programme.skills, rng.randint(4, min(7, len(programme.skills))))
        if rng.random() < 0.5:
            generic = sources.rules["generic_skills"]
            skills.append(rng.choice([s for s in generic if s not in skills]))
        if "en" in languages and rng.random() < (0.9 if international else 0.25):
            skills.append("Engels")
        if "de" in languages and rng.random() < 0.5:
            skills.append("Duits")
        n_interests = rng.randint(3, min(4, len(programme.interests)))
        interests = rng.sample(programme.interests, n_interests)

        english = international
        focus = list(programme.focus_en if english else programme.focus)
        rng.shuffle(focus)
        ordinal = texts["ordinals"][year - 1]
        short = short_programme(programme.name)
        ctx = {
            "naam": first,
            "opleiding": short,
            "instelling": institution.name if english else with_article(institution.name),
            "fase": f"in de master {short}" if master else f"in het {ordinal} jaar van {short}",
            "fase_kort": "in de master" if master else f"in het {ordinal} jaar",
            "jaars": "masterstudent" if master else f"{ordinal}jaarsstudent",
            "vooropleiding": rng.choice(texts["prior_education"]["master" if master else level]),
            "interesse": rng.choice(interests),
            "hobby": rng.choice(texts["hobbies"]),
            "leer": rng.choice(texts["lessons"]),
            "eigenschap": rng.choice(texts["traits"]),
            "werkstijl": rng.choice(texts["work_styles"]),
            "wens": wish_phrase(wish, level, english),
            "plaats": home,
            "maand": texts["months_en" if english else "months_nl"][start.month - 1],
            "uren": str(hours),
        }
        extra = [lang for lang in languages if lang not in ("nl", "en")]
        if extra and not english:
            ctx["taal"] = sources.names["language_names_nl"][extra[-1]]
        if level != "wo" and year >= 2:  # has done an internship before
            ctx["ervaring"] = "ja"

        where = f"student stu-{number:03d} ({programme.name})"
        return {
            "id": f"stu-{number:03d}",
            "community_ids": communities,
            "full_name": full_name,
            "programme": programme.name,
            "institution": institution.name,
            "level": level,
            "year": year,
            "skills": [sources.skills.skill(label, where) for label in skills],
            "interests": interests,
            "about": compose_about(rng, texts, ctx, focus, english),
            "languages": languages,
            "available_from": start.isoformat(),
            "available_until": until.isoformat(),
            "hours_per_week": hours,
            "region": home,
            "travel_km": rng.choice(sources.rules["travel_km"][level]),
            "consent_matching": True,
            "visibility": weighted(rng, ["community_after_approval", "intermediaries"], [6, 4]),
        }


def build_students(sources: Sources, reserved_names: set[str]) -> list[dict[str, Any]]:
    """The students: levels in the agreed proportions, in shuffled order, some without consent."""
    rng = random.Random(sources.rules["seed"])
    rules = sources.rules
    levels = [level for level, count in rules["level_counts"].items() for _ in range(count)]
    rng.shuffle(levels)
    builder = StudentBuilder(sources, rng, reserved_names)
    students = [builder.student(n, level) for n, level in enumerate(levels, 1)]
    for index in rng.sample(range(len(students)), rules["students_without_consent"]):
        students[index]["consent_matching"] = False
    return students
