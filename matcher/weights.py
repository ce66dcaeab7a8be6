"""The hybrid's weights: the shipped fit (`models/fusion.json`) or weights given by hand."""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from matcher.errors import MatcherError
from matcher.paths import PROJECT_ROOT
from matcher.results import COMPONENTS

FUSION_PATH = PROJECT_ROOT / "models" / "fusion.json"
METHODS = ("dense", "lexical", "hybrid")


def learned_weights(path: Path = FUSION_PATH) -> dict[str, float]:
    """The weights `lcmatch train fusion` fitted, read from `path`.

    A missing or unreadable file is an error that says so: ranking on other weights than the
    ones the figures were measured with would go unnoticed."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))["weights"]
        return {name: float(stored[name]) for name in COMPONENTS}
    except FileNotFoundError:
        raise MatcherError(
            f"the fitted fusion weights are missing: {path} (run `lcmatch train fusion`, or "
            "set LCMATCH_WEIGHT_DENSE, LCMATCH_WEIGHT_LEXICAL and LCMATCH_WEIGHT_SKILL)"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise MatcherError(f"the fitted fusion weights in {path} are unusable: {error!r}") from None


@functools.cache
def _shipped() -> dict[str, float]:
    return learned_weights(FUSION_PATH)


@dataclass(frozen=True)
class Weights:
    """How much each component counts in the final score.

    Each component is standardised per query with its mean and spread over the whole corpus
    (`matcher.scoring`) before the weighted sum, so the weights compare like with like.
    `Weights.learned()` gives the fit that ships (`models/fusion.json`, fitted by
    cross-validation on the dev split of the four shared benchmarks; see README).
    """

    dense: float
    lexical: float
    skill: float

    @classmethod
    def learned(cls) -> Weights:
        """The shipped fit; an error naming the file when it is missing."""
        return cls(**_shipped())

    @classmethod
    def for_method(cls, method: str) -> Weights:
        """The weights of a named method: one component alone, or the shipped hybrid."""
        if method == "dense":
            return cls(dense=1.0, lexical=0.0, skill=0.0)
        if method == "lexical":
            return cls(dense=0.0, lexical=1.0, skill=0.0)
        if method == "hybrid":
            return cls.learned()
        raise MatcherError(f"method must be one of {', '.join(METHODS)}, not {method!r}")

    def __post_init__(self) -> None:
        for name in COMPONENTS:
            value = getattr(self, name)
            if not math.isfinite(value):
                raise MatcherError(f"weight {name} must be a finite number, not {value}")
            if value < 0:
                raise MatcherError(f"weight {name} must not be negative")
        if self.dense + self.lexical + self.skill <= 0:
            raise MatcherError("at least one weight must be positive")

    def uses(self, component: str) -> bool:
        """Whether a component counts at all (one with weight 0 is never computed)."""
        return getattr(self, component) > 0
