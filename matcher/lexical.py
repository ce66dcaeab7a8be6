"""Lexical matching: character n-gram TF-IDF, so Dutch compounds match their parts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.encoders import check_texts

_WORD = re.compile(r"\w+", re.UNICODE)

# Words that carry no match on their own; a match resting on "de" or "and" explains nothing.
STOPWORDS = frozenset(
    """
    de het een en of in op aan van voor met door bij naar uit over onder tot als om te zijn is
    die dat dit deze wat wie wij we ze zij hij ik je jij u ons onze hun hen er dan ook niet
    geen maar wel nog al meer zo zoals waar wordt worden werd kan kunnen moet moeten zal zullen
    heeft hebben had word the a an and or of to in on for with by at from as is are be this that
    """.split()
)


# Words that do occur in both texts but say nothing about why they fit: the labels of the text
# views ("Vaardigheden:", "Interesses:") and the filler of job ads and profiles.
FILLER = frozenset(
    """
    student studenten zoeken zoek zoekt zoeker willen wil wilt graag vaardigheden gevraagde
    interesses thema thema's themas werkt werken werk kleine klein grote groot nieuwe nieuw
    goed goede mijn mij jouw jullie hoe veel vooral echt leuk leuke leukste bedrijf opdracht
    project projecten ervaring
    """.split()
    # Levels and kinds of school: the level constraint already says whether they fit, and as
    # a shared word "mbo" says no more than that both sides are in Dutch education.
    + """mbo hbo roc hogeschool universiteit""".split()
    # Time: hours a week and the year of study are constraints or small talk, not content.
    + """jaar jaren week weken maand maanden uur uren dag dagen""".split()
    # How students introduce themselves and how assignments are phrased: in a third to two
    # thirds of the demo profiles and challenges, without naming a subject.
    + """opleiding studie studeer studeren stage ben zit begonnen hoi iets vind zien samen
    maken weten welke uitvoeren helpen""".split()
)

#: A word in more than this share of the indexed texts tells none of them apart: it is not
#: offered as a reason for a match, whatever it is (the lists above cannot foresee every
#: community's filler, e.g. the region all its members name).
COMMON_SHARE = 0.5
#: Below this many texts a share says little: three texts about heat pumps share a subject,
#: not filler.
COMMON_MIN_TEXTS = 10


def words(text: str) -> list[str]:
    """Lower-cased word tokens of a text."""
    return _WORD.findall(text.lower())


class CharTfidfEncoder:
    """Character n-gram TF-IDF within word boundaries, as sparse L2-normalised rows."""

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (2, 5),
        sublinear_tf: bool = True,
        min_df: int = 1,
    ) -> None:
        self.ngram_range = ngram_range
        self.sublinear_tf = sublinear_tf
        self.min_df = min_df

    def fit(self, texts: Sequence[str]) -> CharTfidfEncoder:
        """Learn the n-gram vocabulary and weights from the texts to be searched."""
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.ngram_range,
            sublinear_tf=self.sublinear_tf,
            min_df=self.min_df,
            dtype=np.float32,
        ).fit(check_texts(texts))
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Sparse unit rows over the learned n-grams, one per text."""
        return self.vectorizer_.transform(check_texts(texts)).tocsr()


def _stem_match(a: str, b: str) -> bool:
    """Two words match when equal, when one is a part of the other (Dutch compounds:
    "energie" in "energietransitie"), or when they share a long stem ("installateur",
    "installatie")."""
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 4 and shorter in longer:
        return True
    stem = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        stem += 1
    return stem >= 6


def common_words(
    texts: Sequence[str], *, share: float = COMMON_SHARE, min_texts: int = COMMON_MIN_TEXTS
) -> frozenset[str]:
    """The words that stand in more than `share` of the texts (none for fewer than
    `min_texts` texts): the corpus's own filler, which explains no match."""
    if len(texts) < min_texts:
        return frozenset()
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(words(text)))
    most = share * len(texts)
    return frozenset(word for word, count in counts.items() if count > most)


def matching_terms(
    query: str, document: str, *, limit: int = 8, common: Collection[str] = frozenset()
) -> list[str]:
    """The informative words of the query that the document also has (whole, as part of a
    compound, or with the same stem), in the query's order. Stopwords, filler and the
    `common` words of the corpus (see `common_words`) are left out on both sides, so no
    reason rests on a word that nearly every text has."""

    def informative(word: str) -> bool:
        return len(word) > 2 and word not in STOPWORDS and word not in FILLER and word not in common

    document_words = {w for w in words(document) if informative(w)}
    found: list[str] = []
    for word in dict.fromkeys(words(query)):
        if not informative(word):
            continue
        if any(_stem_match(word, other) for other in document_words):
            found.append(word)
            if len(found) == limit:
                break
    return found
