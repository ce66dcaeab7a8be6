"""A column type for embeddings: pgvector on PostgreSQL, raw float32 bytes on SQLite."""

from __future__ import annotations

import numpy as np
from pgvector.sqlalchemy import Vector
from sqlalchemy.types import LargeBinary, TypeDecorator


class VectorType(TypeDecorator):
    """Stores a 1-d float32 numpy array; reads it back as one."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            # No fixed dimension: the model is a setting, and its dimension with it.
            return dialect.type_descriptor(Vector())
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        vector = np.asarray(value, dtype=np.float32).ravel()
        if dialect.name == "postgresql":
            return vector
        return vector.tobytes()

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "postgresql":
            return np.asarray(value, dtype=np.float32)
        return np.frombuffer(value, dtype=np.float32).copy()
