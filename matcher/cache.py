"""Embedding cache keyed by (model id, text hash): an unchanged text is never encoded twice."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from matcher.encoders import TextEncoder, TextKind, check_texts, prefix_of


def text_hash(text: str) -> str:
    """The cache key of a text as it is given to the model (prefix included)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingStore(Protocol):
    """Where cached vectors live: in memory, in a file, or in the service's database."""

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, model_id: str, vectors: Mapping[str, np.ndarray]) -> None: ...

    def delete_many(self, model_id: str, keys: Iterable[str]) -> None: ...


class MemoryEmbeddingStore:
    """Vectors in a dict; lost when the process ends."""

    def __init__(self) -> None:
        self._vectors: dict[tuple[str, str], np.ndarray] = {}

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found = ((key, self._vectors.get((model_id, key))) for key in keys)
        return {key: vector for key, vector in found if vector is not None}

    def put_many(self, model_id: str, vectors: Mapping[str, np.ndarray]) -> None:
        for key, vector in vectors.items():
            self._vectors[(model_id, key)] = np.asarray(vector, dtype=np.float32)

    def delete_many(self, model_id: str, keys: Iterable[str]) -> None:
        for key in keys:
            self._vectors.pop((model_id, key), None)

    def __len__(self) -> int:
        return len(self._vectors)


class SqliteEmbeddingStore:
    """Vectors in one SQLite file, as raw float32 bytes; survives restarts."""

    _batch = 500  # SQLite caps the number of bound parameters per statement

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS embedding ("
            " model_id TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,"
            " PRIMARY KEY (model_id, text_hash))"
        )
        self._connection.commit()

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), self._batch):
                chunk = list(keys[start : start + self._batch])
                marks = ",".join("?" * len(chunk))
                rows = self._connection.execute(
                    "SELECT text_hash, vector FROM embedding"
                    f" WHERE model_id = ? AND text_hash IN ({marks})",
                    [model_id, *chunk],
                )
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model_id: str, vectors: Mapping[str, np.ndarray]) -> None:
        rows = [
            (model_id, key, np.asarray(vector, dtype=np.float32).tobytes())
            for key, vector in vectors.items()
        ]
        with self._lock, self._connection:
            self._connection.executemany(
                "INSERT OR REPLACE INTO embedding (model_id, text_hash, vector) VALUES (?, ?, ?)",
                rows,
            )

    def delete_many(self, model_id: str, keys: Iterable[str]) -> None:
        with self._lock, self._connection:
            self._connection.executemany(
                "DELETE FROM embedding WHERE model_id = ? AND text_hash = ?",
                [(model_id, key) for key in keys],
            )

    def __len__(self) -> int:
        with self._lock:
            return self._connection.execute("SELECT COUNT(*) FROM embedding").fetchone()[0]

    def close(self) -> None:
        """Close the file."""
        self._connection.close()


class CachedEncoder:
    """Wraps an encoder so that each distinct text is encoded once per model.

    Keys hash the text with its query/passage prefix, so both kinds can be cached side by side.
    """

    def __init__(self, *, encoder: TextEncoder, store: EmbeddingStore | None = None) -> None:
        self.encoder = encoder
        self.store = store if store is not None else MemoryEmbeddingStore()

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    def load(self) -> None:
        """Load the wrapped encoder's weights now, where it has any to load."""
        load = getattr(self.encoder, "load", None)
        if load is not None:
            load()

    def encode(
        self, texts: Sequence[str], *, kind: TextKind = "passage", progress: bool = False
    ) -> np.ndarray:
        """Embed texts, taking every vector already in the store from there."""
        texts = check_texts(texts)
        if not texts:
            return self.encoder.encode(texts, kind=kind)
        prefix = prefix_of(self.encoder, kind)
        keys = [text_hash(prefix + text) for text in texts]
        model_id = self.model_id
        known = self.store.get_many(model_id, list(dict.fromkeys(keys)))
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in known:
                missing.setdefault(key, text)
        if missing:
            fresh = self.encoder.encode(list(missing.values()), kind=kind, progress=progress)
            new = dict(zip(missing.keys(), fresh, strict=True))
            self.store.put_many(model_id, new)
            known.update(new)
        return np.stack([known[key] for key in keys]).astype(np.float32, copy=False)
