"""Pruning a SentencePiece vocabulary to the pieces lcmatch's domain uses.

multilingual-e5-small carries 250,002 XLM-R pieces for a hundred languages; lcmatch reads Dutch
and English. Keeping the pieces that the domain's texts are cut into (plus a margin of the most
likely pieces, and every piece that is one Latin character, so that no Dutch or English word
falls to `<unk>`) shrinks the word embeddings about tenfold. A text whose pieces are all kept is
cut exactly as before (Viterbi over a subset that still holds the best path finds the same path)
and gets the same embedding; the lowest-scored piece is kept too, because the score of an unknown
character is derived from it.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from matcher.paths import PROJECT_ROOT, data_dir

#: the benchmark folders read, when present under the benchmark root
BENCHMARK_NAMES = ("melo-nld", "melo-bel", "esco-challenge-profile", "esco-challenge-skill")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def domain_texts(bench_root: Path | None) -> Iterator[str]:
    """Every text of the domain: the ESCO skill list, the demo data, the Dutch check set and the
    benchmarks' corpora and queries (when `bench_root` holds them)."""
    with gzip.open(data_dir() / "esco" / "esco-skills.jsonl.gz", "rt", encoding="utf-8") as file:
        for line in file:
            skill = json.loads(line)
            for key in ("label_nl", "label_en", "alt_labels_en", "description_en"):
                yield from _strings(skill.get(key))
    for path in sorted((data_dir() / "demo").glob("*.json")):
        yield from _strings(json.loads(path.read_text(encoding="utf-8")))
    check = PROJECT_ROOT / "tests" / "fixtures" / "dutch-check.tsv"
    if check.is_file():
        for line in check.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                yield from line.split("\t")
    if bench_root is not None:
        for name in BENCHMARK_NAMES:
            for part in ("corpus.jsonl", "queries.jsonl"):
                path = bench_root / name / part
                if path.is_file():
                    with path.open(encoding="utf-8") as file:
                        for line in file:
                            yield json.loads(line)["text"]


def piece_counts(tokenizer, texts: Iterable[str], prefixes: Iterable[str]) -> Counter[int]:
    """How often each piece id occurs when the texts are cut, each with every prefix."""
    counts: Counter[int] = Counter()
    unique = sorted({text for text in texts if text and text.strip()})
    for prefix in prefixes:
        batch = [prefix + text for text in unique]
        for start in range(0, len(batch), 4096):
            for encoding in tokenizer.encode_batch(batch[start : start + 4096]):
                counts.update(encoding.ids)
    return counts


def kept_pieces(
    pieces: list[str],
    scores: np.ndarray,
    used: Iterable[int],
    special: Iterable[int],
    *,
    size: int,
) -> np.ndarray:
    """The piece ids to keep, ascending: the special pieces, the used ones, the lowest-scored
    piece, every single Latin character, then the most likely other pieces up to `size`."""
    keep = set(special) | set(used) | {int(np.argmin(scores))}
    keep |= {
        i for i, piece in enumerate(pieces) if len(piece.lstrip("\u2581")) == 1 and _latin(piece)
    }
    for index in np.argsort(-scores, kind="stable"):
        if len(keep) >= size:
            break
        keep.add(int(index))
    return np.array(sorted(keep), dtype=np.int64)


def _latin(piece: str) -> bool:
    character = piece.lstrip("\u2581")
    return bool(character) and ord(character) < 0x250
