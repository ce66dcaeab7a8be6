"""Skill tagging with the ESCO skill list: which skills a text speaks of, in Dutch or English."""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import snowballstemmer

from matcher.errors import MatcherError
from matcher.lexical import STOPWORDS, words
from matcher.paths import esco_skills_path

# Verbs that only say a skill is exercised ("uitvoeren": carry out) and words as empty: the words
# around them name the skill, so they may be left out ("toxicologische onderzoeken uitvoeren" is
# recognised from "toxicologische onderzoeken").
_GENERIC = {
    "dutch": """uitvoeren verrichten toepassen maken opstellen houden nemen gaan inzake
        doen afnemen voeren verlenen plegen treffen leveren""",
    "english": """perform use manage apply ensure provide prepare conduct handle
        carry out undertake make keep follow work using""",
}
# Verbs that say what is done with the thing the label names ("beheren", "gebruiken",
# "controleren", "bieden"). Without them a label of one other word would be any mention of that
# thing: "aannemers controleren" in "een aannemer wil ...", "thuiszorg bieden" in "een app voor de
# thuiszorg". So they are left out only where at least two other words remain ("kwaliteit van
# producten controleren" is recognised from "de kwaliteit van producten").
_ACTION = {
    "dutch": """beheren gebruiken bedienen geven controleren zorgen bieden voorbereiden volgen
        helpen werken verstrekken omgaan""",
    "english": "",
}
# Words that name the setting of every challenge rather than a skill: the students are who will
# do the work, so "studenten begeleiden" in "studenten begeleiden kinderen" is no skill wanted.
_SETTING = frozenset("student studenten stagiair stagiairs students student's".split())
# Where a text's sentences end: a label's words must stand in one sentence, not be gathered from
# several ("veiligheid" in one, "gebouwen" in another is no "veiligheid van gebouwen controleren").
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
# A letter joined to a word by a hyphen is part of it: "e-learning" is not "learning".
_JOINED_LETTER = re.compile(r"\b(\w)-(?=\w)")
_WORD = re.compile(r"\w+", re.UNICODE)


def _tokens(text: str) -> list[str]:
    """Lower-cased word tokens, a hyphenated single letter kept with its word."""
    return words(_JOINED_LETTER.sub(r"\1", text))


def _sentences(text: str) -> list[tuple[list[str], set[str]]]:
    """Per sentence of a text: its tokens (as `_tokens`) and those it writes with a capital
    (names and acronyms: "Python", "SQL"). Sentences without a word are left out."""
    found = []
    for sentence in sentences_of(_JOINED_LETTER.sub(r"\1", text)):
        tokens = words(sentence)
        if tokens:
            written = _WORD.findall(sentence)
            found.append((tokens, {w.lower() for w in written if w[0].isupper()}))
    return found


_LANGUAGE_STEMMER = {"nl": "dutch", "en": "english"}
# Languages whose verbs take a "t" in the present tense that the stemmer keeps ("beheert").
_VERB_LAST = frozenset({"nl"})
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


def _dutch_infinitive(finite: str) -> str:
    """The infinitive of a Dutch verb in the present tense's "t" form: "beheert" -> "beheren"
    (a long vowel is written single in the open syllable), "onderzoekt" -> "onderzoeken"."""
    base = finite[:-1]
    if len(base) >= 3 and base[-2] == base[-3] and base[-2] in "aeou" and base[-1] not in "aeiou":
        base = base[:-2] + base[-1]
    return base + "en"


def sentences_of(text: str) -> list[str]:
    """The sentences of a text (split after ".", "!", "?", ";" and at line breaks)."""
    return _SENTENCE_END.split(text)


@dataclass(frozen=True)
class Skill:
    """One skill with the labels it is known by."""

    uri: str
    label: str
    labels: dict[str, tuple[str, ...]]  # language code -> labels in that language
    kind: str = ""  # ESCO's skill type: "skill/competence", "knowledge", ...


@dataclass(frozen=True)
class SkillTag:
    """A skill found in a text, with the label under which it was found."""

    uri: str
    label: str


def shared_tags(
    query_tags: Sequence[SkillTag], has: Callable[[SkillTag], bool]
) -> tuple[SkillTag, ...]:
    """The query's tags that `has` accepts, one per label: several ESCO skills can be found
    under one label ("ICT"), and a reason that repeats itself says nothing more."""
    seen: set[str] = set()
    shared: list[SkillTag] = []
    for tag in query_tags:
        key = tag.label.casefold()
        if key not in seen and has(tag):
            seen.add(key)
            shared.append(tag)
    return tuple(shared)


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
                        kind=row.get("skill_type") or "",
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
        # snowball's stemmers keep the word being stemmed in the stemmer itself: two threads
        # stemming at once (searches tag their queries side by side) get each other's stems.
        self._stemming = threading.Lock()
        # For each language: every label as (skill index, its salient stems), and an
        # inverted index from a stem to the labels that need it.
        self.labels_: dict[str, list[tuple[int, frozenset[str], frozenset[str], str]]] = {}
        self.postings_: dict[str, dict[str, list[int]]] = {}
        # Per language, the entries whose one word is the term for a skill that has no label
        # in the other languages (see `_is_loanword`).
        self.loanwords_: dict[str, frozenset[int]] = {}
        # Per language, the entries that may gather their words from the whole text rather
        # than one sentence (see `_spans_sentences`).
        self.spanning_: dict[str, frozenset[int]] = {}
        for language in self.stemmers_:
            generic = self._stems(_GENERIC[_LANGUAGE_STEMMER[language]], language)
            action_words = frozenset(_ACTION[_LANGUAGE_STEMMER[language]].split())
            action = self._stems(" ".join(action_words), language) - generic
            labelled = [
                (index, label, self._stems(label, language))
                for index, label in self._telling_labels(language)
            ]
            # How many labels need each word, to tell a telling word from a common one.
            spread: dict[str, int] = defaultdict(int)
            for _index, _label, stems in labelled:
                for stem in stems - generic - action:
                    spread[stem] += 1
            entries: list[tuple[int, frozenset[str], frozenset[str], str]] = []
            postings: dict[str, list[int]] = defaultdict(list)
            loanwords: set[int] = set()
            spanning: set[int] = set()
            for index, label, all_stems in labelled:
                stems = frozenset(all_stems - generic - action)
                if len(stems) == 1:
                    # Only the verb itself stays needed, not a noun of its stem ("beheer van
                    # regenwater" is any text about "regenwater").
                    stems |= self._stems(
                        " ".join(w for w in _tokens(label) if w in action_words), language
                    )
                if len(stems) == 1 and len(all_stems) > 1 and spread[next(iter(stems))] > 15:
                    # "producten voorbereiden" without its verb would be any "producten":
                    # the verb may only go when what remains tells the skill apart.
                    stems = frozenset(all_stems)
                if not stems:
                    continue
                # Every word of the label, generic verbs included: in a text of another
                # language "manage a team" needs "manage" itself, not just "team".
                exact = frozenset(w for w in _tokens(label) if w not in STOPWORDS)
                if self._is_loanword(index, label, language):
                    loanwords.add(len(entries))
                if self._spans_sentences(index, label, stems, language):
                    spanning.add(len(entries))
                for stem in stems:
                    postings[stem].append(len(entries))
                entries.append((index, stems, exact, label))
            self.labels_[language] = entries
            self.loanwords_[language] = frozenset(loanwords)
            self.spanning_[language] = frozenset(spanning)
            self.postings_[language] = dict(postings)
        return self

    def _spans_sentences(
        self, index: int, label: str, needed: frozenset[str], language: str
    ) -> bool:
        """Whether a label may be found with its words in different sentences: a competence
        whose verb is needed too ("verpakkingen" in one sentence, "test" in the next), for then
        the text says both what is done and to what. A label found by its nouns alone (a
        piece of knowledge, or a competence whose verb was left out) needs them in one
        sentence: "veiligheid" in one and "gebouwen" in another is no "veiligheid van
        gebouwen controleren"."""
        tokens = _tokens(label)
        if (
            language not in _VERB_LAST
            or self.skills_[index].kind == "knowledge"
            or len(needed) < 2
            or not tokens[-1].endswith("en")
        ):
            return False
        return (
            bool(self._stems(tokens[-1], language)) and self._stems(tokens[-1], language) <= needed
        )

    def _is_loanword(self, index: int, label: str, language: str) -> bool:
        """Whether a label of one word is the term other languages borrow for its skill:
        the skill's own (preferred) label, and the skill has no label in another language
        ("database" in a Dutch text). Other one-word labels of another language count only
        where written as a name ("Python"), since a common word ("plan") may be the text's."""
        skill = self.skills_[index]
        own = skill.labels.get(language, ())
        if len(_tokens(label)) != 1 or not own or own[0] != label:
            return False
        return not any(skill.labels.get(other) for other in self.languages if other != language)

    def _telling_labels(self, language: str) -> list[tuple[int, str]]:
        """(skill index, label) of the language's labels that can tell their skill.

        Left out: a label several skills carry, except for the skill whose own (preferred)
        label it is ("ICT" is an alternative label of four skills, "SQL" that of a database
        system besides the language); fragments that begin or end with a function word
        ("and procedures"); and labels that need a word of the setting ("studenten").
        """
        carriers: dict[str, set[int]] = defaultdict(set)
        for index, skill in enumerate(self.skills_):
            for label in skill.labels.get(language, ()):
                carriers[label.casefold()].add(index)
        kept: list[tuple[int, str]] = []
        for index, skill in enumerate(self.skills_):
            own = skill.labels.get(language, ())
            for label in own:
                tokens = words(label)
                if not tokens or tokens[0] in STOPWORDS or tokens[-1] in STOPWORDS:
                    continue
                if _SETTING.intersection(tokens):
                    continue
                shared = len(carriers[label.casefold()]) > 1
                if shared and label.casefold() != own[0].casefold():
                    continue
                kept.append((index, label))
        return kept

    def _stems(self, text: str, language: str) -> set[str]:
        # Stemming is the slow part; the same words recur in every label and text.
        stems = set()
        for word in _tokens(text):
            if word in STOPWORDS or len(word) < 2:
                continue
            stems.add(self._stem(word, language))
        return stems

    def _matches(self, text: str) -> dict[int, str]:
        """Skill index -> the label it was found under."""
        found: dict[int, str] = {}
        likely = guess_languages(text, list(self.stemmers_))
        # Each sentence, and the whole text for the labels that may span sentences.
        sentences = [(set(tokens), capitals, False) for tokens, capitals in _sentences(text)]
        units = [
            *sentences,
            (
                set().union(*(tokens for tokens, _c, _w in sentences)),
                set().union(*(capitals for _t, capitals, _w in sentences)),
                True,
            ),
        ]
        for language in self.stemmers_:
            entries = self.labels_[language]
            postings = self.postings_[language]
            loanwords = self.loanwords_[language]
            spanning = self.spanning_[language]
            for text_words, capitals, whole in units:
                stems = {
                    self._text_stem(word, language)
                    for word in text_words
                    if word not in STOPWORDS and len(word) >= 2
                }
                candidates = {entry for stem in stems for entry in postings.get(stem, ())}
                for entry in sorted(candidates):
                    index, needed, exact, label = entries[entry]
                    if index in found or (entry in spanning) != whole or not needed <= stems:
                        continue
                    # In a text of another language, a label counts only when its words stand
                    # there unchanged ("Python", "BIM"), not when a stem merely coincides; a
                    # label of one word only where it is written as a name, with a capital
                    # ("Python", "SQL"), for a common word ("plan") may be the text's own.
                    if language in likely or (
                        exact <= text_words
                        and (len(exact) != 1 or exact <= capitals or entry in loanwords)
                    ):
                        found[index] = label
        return found

    def _text_stem(self, word: str, language: str) -> str:
        """The stem of a word of a text as the labels have it. The stemmer keeps the plural
        "s" of loanwords ("energieaudits") and the "t" of a Dutch verb's present tense
        ("analyseert", "beheert"); where the stem is none a label needs, the singular or the
        infinitive ("beheren") stands for it."""
        stem = self._stem(word, language)
        postings = self.postings_[language]
        if stem in postings:
            return stem
        if word.endswith(("s", "t")) and stem.endswith(word[-1]) and stem[:-1] in postings:
            return stem[:-1]
        if language in _VERB_LAST and word.endswith("t") and len(word) > 4:
            infinitive = self._stem(_dutch_infinitive(word), language)
            if infinitive in postings:
                return infinitive
        return stem

    def _stem(self, word: str, language: str) -> str:
        cache = self.stem_cache_[language]
        stem = cache.get(word)
        if stem is None:
            with self._stemming:  # one thread at a time: see `fit`
                stem = self.stemmers_[language].stemWord(word)
            cache[word] = stem
        return stem

    def tag(self, text: str) -> list[SkillTag]:
        """The skills the text speaks of, most specific (longest label) first."""
        matches = self._matches(text)
        tags = [SkillTag(self.skills_[index].uri, label) for index, label in matches.items()]
        return sorted(tags, key=lambda tag: (-len(words(tag.label)), tag.label))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """A 0/1 matrix: one row per text, one column per skill: the skills `tag` finds.

        All texts at once, with sparse products instead of a loop over each text's candidate
        labels: the service tags every stored profile when it learns its weights (90k of
        them at start-up), which took minutes one text at a time.
        """
        texts = list(texts)
        found = sp.csr_matrix((len(texts), len(self.skills_)), dtype=np.float32)
        # The sentences are tagged, and each text as the union of its sentences' words (for
        # the labels that may span sentences, see `_spans_sentences`).
        owners: list[int] = []
        tokens: list[list[str]] = []
        capitals: list[list[str]] = []
        for row, text in enumerate(texts):
            for sentence_tokens, sentence_capitals in _sentences(text):
                owners.append(row)
                tokens.append(sentence_tokens)
                capitals.append(sorted(sentence_capitals))
        if not owners:
            return found
        owner = np.asarray(owners)
        gather = sp.csr_matrix(
            (np.ones(len(owners), np.float32), (owner, np.arange(len(owners)))),
            shape=(len(texts), len(owners)),
        )
        batch = _WordBatch(tokens)
        capital_batch = _WordBatch(capitals)
        likely = self._likely(batch, gather)
        for language in self.stemmers_:
            labels = self._label_matrices(language)
            indicators = (
                batch.indicator(
                    lambda word, lang=language: self._salient_column(word, lang),
                    labels.stems.shape[1],
                ),
                batch.indicator(labels.word_columns.get, labels.words.shape[1]),
                capital_batch.indicator(labels.word_columns.get, labels.words.shape[1]),
            )
            in_sentences = _passing(labels, *indicators, likely[language][owner])
            in_texts = _passing(
                labels, *(_present(gather @ m) for m in indicators), likely[language]
            )
            spans = labels.spanning.astype(np.float32)
            found = found + gather @ (in_sentences @ sp.diags(1.0 - spans) @ labels.skills)
            found = found + in_texts @ sp.diags(spans) @ labels.skills
        found = sp.csr_matrix(found)
        found.eliminate_zeros()
        found.data[:] = 1.0
        return found

    def _likely(self, batch: _WordBatch, gather: sp.csr_matrix) -> dict[str, np.ndarray]:
        """Per language, which texts may be in it (`guess_languages`, for all texts at once),
        from the batch of their sentences (`gather`: texts x sentences)."""
        languages = list(self.stemmers_)
        counts = {
            language: gather
            @ batch.counts(lambda word, lang=language: word in _MARKERS.get(lang, ()))
            for language in languages
        }
        best = np.max(np.stack(list(counts.values())), axis=0)
        unsure = best < 2
        return {language: unsure | (counts[language] * 2 >= best) for language in languages}

    def _salient_column(self, word: str, language: str) -> int | None:
        """Column of the word's stem among the labels' stems (None: no label needs it)."""
        if word in STOPWORDS or len(word) < 2:
            return None
        return self._label_matrices(language).stem_columns.get(self._text_stem(word, language))

    def _label_matrices(self, language: str) -> _LabelMatrices:
        """The labels of one language as sparse matrices (made once, on first use)."""
        made = self.__dict__.setdefault("_matrices", {})
        if language not in made:
            made[language] = _LabelMatrices.of(
                self.labels_[language],
                len(self.skills_),
                self.loanwords_[language],
                self.spanning_[language],
            )
        return made[language]

    def uri_index(self) -> dict[str, int]:
        """Column of each skill URI in `transform`'s output."""
        return {skill.uri: index for index, skill in enumerate(self.skills_)}


def _present(counts: sp.spmatrix) -> sp.csr_matrix:
    """1 where a count is positive."""
    present = sp.csr_matrix(counts)
    present.data[:] = 1.0
    return present


def _passing(
    labels: _LabelMatrices,
    stems: sp.csr_matrix,
    exact: sp.csr_matrix,
    capital: sp.csr_matrix,
    likely: np.ndarray,
) -> sp.csr_matrix:
    """Units (sentences or texts) x labels: 1 where the label is found (see `_matches`).

    `stems`, `exact` and `capital` mark the label stems, words and capitalised words present
    in each unit; `likely` whether each unit may be in the labels' language.
    """
    hits = _complete(stems @ labels.stems.T, labels.stem_counts)
    rows = np.repeat(np.arange(hits.shape[0]), np.diff(hits.indptr))
    passing = hits.copy()
    passing.data = (likely[rows] | labels.no_words[hits.indices]).astype(np.float32)
    others = np.flatnonzero(~likely)
    if not others.size:
        return passing
    # A label in another language than the unit's counts only where all its words stand
    # there unchanged, and a label of one word only where written as a name (or a loanword).
    verbatim = _complete(exact[others] @ labels.words.T, labels.word_counts)
    named = _complete(capital[others] @ labels.words.T, labels.word_counts)
    verbatim = verbatim @ sp.diags((~labels.single).astype(np.float32)) + named @ sp.diags(
        labels.single.astype(np.float32)
    )
    back = sp.csr_matrix(
        (np.ones(others.size, np.float32), (others, np.arange(others.size))),
        shape=(hits.shape[0], others.size),
    )
    return sp.csr_matrix(passing + hits.multiply(back @ verbatim))


def _complete(products: sp.spmatrix, needed: np.ndarray) -> sp.csr_matrix:
    """Of (texts x labels) counts of a label's words present, 1 where all of them are."""
    products = sp.csr_matrix(products)
    products.data = (products.data == needed[products.indices]).astype(np.float32)
    products.eliminate_zeros()
    return products


class _WordBatch:
    """The words of many texts, each distinct word once, for sparse per-word lookups."""

    def __init__(self, texts: list[list[str]]) -> None:
        self.columns: dict[str, int] = {}
        indptr, indices, counts = [0], [], []
        for text in texts:
            for word, count in Counter(text).items():
                indices.append(self.columns.setdefault(word, len(self.columns)))
                counts.append(count)
            indptr.append(len(indices))
        self.matrix = sp.csr_matrix(
            (np.asarray(counts, np.float32), indices, indptr), shape=(len(texts), len(self.columns))
        )

    def indicator(self, column_of: Callable[[str], int | None], width: int) -> sp.csr_matrix:
        """Texts x columns: 1 where a word of the text maps to the column (`column_of`)."""
        rows, columns = [], []
        for word, row in self.columns.items():
            column = column_of(word)
            if column is not None:
                rows.append(row)
                columns.append(column)
        mapping = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, columns)), shape=(len(self.columns), width)
        )
        present = sp.csr_matrix(self.matrix @ mapping)
        present.data[:] = 1.0
        return present

    def counts(self, counted: Callable[[str], bool]) -> np.ndarray:
        """Per text, how many of its words (with repeats) are `counted`."""
        chosen = np.array([counted(word) for word in self.columns], dtype=np.float32)
        return self.matrix @ chosen if chosen.size else np.zeros(self.matrix.shape[0])


@dataclass(frozen=True)
class _LabelMatrices:
    """One language's labels as sparse matrices: the stems and words each needs, its skill."""

    stem_columns: dict[str, int]
    stems: sp.csr_matrix  # labels x stems
    stem_counts: np.ndarray
    word_columns: dict[str, int]
    words: sp.csr_matrix  # labels x words
    word_counts: np.ndarray
    no_words: np.ndarray  # labels without a word to match verbatim (always allowed)
    single: np.ndarray  # labels of one word, not loanwords: verbatim only with a capital
    spanning: np.ndarray  # labels whose words may stand in different sentences
    skills: sp.csr_matrix  # labels x skills

    @classmethod
    def of(
        cls,
        entries: list[tuple[int, frozenset[str], frozenset[str], str]],
        skills: int,
        loanwords: frozenset[int] = frozenset(),
        spanning: frozenset[int] = frozenset(),
    ):
        stem_columns: dict[str, int] = {}
        word_columns: dict[str, int] = {}

        def incidence(sets: list[frozenset[str]], columns: dict[str, int]) -> sp.csr_matrix:
            rows = [row for row, items in enumerate(sets) for _ in items]
            cols = [columns.setdefault(item, len(columns)) for items in sets for item in items]
            return sp.csr_matrix(
                (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(sets), len(columns))
            )

        stems = incidence([entry[1] for entry in entries], stem_columns)
        words_ = incidence([entry[2] for entry in entries], word_columns)
        word_counts = np.array([len(entry[2]) for entry in entries], dtype=np.float32)
        labelled = [entry[0] for entry in entries]
        return cls(
            stem_columns=stem_columns,
            stems=stems,
            stem_counts=np.array([len(entry[1]) for entry in entries], dtype=np.float32),
            word_columns=word_columns,
            words=words_,
            word_counts=word_counts,
            no_words=word_counts == 0,
            single=(word_counts == 1) & ~np.isin(np.arange(len(entries)), list(loanwords)),
            spanning=np.isin(np.arange(len(entries)), list(spanning)),
            skills=sp.csr_matrix(
                (np.ones(len(labelled), np.float32), (np.arange(len(labelled)), labelled)),
                shape=(len(labelled), skills),
            ),
        )


@lru_cache(maxsize=1)
def default_tagger() -> SkillTagger:
    """One tagger over the shipped ESCO list per process (fitting it takes about a second)."""
    return SkillTagger().fit()
