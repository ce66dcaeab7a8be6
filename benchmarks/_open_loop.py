"""An open-loop load driver: requests sent at a fixed rate whatever the server's speed.

A closed-loop tool (wrk) waits for an answer before it asks again, so a slow server is asked
less and its latency looks better than users would see it ("coordinated omission"). Here the
send times are drawn in advance (Poisson arrivals at the offered rate) and each request's
latency counts from the moment it was due, so time spent queueing in the client counts too.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import numpy as np

#: One request of the mix: called with the client, returns (kind, status code).
Request = Callable[[httpx.AsyncClient], Awaitable[tuple[str, int]]]


@dataclass
class StepResult:
    """What one rate step measured."""

    offered_per_second: float
    seconds: float
    sent: int
    answered_per_second: float
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    dropped: int = 0  # due while too many were outstanding: counted as errors

    def summary(self) -> dict:
        every = [ms for values in self.latencies_ms.values() for ms in values]
        result = {
            "offered_per_second": self.offered_per_second,
            "answered_per_second": round(self.answered_per_second, 1),
            "sent": self.sent,
            "errors": sum(self.errors.values()) + self.dropped,
            **percentiles(every),
            "by_kind": {
                kind: {"requests": len(values), **percentiles(values)}
                for kind, values in sorted(self.latencies_ms.items())
            },
        }
        if self.errors:
            result["errors_by_kind"] = dict(sorted(self.errors.items()))
        if self.dropped:
            result["dropped"] = self.dropped
        return result


def percentiles(values: list[float]) -> dict[str, float]:
    """p50 / p90 / p99 / max in milliseconds (None when nothing was answered)."""
    if not values:
        return {"p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None}
    array = np.asarray(values)
    return {
        "p50_ms": round(float(np.percentile(array, 50)), 1),
        "p90_ms": round(float(np.percentile(array, 90)), 1),
        "p99_ms": round(float(np.percentile(array, 99)), 1),
        "max_ms": round(float(array.max()), 1),
    }


async def run_step(
    client: httpx.AsyncClient,
    next_request: Callable[[], Request],
    *,
    rate: float,
    seconds: float,
    seed: int,
    max_outstanding: int = 1000,
) -> StepResult:
    """Send `next_request()`s at `rate` per second (Poisson) for `seconds`; wait for the last."""
    rng = random.Random(seed)
    due, times = 0.0, []
    while True:
        due += rng.expovariate(rate)
        if due >= seconds:
            break
        times.append(due)
    result = StepResult(offered_per_second=rate, seconds=seconds, sent=0, answered_per_second=0)
    outstanding: set[asyncio.Task] = set()
    start = time.perf_counter()

    async def one(request: Request, due_at: float) -> None:
        try:
            kind, code = await request(client)
        except (httpx.HTTPError, OSError) as error:
            kind, code = type(error).__name__, 0
        latency = (time.perf_counter() - due_at) * 1000
        if 200 <= code < 300:
            result.latencies_ms.setdefault(kind, []).append(latency)
        else:
            key = f"{kind} {code}"
            result.errors[key] = result.errors.get(key, 0) + 1

    for offset in times:
        due_at = start + offset
        wait = due_at - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        if len(outstanding) >= max_outstanding:
            result.dropped += 1
            continue
        task = asyncio.create_task(one(next_request(), due_at))
        outstanding.add(task)
        task.add_done_callback(outstanding.discard)
        result.sent += 1
    if outstanding:
        await asyncio.wait(outstanding)
    elapsed = time.perf_counter() - start
    answered = sum(len(values) for values in result.latencies_ms.values())
    result.answered_per_second = answered / elapsed
    return result
