"""lcmatch's matching engine: texts and vectors in, ranked ids, scores and reasons out.

A pure library: no database, no HTTP. The service (`service/`) builds on it, never the
other way round.
"""

from matcher.cache import CachedEncoder, MemoryEmbeddingStore, SqliteEmbeddingStore
from matcher.encoders import DEFAULT_MODEL, HashingEncoder, SentenceEncoder, TextEncoder
from matcher.errors import BenchmarkFormatError, EmptyTextError, MatcherError
from matcher.index import Hit, VectorIndex
from matcher.lexical import CharTfidfEncoder, matching_terms
from matcher.ranker import HybridRanker
from matcher.results import Components, Explanation, Match
from matcher.skills import Skill, SkillTag, SkillTagger, default_tagger
from matcher.weights import Weights

__all__ = [
    "DEFAULT_MODEL",
    "BenchmarkFormatError",
    "CachedEncoder",
    "CharTfidfEncoder",
    "Components",
    "EmptyTextError",
    "Explanation",
    "HashingEncoder",
    "Hit",
    "HybridRanker",
    "Match",
    "MatcherError",
    "MemoryEmbeddingStore",
    "SentenceEncoder",
    "Skill",
    "SkillTag",
    "SkillTagger",
    "SqliteEmbeddingStore",
    "TextEncoder",
    "VectorIndex",
    "Weights",
    "default_tagger",
    "matching_terms",
]
