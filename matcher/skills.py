"""Skill tagging with the ESCO skill list: which skills a text speaks of, in Dutch or English."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import snowballstemmer

from matcher.errors import MatcherError
from matcher.lexical import STOPWORDS, words
from matcher.paths import esco_skills_path

# Verbs and words so common in skill labels that they tell no skill apart:
# "toxicologische onderzoeken uitvoeren" is recognised from "toxicologische onderzoeken".
_GENERIC = {
    "dutch": """uitvoeren beheren gebruiken bedienen geven controleren toepassen zorgen maken
        opstellen houden bieden voorbereiden inzake volgen helpen werken verrichten
        nemen verstrekken gaan omgaan""",
    "english": """perform use manage apply ensure provide prepare conduct handle
        carry out undertake make keep follow work using""",
}
_LANGUAGE_STEMMER = {"nl": "dutch", "en": "english"}
# Function words that tell a Dutch text from an English one; labels of the other language
# are then left out, so that the English stemmer does not read Dutch words as English stems.
_MARKERS = {
    "nl": frozenset("de het een en van voor met op zijn wij ik is die dat naar bij".split()),
    "en": frozenset("the a an and of for with on are we i is that to at".split()),
}


def guess_languages(text: str, candidates: Sequence[str]) -> list[str]:
    """The languages among `candidates` that a text may be in; all of them when unsure."""
    tokens = words(text)
    counts = {lang: sum(t in _MARKERS.get(lang, ()) for t in tokens) for lang in candidates}
    best = max(counts.values(), default=0)
    if best < 2:
        return list(candidates)
    return [lang for lang, count in counts.items() if count * 2 >= best]


@dataclass(frozen=True)
class Skill:
    """One skill with the labels it is known by."""

    uri: str
    label: str
    labels: dict[str, tuple[str, ...]]  # language code -> labels in that language


@dataclass(frozen=True)
class SkillTag:
    """A skill found in a text, with the label under which it was found."""

    uri: str
    label: str


def load_esco_skills(path: str | Path | None = None) -> list[Skill]:
    """Read the ESCO skill list (JSON lines, optionally gzipped) into Skills."""
    path = Path(path) if path is not None else esco_skills_path()
    if not path.exists():
        raise MatcherError(f"ESCO skill list not found: {path}")
    opener = gzip.open if path.suffix == ".gz" else open
    skills: list[Skill] = []
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                row = json.loads(line)
                dutch = (row["label_nl"],) if row.get("label_nl") else ()
                english = tuple(dict.fromkeys([row["label_en"], *row.get("alt_labels_en", [])]))
                skills.append(
                    Skill(
                        uri=row["uri"],
                        label=row.get("label_nl") or row["label_en"],
                        labels={"nl": dutch, "en": english},
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise MatcherError(
                    f"{path}, line {number}: not a skill record ({error})"
                ) from error
    return skills


class SkillTagger:
    """Tags texts with skills whose label words (stemmed, generic verbs left out) all occur.

    Dutch labels are matched with the Dutch stemmer, English ones with the English stemmer,
    so "warmtepompen installeren" finds "warmtepomp installeren" and "installing heat pumps"
    finds "install heat pumps".
    """

    def __init__(self, *, languages: Sequence[str] = ("nl", "en")) -> None:
        self.languages = languages

    def fit(self, skills: Iterable[Skill] | None = None) -> SkillTagger:
        """Index the skills' labels; the shipped ESCO list when no skills are given."""
        self.skills_ = list(skills) if skills is not None else load_esco_skills()
        self.stemmers_ = {
            language: snowballstemmer.stemmer(_LANGUAGE_STEMMER[language])
            for language in self.languages
        }
        self.stem_cache_: dict[str, dict[str, str]] = {language: {} for language in self.languages}
        # For each language: every label as (skill index, its salient stems), and an
        # inverted index from a stem to the labels that need it.
        self.labels_: dict[str, list[tuple[int, frozenset[str], frozenset[str], str]]] = {}
        self.postings_: dict[str, dict[str, list[int]]] = {}
        for language in self.stemmers_:
            generic = self._stems(_GENERIC[_LANGUAGE_STEMMER[language]], language)
            labelled = [
                (index, label, self._stems(label, language))
                for index, skill in enumerate(self.skills_)
                for label in skill.labels.get(language, ())
            ]
            # How many labels need each word, to tell a telling word from a common one.
            spread: dict[str, int] = defaultdict(int)
            for _index, _label, stems in labelled:
                for stem in stems - generic:
                    spread[stem] += 1
            entries: list[tuple[int, frozenset[str], frozenset[str], str]] = []
            postings: dict[str, list[int]] = defaultdict(list)
            for index, label, all_stems in labelled:
                stems = frozenset(all_stems - generic)
                if len(stems) == 1 and len(all_stems) > 1 and spread[next(iter(stems))] > 15:
                    # "producten voorbereiden" without its verb would be any "producten":
                    # the verb may only go when what remains tells the skill apart.
                    stems = frozenset(all_stems)
                if not stems:
                    continue
                # Every word of the label, generic verbs included: in a text of another
                # language "manage a team" needs "manage" itself, not just "team".
                exact = frozenset(w for w in words(label) if w not in STOPWORDS)
                for stem in stems:
                    postings[stem].append(len(entries))
                entries.append((index, stems, exact, label))
            self.labels_[language] = entries
            self.postings_[language] = dict(postings)
        return self

    def _stems(self, text: str, language: str) -> set[str]:
        # Stemming is the slow part; the same words recur in every label and text.
        cache = self.stem_cache_[language]
        stems = set()
        for word in words(text):
            if word in STOPWORDS or len(word) < 2:
                continue
            stem = cache.get(word)
            if stem is None:
                stem = cache[word] = self.stemmers_[language].stemWord(word)
            stems.add(stem)
        return stems

    def _matches(self, text: str) -> dict[int, str]:
        """Skill index -> the label it was found under."""
        found: dict[int, str] = {}
        likely = guess_languages(text, list(self.stemmers_))
        text_words = set(words(text))
        for language in self.stemmers_:
            stems = self._stems(text, language)
            entries = self.labels_[language]
            postings = self.postings_[language]
            candidates = {entry for stem in stems for entry in postings.get(stem, ())}
            for entry in sorted(candidates):
                index, needed, exact, label = entries[entry]
                if index in found or not needed <= stems:
                    continue
                # In a text of another language, a label counts only when its words stand
                # there unchanged ("Python", "BIM"), not when a stem merely coincides.
                if language in likely or exact <= text_words:
                    found[index] = label
        return found

    def tag(self, text: str) -> list[SkillTag]:
        """The skills the text speaks of, most specific (longest label) first."""
        matches = self._matches(text)
        tags = [SkillTag(self.skills_[index].uri, label) for index, label in matches.items()]
        return sorted(tags, key=lambda tag: (-len(words(tag.label)), tag.label))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """A 0/1 matrix: one row per text, one column per skill."""
        rows, columns = [], []
        for row, text in enumerate(texts):
            for index in self._matches(text):
                rows.append(row)
                columns.append(index)
        data = np.ones(len(rows), dtype=np.float32)
        return sp.csr_matrix((data, (rows, columns)), shape=(len(texts), len(self.skills_)))

    def uri_index(self) -> dict[str, int]:
        """Column of each skill URI in `transform`'s output."""
        return {skill.uri: index for index, skill in enumerate(self.skills_)}


@lru_cache(maxsize=1)
def default_tagger() -> SkillTagger:
    """One tagger over the shipped ESCO list per process (fitting it takes about a second)."""
    return SkillTagger().fit()
