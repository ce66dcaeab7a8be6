"""A match's strength in the page's words: one wording for students, SMEs and intermediaries."""

from __future__ import annotations

from service.domain.strength import Strength, strength
from service.web.i18n import N_, gettext

WORDS: dict[Strength, str] = {
    "strong": N_("Sterke match"),
    "good": N_("Goede match"),
    "possible": N_("Mogelijke match"),
}


def strength_label(score: float) -> str:
    """The band of a score in the request's language ("Sterke match", "Strong match")."""
    return gettext(WORDS[strength(score)])
