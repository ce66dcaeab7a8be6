"""Lexical matching: character n-gram TF-IDF, so Dutch compounds match their parts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence

import numpy as np
import scipy.sparse as sp
import stopwordsiso
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer

from matcher.encoders import check_texts
from matcher.errors import MatcherError

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


# The function words of both languages, never a reason for a match: stopwords-iso's Dutch list
# (413 words: "tijdens", "tweede", "zoals") and scikit-learn's English list, less the few of its
# words that name a subject in our texts (stopwords-iso's English list is worse: it holds
# "research", "information" and "computer").
FUNCTION_WORDS = (
    frozenset(stopwordsiso.stopwords("nl"))
    | (ENGLISH_STOP_WORDS - {"system", "fire", "bill", "interest"})
    | STOPWORDS
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
    # Generic verbs of assignments ("vragen stellen", "in kaart brengen"): no subject either.
    + """stellen brengen zetten doen krijgen laten komen gebruiken zorgen""".split()
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


def _word_ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """The character n-grams of one word padded with a space on each side, exactly as
    scikit-learn's `char_wb` analyzer makes them (a word shorter than n gives itself once)."""
    padded = f" {word} "
    grams = []
    for n in range(min_n, max_n + 1):
        last = len(padded) - n
        grams.extend(padded[offset : offset + n] for offset in range(max(last, 0) + 1))
        if last <= 0:
            break
    return grams


class CharTfidfEncoder:
    """Character n-gram TF-IDF within word boundaries, as sparse L2-normalised rows.

    The rows are those of scikit-learn's `TfidfVectorizer(analyzer="char_wb")`, computed
    faster: a text's n-gram counts are the sum of its words' n-gram counts, so each distinct
    word is cut into n-grams once per batch (not once per occurrence) and the sum is a sparse
    product. Learning the weights of 90k profiles takes seconds instead of minutes, which is
    what lets the service learn them at start-up (see `HybridRanker.refit`).
    """

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

    def _counts(
        self, texts: list[str], vocabulary: dict[str, int] | None
    ) -> tuple[sp.csr_matrix, dict[str, int]]:
        """n-gram counts (texts x n-grams) over a vocabulary; a new one when none is given."""
        token_ids: dict[str, int] = {}
        indptr, indices, counts = [0], [], []
        for text in texts:
            # scikit-learn lower-cases, then splits char_wb words at white space
            for token, count in Counter(text.lower().split()).items():
                indices.append(token_ids.setdefault(token, len(token_ids)))
                counts.append(count)
            indptr.append(len(indices))
        by_token = [Counter(_word_ngrams(token, *self.ngram_range)) for token in token_ids]
        if vocabulary is None:
            grams = set().union(*by_token) if by_token else set()
            vocabulary = {gram: column for column, gram in enumerate(sorted(grams))}
        gram_indptr, gram_indices, gram_counts = [0], [], []
        for grams in by_token:
            for gram, count in grams.items():
                column = vocabulary.get(gram)
                if column is not None:
                    gram_indices.append(column)
                    gram_counts.append(count)
            gram_indptr.append(len(gram_indices))
        texts_by_token = sp.csr_matrix(
            (np.asarray(counts, np.float32), indices, indptr), shape=(len(texts), len(token_ids))
        )
        token_by_gram = sp.csr_matrix(
            (np.asarray(gram_counts, np.float32), gram_indices, gram_indptr),
            shape=(len(token_ids), len(vocabulary)),
        )
        product = (texts_by_token @ token_by_gram).tocsr()
        product.sort_indices()
        return product, vocabulary

    def fit(self, texts: Sequence[str]) -> CharTfidfEncoder:
        """Learn the n-gram vocabulary and weights from the texts to be searched."""
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Learn the vocabulary and weights, and return the texts' rows (one pass over them)."""
        counts, vocabulary = self._counts(check_texts(texts), None)
        if self.min_df > 1:
            kept = np.flatnonzero(np.diff(counts.tocsc().indptr) >= self.min_df)
            if not kept.size:
                raise MatcherError(f"no n-gram stands in at least min_df={self.min_df} texts")
            grams = sorted(vocabulary, key=vocabulary.__getitem__)
            vocabulary = {grams[old]: new for new, old in enumerate(kept)}
            counts = counts[:, kept].tocsr()
        self.vocabulary_ = vocabulary
        self.weighting_ = TfidfTransformer(sublinear_tf=self.sublinear_tf).fit(counts)
        return self.weighting_.transform(counts).astype(np.float32).tocsr()

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Sparse unit rows over the learned n-grams, one per text."""
        counts, _ = self._counts(check_texts(texts), self.vocabulary_)
        return self.weighting_.transform(counts).astype(np.float32).tocsr()


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


class QueryTerms:
    """The informative words of one query, ready to be looked up in many documents.

    A query word matches a document word when they are equal, when one is a part of the other
    and the part has at least 4 letters (Dutch compounds: "energie" in "energietransitie"), or
    when they share their first 6 letters ("installateur", "installatie"). Looked up by sets
    and substrings instead of comparing every pair of words: an explanation of ten results
    took tens of milliseconds pair by pair.
    """

    def __init__(self, query: str, *, limit: int = 8, common: Collection[str] = frozenset()):
        self.limit = limit
        self.common = common
        self.words = [word for word in dict.fromkeys(words(query)) if self._informative(word)]
        # The parts of each query word a whole document word could be (4 letters or more).
        self.parts = {
            word: {
                word[start:end]
                for start in range(len(word))
                for end in range(start + 4, len(word) + 1)
                if end - start < len(word)
            }
            for word in self.words
        }

    def _informative(self, word: str) -> bool:
        return (
            len(word) > 2
            and word not in FUNCTION_WORDS
            and word not in FILLER
            and word not in self.common
        )

    def found_in(self, document: str) -> list[str]:
        """The query's words that the document has, in the query's order, at most `limit`."""
        present = {word for word in words(document) if self._informative(word)}
        if not present:
            return []
        joined = " ".join(present)  # a word without spaces found here lies inside one word
        long_words = {word for word in present if len(word) >= 4}
        stems = {word[:6] for word in present if len(word) >= 6}
        found: list[str] = []
        for word in self.words:
            if (
                word in present
                or (len(word) >= 4 and word in joined)
                or not self.parts[word].isdisjoint(long_words)
                or (len(word) >= 6 and word[:6] in stems)
            ):
                found.append(word)
                if len(found) == self.limit:
                    break
        return found


def matching_terms(
    query: str, document: str, *, limit: int = 8, common: Collection[str] = frozenset()
) -> list[str]:
    """The informative words of the query that the document also has (whole, as part of a
    compound, or with the same stem), in the query's order. Stopwords, filler and the
    `common` words of the corpus (see `common_words`) are left out on both sides, so no
    reason rests on a word that nearly every text has."""
    return QueryTerms(query, limit=limit, common=common).found_in(document)
