"""Passwords (Argon2), login tokens (JWT) and API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

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


class TokenClaims(NamedTuple):
    """What a valid token says: whose it is, and of which of their token generations."""

    user_id: str
    generation: int


def create_token(user_id: str, secret: str, minutes: int, *, generation: int = 0) -> str:
    """A signed login token for the user that expires after `minutes`; it works while the
    user's token generation is `generation` (see service.usecases.sessions)."""
    now = datetime.now(UTC)
    claims = {
        "sub": user_id,
        "gen": generation,
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_claims(token: str, secret: str) -> TokenClaims | None:
    """The claims of a valid token; None for an expired, forged or malformed one. A token
    without a generation is of generation 0 (made before generations existed)."""
    try:
        # Only our algorithm is accepted: "none" and others are refused.
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    subject, generation = claims.get("sub"), claims.get("gen", 0)
    if not isinstance(subject, str) or type(generation) is not int:
        return None
    return TokenClaims(subject, generation)


def read_token(token: str, secret: str) -> str | None:
    """The user id of a valid token; None for an expired, forged or malformed one."""
    claims = read_claims(token, secret)
    return claims.user_id if claims is not None else None


def new_api_key() -> str:
    """A fresh API key; shown to its owner once, stored only as a hash."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """The stored form of an API key (a key is random, so a fast hash suffices)."""
    return hashlib.sha256(key.encode()).hexdigest()
