"""The work users give the service in a week, as a stream of requests: what the load benchmark
sends.

Viewers and objects are drawn with a skewed popularity, as in a real region: a few communities
and, within each, a few challenges are asked about far more than the rest (Zipf, exponent 1).
About 95 % of the requests read and 5 % write, and every write changes what later reads see:

| share | who | request |
|---|---|---|
| 55 % | an intermediary | the suggested students of one of their community's challenges |
| 20 % | a student | their own suggested challenges |
| 10 % | an intermediary | their community's review queue |
| 10 % | an intermediary | one challenge |
| 2.5 % | an intermediary | approve or reject a suggestion they were shown (write) |
| 1.5 % | a student | change their interests (write; the profile is embedded again) |
| 1 % | an intermediary | change a challenge's description (write; embedded again) |
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

import httpx

API = "/api/v1"
INTERESTS = ["energietransitie", "biobased bouwen", "zorgtechnologie", "digitalisering", "water"]


@dataclass
class Viewers:
    """Tokens of the people who ask, per community."""

    intermediaries: list[str]  # one per community, index = community number
    students: list[list[tuple[str, str]]]  # per community: (student id, token)


@dataclass(frozen=True)
class Call:
    """One request of the mix."""

    kind: str
    method: str
    path: str
    token: str
    body: dict | None = None
    keep_for: int | None = None  # community whose shown suggestions to remember


@dataclass
class Mix:
    """Draws the next request of the mix; keeps the suggestions shown, to decide on later."""

    viewers: Viewers
    challenges_per_community: int
    seed: int
    rng: random.Random = field(init=False)
    shown: list[list[str]] = field(init=False)  # per community: suggestion ids to decide on
    edits: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        communities = len(self.viewers.intermediaries)
        self.shown = [[] for _ in range(communities)]
        self._community_weights = zipf_weights(communities)
        self._challenge_weights = zipf_weights(self.challenges_per_community)

    def _community(self) -> int:
        return self.rng.choices(range(len(self._community_weights)), self._community_weights)[0]

    def _challenge(self, community: int) -> str:
        n = self.rng.choices(range(self.challenges_per_community), self._challenge_weights)[0]
        return f"ch-{community * self.challenges_per_community + n:06d}"

    def next_call(self) -> Call:
        """What the next request asks, by whom."""
        community = self._community()
        token = self.viewers.intermediaries[community]
        draw = self.rng.random()
        if draw < 0.55:
            path = f"{API}/challenges/{self._challenge(community)}/suggestions/students"
            return Call("students for a challenge", "GET", path, token, keep_for=community)
        if draw < 0.75:
            student_id, student_token = self.rng.choice(self.viewers.students[community])
            path = f"{API}/students/{student_id}/suggestions/challenges"
            return Call("challenges for a student", "GET", path, student_token)
        if draw < 0.85:
            path = f"{API}/suggestions?community_id=com-{community:04d}&status=suggested&limit=20"
            return Call("review queue", "GET", path, token)
        if draw < 0.95:
            return Call("challenge", "GET", f"{API}/challenges/{self._challenge(community)}", token)
        if draw < 0.975 and self.shown[community]:
            shown = self.shown[community]
            suggestion_id = shown.pop(self.rng.randrange(len(shown)))
            action, reason = self.rng.choice([("approve", "past goed"), ("reject", "te ver weg")])
            path = f"{API}/suggestions/{suggestion_id}/{action}"
            return Call("decide", "POST", path, token, {"reason": reason})
        if draw < 0.99:
            student_id, student_token = self.rng.choice(self.viewers.students[community])
            body = {"interests": self.rng.sample(INTERESTS, k=2)}
            return Call(
                "edit profile", "PATCH", f"{API}/students/{student_id}", student_token, body
            )
        self.edits += 1
        body = {"description": f"Uitdaging {community}, herzien in ronde {self.edits}. " * 3}
        path = f"{API}/challenges/{self._challenge(community)}"
        return Call("edit challenge", "PATCH", path, token, body)

    def next_request(self):
        """The next request, ready to send: a coroutine function taking the client."""
        call = self.next_call()
        return lambda client: self.send(client, call)

    async def send(self, client: httpx.AsyncClient, call: Call) -> tuple[str, int]:
        """Send one call; keep the suggestions an intermediary was shown, to decide on later."""
        answer = await client.request(
            call.method, call.path, headers=auth(call.token), json=call.body
        )
        code = answer.status_code
        if call.keep_for is not None and code == 200:
            suggested = [s["id"] for s in answer.json()["data"] if s["status"] == "suggested"]
            shown = self.shown[call.keep_for]
            shown.extend(suggested[:3])
            del shown[:-200]  # the newest few hundred
        if call.kind == "decide" and code == 409:
            code = 200  # decided meanwhile after an earlier showing of the same page: no fault
        return call.kind, code


def zipf_weights(count: int, exponent: float = 1.0) -> list[float]:
    """Popularity of the 1st, 2nd, … item: proportional to 1 / rank**exponent."""
    return [1.0 / (rank**exponent) for rank in range(1, count + 1)]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def log_in_all(
    base: str, logins: list[str], password: str, *, parallel: int = 8
) -> dict[str, str]:
    """Tokens for every login (e-mail address), a few at a time."""
    gate = asyncio.Semaphore(parallel)
    tokens: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def one(login: str) -> None:
            async with gate:
                answer = await client.post(
                    f"{API}/login/access-token", data={"username": login, "password": password}
                )
                answer.raise_for_status()
                tokens[login] = answer.json()["access_token"]

        await asyncio.gather(*(one(login) for login in logins))
    return tokens
