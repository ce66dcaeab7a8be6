"""The embedding cache: each distinct text is encoded once per model, and survives a restart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from matcher import CachedEncoder, HashingEncoder, MemoryEmbeddingStore, SqliteEmbeddingStore
from matcher.cache import text_hash
from matcher.encoders import TextKind

TEXTS = ["warmtepompen installeren", "boekhouding bijhouden", "zorg voor ouderen"]


def test_a_second_encode_of_the_same_texts_calls_no_model() -> None:
    model = HashingEncoder()
    cached = CachedEncoder(encoder=model)
    first = cached.encode(TEXTS)
    assert (model.calls, model.encoded) == (1, 3)
    second = cached.encode(TEXTS)
    assert (model.calls, model.encoded) == (1, 3)
    np.testing.assert_array_equal(second, first)


def test_cached_vectors_equal_the_models_own() -> None:
    cached = CachedEncoder(encoder=HashingEncoder())
    cached.encode(TEXTS)
    np.testing.assert_array_equal(cached.encode(TEXTS[::-1]), HashingEncoder().encode(TEXTS[::-1]))


def test_a_partly_new_batch_encodes_only_the_new_texts() -> None:
    model = HashingEncoder()
    cached = CachedEncoder(encoder=model)
    cached.encode(TEXTS[:2])
    batch = ["BIM-model maken", TEXTS[1], "Python data-analyse", TEXTS[0]]
    vectors = cached.encode(batch)
    assert (model.calls, model.encoded) == (2, 4)
    np.testing.assert_array_equal(vectors, HashingEncoder().encode(batch))


def test_duplicates_within_one_batch_are_encoded_once() -> None:
    model = HashingEncoder()
    cached = CachedEncoder(encoder=model)
    vectors = cached.encode([TEXTS[0], TEXTS[1], TEXTS[0], TEXTS[0]])
    assert (model.calls, model.encoded) == (1, 2)
    assert vectors.shape == (4, 64)
    np.testing.assert_array_equal(vectors[2], vectors[0])
    np.testing.assert_array_equal(vectors[3], vectors[0])


def test_a_different_model_id_does_not_reuse_vectors() -> None:
    store = MemoryEmbeddingStore()
    first = HashingEncoder(model_id="model-a")
    CachedEncoder(encoder=first, store=store).encode(TEXTS)
    other = HashingEncoder(model_id="model-b", dimension=32)
    vectors = CachedEncoder(encoder=other, store=store).encode(TEXTS)
    assert (other.calls, other.encoded) == (1, 3)
    assert vectors.shape == (3, 32)
    assert len(store) == 6
    # and the first model's vectors are still served to it
    again = HashingEncoder(model_id="model-a")
    CachedEncoder(encoder=again, store=store).encode(TEXTS)
    assert again.calls == 0


class PrefixingEncoder(HashingEncoder):
    """A fake with query/passage prefixes, as multilingual-e5 wants them."""

    def prefix(self, kind: TextKind) -> str:
        return "query: " if kind == "query" else "passage: "

    def encode(
        self, texts: Sequence[str], *, kind: TextKind = "passage", progress: bool = False
    ) -> np.ndarray:
        return super().encode([self.prefix(kind) + text for text in texts], kind=kind)


def test_queries_and_passages_are_cached_apart_when_the_model_prefixes_them() -> None:
    model = PrefixingEncoder()
    cached = CachedEncoder(encoder=model)
    as_passage = cached.encode(TEXTS[:1], kind="passage")
    as_query = cached.encode(TEXTS[:1], kind="query")
    assert model.encoded == 2
    assert not np.array_equal(as_passage, as_query)
    np.testing.assert_array_equal(cached.encode(TEXTS[:1], kind="query"), as_query)
    assert model.encoded == 2


def test_the_sqlite_store_persists_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "embeddings.sqlite"  # the folder is made on open
    store = SqliteEmbeddingStore(path)
    first = CachedEncoder(encoder=HashingEncoder(), store=store).encode(TEXTS)
    store.close()

    reopened = SqliteEmbeddingStore(path)
    model = HashingEncoder()
    second = CachedEncoder(encoder=model, store=reopened).encode(TEXTS)
    assert model.calls == 0
    assert len(reopened) == 3
    assert second.dtype == np.float32
    np.testing.assert_array_equal(second, first)
    reopened.close()


def test_the_sqlite_store_serves_more_keys_than_one_statement_binds(tmp_path: Path) -> None:
    texts = [f"uitdaging nummer {number}" for number in range(1200)]
    path = tmp_path / "embeddings.sqlite"
    store = SqliteEmbeddingStore(path)
    first = CachedEncoder(encoder=HashingEncoder(), store=store).encode(texts)
    store.close()

    reopened = SqliteEmbeddingStore(path)
    model = HashingEncoder()
    second = CachedEncoder(encoder=model, store=reopened).encode(texts)
    assert model.calls == 0
    np.testing.assert_array_equal(second, first)
    reopened.close()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_deleted_vector_is_encoded_again(kind: str, tmp_path: Path) -> None:
    store = MemoryEmbeddingStore() if kind == "memory" else SqliteEmbeddingStore(tmp_path / "e.db")
    model = HashingEncoder()
    cached = CachedEncoder(encoder=model, store=store)
    cached.encode(TEXTS)
    store.delete_many(model.model_id, [text_hash(TEXTS[1])])
    assert len(store) == 2
    cached.encode(TEXTS)
    assert (model.calls, model.encoded) == (2, 4)


def test_the_text_hash_is_the_sha256_of_the_text() -> None:
    assert text_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert text_hash("query: abc") != text_hash("passage: abc")
