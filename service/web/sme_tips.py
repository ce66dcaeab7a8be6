"""The tips beside the challenge form: what makes the challenge thin, field by field.

One rule set for both ways the tips are drawn: the form page rendered by the server (a first
visit, a failed submit) and the tips redrawn while the SME fills the form in (htmx posts the
form to `/sme/challenges/tips` whenever a field changes, and to `/sme/challenges/assist` as
the text is typed; both render these rules).
"""

from __future__ import annotations

from dataclasses import dataclass

from service.web.i18n import gettext
from service.web.sme_form import ChallengeForm

#: A description shorter than this many words gets a tip: too thin to match on.
MIN_DESCRIPTION_WORDS = 60
#: Words that name something a student hands over, in Dutch and in English (a challenge may
#: be written in either); a description without any gets a tip.
DELIVERABLE_WORDS = frozenset(
    """rapport verslag advies adviesrapport ontwerp prototype plan plannen model app website
    dashboard onderzoek analyse handleiding product producten proefopzet tekening tekeningen
    berekening berekeningen presentatie demonstrator tool campagne
    report advice design designs prototypes plans models study analysis manual products
    drawing drawings calculation calculations presentation tools campaign""".split()
)


@dataclass(frozen=True)
class Tip:
    field: str
    message: str


def guidance_tips(form: ChallengeForm) -> list[Tip]:
    """What makes this challenge thin, field by field, in the user's language."""
    values = form.values
    tips: list[Tip] = []
    words = values["description"].split()
    if len(words) < MIN_DESCRIPTION_WORDS:
        message = gettext(
            "De omschrijving is kort (%(count)s woorden). Met minstens %(min)s woorden over het "
            "doel, de aanpak en het resultaat vindt de matcher betere kandidaten."
        ) % {"count": len(words), "min": MIN_DESCRIPTION_WORDS}
        tips.append(Tip("description", message))
    if not DELIVERABLE_WORDS & {w.strip(".,;:()").casefold() for w in words}:
        message = gettext(
            "Noem wat de student oplevert: een rapport, een ontwerp, een prototype, een advies …"
        )
        tips.append(Tip("description", message))
    if values["level"] == "any":
        message = gettext(
            "Kies een niveau (mbo, hbo of wo) als u weet wat past: dan kloppen de matches beter."
        )
        tips.append(Tip("level", message))
    if not (values["period_start"] and values["period_end"]):
        message = gettext("Geef een periode op: studenten worden gematcht op hun beschikbaarheid.")
        tips.append(Tip("period_start", message))
    # Work that is not wholly remote is matched on how far students travel to it.
    if not values["place"] and values["remote"] != "remote":
        message = gettext(
            "Geef een plaats op: dan weegt de matcher mee hoe ver studenten moeten reizen."
        )
        tips.append(Tip("place", message))
    if not any(skill.chosen for skill in form.skills):
        message = gettext(
            "Er zijn nog geen vaardigheden gekozen. Beschrijf het werk concreet, "
            "of voeg er een toe."
        )
        tips.append(Tip("skills", message))
    return tips
