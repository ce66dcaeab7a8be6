"""Passwords (Argon2), login tokens (JWT) and API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash

_passwords = PasswordHash.recommended()  # Argon2id with pwdlib's recommended parameters
ALGORITHM = "HS256"
API_KEY_PREFIX = "lcm_"


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _passwords.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    """Whether the password matches the hash."""
    return _passwords.verify(password, hashed)


def create_token(user_id: str, secret: str, minutes: int) -> str:
    """A signed login token for the user that expires after `minutes`."""
    now = datetime.now(UTC)
    claims = {"sub": user_id, "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, secret: str) -> str | None:
    """The user id of a valid token; None for an expired, forged or malformed one."""
    try:
        # Only our algorithm is accepted: "none" and others are refused.
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    subject = claims.get("sub")
    return subject if isinstance(subject, str) else None


def new_api_key() -> str:
    """A fresh API key; shown to its owner once, stored only as a hash."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """The stored form of an API key (a key is random, so a fast hash suffices)."""
    return hashlib.sha256(key.encode()).hexdigest()
