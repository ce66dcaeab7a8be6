"""The client's address behind reverse proxies: X-Forwarded-For counts only when the request
comes from a proxy named in LCMATCH_TRUSTED_PROXIES, since any client can send the header."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _networks(trusted: tuple[str, ...]) -> tuple[tuple[Network, ...], frozenset[str]]:
    networks, names = [], set()
    for entry in trusted:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry)  # a name as the server sees the peer (e.g. a unix socket's)
    return tuple(networks), frozenset(names)


def is_trusted(address: str, trusted: Iterable[str]) -> bool:
    """Whether the peer address is one of the configured proxies (addresses or networks)."""
    networks, names = _networks(tuple(trusted))
    if address in names:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def forwarded_client(peer: str, forwarded_for: str | None, trusted: Iterable[str]) -> str:
    """The client's address: the peer itself, or, when the peer is a trusted proxy, the
    nearest address in X-Forwarded-For that is not a trusted proxy (read from the right:
    the left part is whatever the client wrote)."""
    trusted = tuple(trusted)
    if not forwarded_for or not is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer
