"""Alembic's entry point: runs migrations on the connection lcmatch hands it."""

from alembic import context
from sqlmodel import SQLModel

import service.domain.meeting_tables  # (registers the meeting tables too)
import service.domain.notification_tables  # (registers the notification tables too)
import service.domain.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
