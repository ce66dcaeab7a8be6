"""Sessions that end on the server: every login token carries its user's token generation,
and moving the generation on ends every token made before (logout, a password change)."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session

from service.domain.tables import ApiKey, User, utcnow
from service.settings import Settings
from service.usecases.security import create_token


def token_for(user: User, settings: Settings) -> str:
    """A login token for the user, valid until it expires or the user's sessions end."""
    return create_token(
        user.id, settings.secret_key, settings.token_minutes, generation=user.token_generation
    )


def is_current(user: User, generation: int) -> bool:
    """Whether a token of this generation still opens the user's account."""
    return generation == user.token_generation


def end_sessions(session: Session, user_id: str) -> None:
    """End every login token and page session of the user (in the session, not committed).

    In SQL, not in Python, so that two requests at once both move it on."""
    session.execute(
        update(User).where(User.id == user_id).values(token_generation=User.token_generation + 1)
    )


def revoke_api_keys(session: Session, user_id: str) -> int:
    """Revoke every API key of the user that still works (in the session); how many."""
    result = session.execute(
        update(ApiKey)
        .where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount or 0
