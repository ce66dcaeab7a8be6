"""The counting behind the limits: failed logins per address and account, and requests per user.

Everything is in-process and in memory: the counts belong to one process and start empty when
it starts. A deployment with several processes multiplies the allowances by their number. The
clock is injectable, so tests step through time instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable

from service.domain.errors import TooManyAttempts
from service.settings import Settings

Clock = Callable[[], float]


class RateLimiter:
    """At most `limit` events per key in any `window` seconds (a sliding log), in memory.

    Each key keeps only its last `limit` event times, and keys with no event in the last
    window are dropped once per window, so memory follows the keys active in one window.
    Safe to share between the threads that serve requests.
    """

    def __init__(self, *, limit: int, window: float, clock: Clock = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window positive")
        self.limit = limit
        self.window = window
        self.clock = clock
        self._events: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()
        self._swept = clock()

    def retry_after(self, key: Hashable) -> float | None:
        """Seconds until the key may act again; None when it may act now."""
        with self._lock:
            return self._wait(key, self.clock())

    def hit(self, key: Hashable) -> float | None:
        """Count one event for the key, unless it is over its limit: then count nothing and
        return the seconds until it may act again."""
        with self._lock:
            now = self.clock()
            self._sweep(now)
            wait = self._wait(key, now)
            if wait is None:
                self._events.setdefault(key, deque(maxlen=self.limit)).append(now)
            return wait

    def undo(self, key: Hashable) -> None:
        """Take back the key's most recent event (one that turned out not to count)."""
        with self._lock:
            events = self._events.get(key)
            if events:
                events.pop()
            if not events:
                self._events.pop(key, None)

    def reset(self, key: Hashable) -> None:
        """Forget the key's events."""
        with self._lock:
            self._events.pop(key, None)

    def __len__(self) -> int:
        """How many keys are being tracked."""
        return len(self._events)

    def _wait(self, key: Hashable, now: float) -> float | None:
        events = self._events.get(key)
        if events is None or len(events) < self.limit:
            return None
        wait = events[0] + self.window - now  # when the oldest of the last `limit` expires
        return wait if wait > 0 else None

    def _sweep(self, now: float) -> None:
        if now - self._swept < self.window:
            return
        self._swept = now
        stale = [key for key, events in self._events.items() if events[-1] <= now - self.window]
        for key in stale:
            del self._events[key]


class LoginAttempts:
    """Login attempts, counted per client address and per account (the lower-cased username,
    known or not, so that a refusal tells nothing about which accounts exist).

    An attempt is counted when it starts, so that many guesses sent at once cannot all slip
    in before the first failure is counted; a successful one is taken back.
    """

    def __init__(self, *, per_address: RateLimiter, per_account: RateLimiter) -> None:
        self.per_address = per_address
        self.per_account = per_account

    def attempt(self, address: str, account: str) -> None:
        """Count an attempt against the address and the account; `TooManyAttempts` (counting
        nothing) while either has used up its failed attempts: the password is then not even
        checked."""
        account = account.lower()
        waits = [self.per_address.retry_after(address), self.per_account.retry_after(account)]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is None:
            wait = self.per_address.hit(address)
            if wait is None and (wait := self.per_account.hit(account)) is not None:
                self.per_address.undo(address)  # another request took the last one meanwhile
        if wait is not None:
            raise TooManyAttempts(wait, "Too many failed logins")

    def succeeded(self, address: str, account: str) -> None:
        """The attempt was no failure: take it back from the address, and let whoever knows
        the password start afresh on the account. Other accounts' and addresses' counts stay:
        a success must not reset the count for guessing at other accounts."""
        self.per_address.undo(address)
        self.per_account.reset(account.lower())


class Limits:
    """The limits of one app, from its settings."""

    def __init__(self, settings: Settings, clock: Clock = time.monotonic) -> None:
        window = settings.login_window_seconds
        self.logins = LoginAttempts(
            per_address=RateLimiter(
                limit=settings.login_failures_per_address, window=window, clock=clock
            ),
            per_account=RateLimiter(
                limit=settings.login_failures_per_account, window=window, clock=clock
            ),
        )
        self.suggestions = RateLimiter(
            limit=settings.suggestion_requests,
            window=settings.suggestion_window_seconds,
            clock=clock,
        )
