"""Checking a login, for the API's token endpoint and the pages' login form alike."""

from __future__ import annotations

from functools import cache

from sqlmodel import Session, select

from service.domain.errors import LoginRefused
from service.domain.tables import User
from service.usecases.limits import Limits
from service.usecases.security import hash_password, new_api_key, verify_password

#: The one answer for an unknown account, a wrong password and a disabled account (whose
#: password is right): none of them tells a guesser more than the others.
BAD_LOGIN = LoginRefused("Incorrect email or password")


@cache
def _no_such_account_hash() -> str:
    """A hash to check the password of an unknown account against: the answer takes as long
    as for a known one, so its timing does not tell which e-mail addresses have an account."""
    return hash_password(new_api_key())


def authenticate(session: Session, limits: Limits, address: str, email: str, password: str) -> User:
    """The active user with this e-mail address and password.

    Raises `BAD_LOGIN` (`LoginRefused`, also for a disabled account), or `TooManyAttempts`
    once this client address or this account has had too many failed logins in the window.
    """
    limits.logins.attempt(address, email)
    user = session.exec(select(User).where(User.email == email.lower())).first()
    hashed = user.hashed_password if user is not None else _no_such_account_hash()
    if not verify_password(password, hashed) or user is None or not user.is_active:
        raise BAD_LOGIN
    limits.logins.succeeded(address, email)
    return user
