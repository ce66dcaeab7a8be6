"""Cross-language matching on the hand-written check set (tests/fixtures/crosslang-check.tsv).

    python benchmarks/crosslang_check.py [--models lcmatch-e5-nl,lcmatch-minilm-nl]

For each model (fp32): the MRR of each challenge's own research group among all groups, per
direction (en-nl, nl-en), dense alone, lexical alone and the shipped hybrid, ranked as the
service ranks research groups (`tests/service/usecases/test_cross_language.py` does the same
for the shipped model). Also the Dutch check set (tests/fixtures/dutch-check.tsv) ranked the
same way, as the same-language control.

And one what-if, not what the service does: "hybrid, lexical imputed across languages". The
lexical component sees no evidence between texts in different languages (they share few
n-grams), so it pulls a query towards rows in its own language whatever their subject. The
what-if detects each text's language from its function words and, for a pair in different
languages, puts the pair's dense z-score in the place of its lexical one (the missing
evidence replaced by the best guess there is); same-language pairs fuse as shipped.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import stopwordsiso
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from matcher import SentenceEncoder
from matcher.lexical import words
from matcher.model_files import ADAPTED_MODEL, DEFAULT_MODEL
from matcher.ranker import HybridRanker, Weights
from service.usecases.matching import text_view

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
DUTCH_ONLY = frozenset(stopwordsiso.stopwords("nl")) - ENGLISH_STOP_WORDS
ENGLISH_ONLY = frozenset(ENGLISH_STOP_WORDS) - frozenset(stopwordsiso.stopwords("nl"))

Row = tuple[str, str | None, str]  # direction, query text (None: a group only), group text


def _table(name: str) -> list[list[str]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")][1:]


def crosslang_rows() -> list[Row]:
    rows = []
    for direction, title, description, name, expertise, themes in _table("crosslang-check.tsv"):
        challenge = SimpleNamespace(
            title=title, description=description, wanted_skills=[], themes=[]
        )
        group = SimpleNamespace(name=name, expertise=expertise, themes=themes.split("; "))
        query = None if direction == "-" else text_view("challenge", challenge)
        rows.append((direction, query, text_view("research_group", group)))
    return rows


def dutch_rows() -> list[Row]:
    return [("nl-nl", query, answer) for query, answer in _table("dutch-check.tsv")]


def language(text: str) -> str:
    """nl, en, or ? (fewer than two function words of either language to tell)."""
    found = words(text)
    dutch = sum(word in DUTCH_ONLY for word in found)
    english = sum(word in ENGLISH_ONLY for word in found)
    if dutch + english < 2 or dutch == english:
        return "?"
    return "nl" if dutch > english else "en"


def reciprocal_ranks(encoder: SentenceEncoder, rows: list[Row]) -> dict[str, np.ndarray]:
    """Per method, 1 / the rank of each query's own row."""
    groups = [group for _, _, group in rows]
    vectors = encoder.encode(groups, kind="passage")
    asked = [at for at, (_, query, _) in enumerate(rows) if query is not None]
    queries = [rows[at][1] for at in asked]
    shipped = Weights.learned()
    ranker = HybridRanker(encoder=encoder, weights=shipped)
    ranker.fit([str(at) for at in range(len(rows))], groups, vectors=vectors)
    side = ranker.query_side(queries)
    scores = ranker.component_scores(queries, query_vectors=side.vectors)
    z = {}
    for name in ("dense", "lexical"):
        mean, spread = (np.asarray(part, dtype=np.float64)[:, None] for part in side.moments[name])
        z[name] = (np.asarray(scores[name], dtype=np.float64) - mean) / spread
    query_languages = np.array([language(query) for query in queries])[:, None]
    group_languages = np.array([language(group) for group in groups])[None, :]
    differ = (
        (query_languages != group_languages) & (query_languages != "?") & (group_languages != "?")
    )
    fused = {
        "dense": z["dense"],
        "lexical": z["lexical"],
        "hybrid": shipped.dense * z["dense"] + shipped.lexical * z["lexical"],
        "hybrid, lexical imputed across languages": shipped.dense * z["dense"]
        + shipped.lexical * np.where(differ, z["dense"], z["lexical"]),
    }
    own = np.array(asked)
    return {
        method: 1.0 / (1 + (values > values[np.arange(len(asked)), own][:, None]).sum(axis=1))
        for method, values in fused.items()
    }


def summary(rows: list[Row], ranks: dict[str, np.ndarray]) -> dict:
    directions = [direction for direction, query, _ in rows if query is not None]
    return {
        method: {
            "mrr": round(float(values.mean()), 3),
            **{
                direction: round(float(values[[d == direction for d in directions]].mean()), 3)
                for direction in sorted(set(directions))
            },
        }
        for method, values in ranks.items()
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=f"{DEFAULT_MODEL},{ADAPTED_MODEL}")
    args = parser.parse_args(argv)
    result = {"benchmark": "crosslang_check", "weights": vars(Weights.learned()), "models": {}}
    for model in args.models.split(","):
        encoder = SentenceEncoder(model=model, precision="fp32")
        result["models"][model] = {
            name: summary(rows, reciprocal_ranks(encoder, rows))
            for name, rows in (("crosslang", crosslang_rows()), ("dutch", dutch_rows()))
        }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
