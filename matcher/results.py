"""What a ranking answers: typed matches with their component scores and reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

from matcher.skills import SkillTag

#: The hybrid's components, in the order every score is fused.
COMPONENTS = ("dense", "lexical", "skill")


@dataclass(frozen=True)
class Components:
    """The raw similarity of each component (cosine, 0 to 1 for lexical and skill)."""

    dense: float
    lexical: float
    skill: float


@dataclass(frozen=True)
class Explanation:
    """Why a result matched: the skills both sides have and the words they share."""

    shared_skills: tuple[SkillTag, ...] = ()
    matching_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """One ranked result."""

    id: str
    score: float
    components: Components
    explanation: Explanation = field(default_factory=Explanation)
