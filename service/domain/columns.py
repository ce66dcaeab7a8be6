"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from pgvector.sqlalchemy import Vector
from sqlalchemy.types import DateTime, LargeBinary, TypeDecorator


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


class UTCDateTime(TypeDecorator):
    """A point in time, always read back with its time zone (UTC).

    PostgreSQL keeps the zone; SQLite stores none, so without this the same row would come back
    as "10:31" there and "10:31Z" on PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a time without a time zone cannot be stored: {value}")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
