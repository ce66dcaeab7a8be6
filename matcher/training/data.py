"""Training pairs for the encoder, and the query folds that keep cross-validation honest.

A pair is (anchor, positive, group): the model learns to put the positive nearest the anchor
among the other positives of its batch. `group` names what the pair is about (an occupation,
a skill, a query), so that a batch never holds two pairs of one group, which would turn a true
synonym into a "negative". A pair may also carry a hard negative (`training.negatives`), a
third text the anchor must rank below its positive.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from matcher.errors import MatcherError
from matcher.evaluation import Benchmark, load_benchmark
from matcher.paths import esco_skills_path

#: The four shared benchmarks, by folder name, and the metric each is judged on.
BENCHMARKS = {
    "melo-nld": "mrr",
    "melo-bel": "mrr",
    "esco-challenge-profile": "ndcg@10",
    "esco-challenge-skill": "ndcg@10",
}
MELO = ("melo-nld", "melo-bel")
CHALLENGE = ("esco-challenge-profile", "esco-challenge-skill")


@dataclass(frozen=True)
class Pair:
    """One training example: the positive should be the anchor's nearest neighbour."""

    anchor: str
    positive: str
    group: str
    source: str
    #: a document close to the anchor that is not relevant to it (`training.negatives`)
    negative: str | None = None


def fold_of(query_text: str, folds: int) -> int:
    """The fold of a query, from a hash of its normalised text.

    By text, not by id: the challenge benchmarks share their queries and MELO titles repeat
    across the Dutch and Belgian sets, so one text must land in one fold everywhere.
    """
    if folds < 2:
        raise MatcherError(f"folds must be at least 2, not {folds}")
    key = " ".join(query_text.lower().split()).encode("utf-8")
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") % folds


def read_esco_skills(path: Path | None = None) -> list[dict]:
    """The ESCO skill list (gzipped or plain JSON lines)."""
    path = path or esco_skills_path()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def esco_pairs(skills: Iterable[dict]) -> list[Pair]:
    """Parallel text: each Dutch skill label against its English label, an English alternative
    label and its English description, so the Dutch label lands where the English meaning is."""
    pairs = []
    for skill in skills:
        dutch = (skill.get("label_nl") or "").strip()
        if not dutch:
            continue
        group = skill["uri"]
        english = (skill.get("label_en") or "").strip()
        if english:
            pairs.append(Pair(dutch, english, group, "esco-nl-en"))
        alternatives = sorted(set(skill.get("alt_labels_en") or ()) - {english})
        if alternatives:
            # One alternative per skill, chosen by the label's hash so every run picks the same.
            pick = int(hashlib.sha256(dutch.encode()).hexdigest(), 16) % len(alternatives)
            pairs.append(Pair(dutch, alternatives[pick], group, "esco-nl-alt"))
        description = (skill.get("description_en") or "").strip()
        if description:
            pairs.append(Pair(dutch, description, group, "esco-nl-description"))
    return pairs


def occupation_of(corpus_id: str) -> str:
    """MELO corpus ids are `C<occupation>_<lang>_<n>`: the names of one occupation share C…."""
    return corpus_id.split("_", 1)[0]


def melo_synonym_pairs(corpus: dict[str, str], rng: random.Random) -> list[Pair]:
    """From the corpus alone (shared by every split): each name against another name of the
    same occupation."""
    names: dict[str, list[str]] = defaultdict(list)
    for corpus_id, text in corpus.items():
        names[occupation_of(corpus_id)].append(text)
    pairs = []
    for occupation, texts in sorted(names.items()):
        distinct = sorted(set(texts))
        if len(distinct) < 2:
            continue
        for text in distinct:
            other = rng.choice([t for t in distinct if t != text])
            pairs.append(Pair(text, other, occupation, "melo-synonyms"))
    return pairs


def judged_pairs(
    benchmark: Benchmark, rng: random.Random, *, per_query: int, min_grade: int
) -> list[Pair]:
    """Dev judgements as pairs: a query against up to `per_query` of its relevant documents."""
    pairs = []
    for query_id, query in benchmark.queries.items():
        relevant = sorted(d for d, g in benchmark.qrels.get(query_id, {}).items() if g >= min_grade)
        for doc in rng.sample(relevant, min(per_query, len(relevant))):
            # A MELO name belongs to an occupation, which its synonym pairs also name.
            group = occupation_of(doc) if benchmark.name in MELO else f"q:{query}"
            pairs.append(Pair(query, benchmark.corpus[doc], group, benchmark.name))
    return pairs


def without_folds(benchmark: Benchmark, folds: int, excluded: set[int]) -> Benchmark:
    """The benchmark without the queries (and their judgements) of the excluded folds."""
    queries = {
        q: text for q, text in benchmark.queries.items() if fold_of(text, folds) not in excluded
    }
    qrels = {q: judged for q, judged in benchmark.qrels.items() if q in queries}
    return Benchmark(benchmark.name, benchmark.corpus, queries, qrels)


def load_benchmarks(root: Path, names: Sequence[str] = tuple(BENCHMARKS)) -> dict[str, Benchmark]:
    """The dev split of each named benchmark under `root`."""
    missing = [name for name in names if not (root / name).is_dir()]
    if missing:
        raise MatcherError(f"benchmark folder not found: {root / missing[0]}")
    return {name: load_benchmark(root / name, "dev") for name in names}


def training_pairs(
    benchmarks: dict[str, Benchmark],
    skills: Sequence[dict],
    *,
    seed: int,
    judged_per_query: dict[str, int],
    synonyms: bool = True,
) -> list[Pair]:
    """Every training pair: ESCO parallel text, MELO synonyms and the benchmarks' judgements.

    Pass benchmarks already stripped of held-back folds (`without_folds`)."""
    rng = random.Random(seed)
    pairs = esco_pairs(skills)
    melo_corpus = next((benchmarks[n].corpus for n in MELO if n in benchmarks), None)
    if synonyms and melo_corpus is not None:
        pairs += melo_synonym_pairs(melo_corpus, rng)
    for name, benchmark in benchmarks.items():
        per_query = judged_per_query.get(name, 0)
        if per_query:
            # Profiles of grade 1 are another occupation's: only the exact match teaches.
            min_grade = 2 if name in CHALLENGE else 1
            pairs += judged_pairs(benchmark, rng, per_query=per_query, min_grade=min_grade)
    return pairs


def batches(pairs: Sequence[Pair], batch_size: int, rng: random.Random) -> Iterator[list[Pair]]:
    """Shuffled batches in which no group, anchor, positive or negative text appears twice.

    In-batch negatives are the other positives; a repeated group would make a synonym count
    as a wrong answer. A pair that clashes goes first in line for the next batch."""
    order = list(pairs)
    rng.shuffle(order)
    queue = deque(order)
    while queue:
        batch: list[Pair] = []
        seen: set[str] = set()
        skipped: list[Pair] = []
        while queue and len(batch) < batch_size and len(skipped) < 8 * batch_size:
            pair = queue.popleft()
            keys = {pair.group, pair.anchor, pair.positive}
            if pair.negative is not None:
                # another pair's positive must not come back as a negative in its batch
                keys.add(pair.negative)
            if keys & seen:
                skipped.append(pair)
            else:
                batch.append(pair)
                seen |= keys
        queue.extendleft(reversed(skipped))
        if len(batch) < 2:
            return  # a lone pair has no negatives to learn from
        yield batch


def weighted_sample(
    pairs: Sequence[Pair], size: int, shares: Sequence[tuple[str, float]], seed: int
) -> list[Pair]:
    """`size` pairs, `share` of them from each named source (all it has, if fewer), the rest
    drawn at random from the other sources; seeded.

    Without shares it is a plain random sample, so every source comes in proportion."""
    rng = random.Random(seed)
    if not shares:
        return rng.sample(list(pairs), min(size, len(pairs)))
    if sum(share for _, share in shares) > 1:
        raise MatcherError(f"fine-tuning shares add up to more than 1: {dict(shares)}")
    by_source: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_source[pair.source].append(pair)
    sample: list[Pair] = []
    for source, share in shares:
        own = by_source.pop(source, [])
        sample += rng.sample(own, min(len(own), round(share * size)))
    rest = [pair for source_pairs in by_source.values() for pair in source_pairs]
    sample += rng.sample(rest, min(len(rest), size - len(sample)))
    return sample
