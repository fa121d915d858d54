"""The visitor's address: one function, `client_ip(request)`, driven by the trusted-proxy
settings. No other code reads `REMOTE_ADDR` or `X-Forwarded-For` (django-axes included: it is
given this function as `AXES_CLIENT_IP_CALLABLE`).

Settings:
- `TRUSTED_PROXIES`: addresses or CIDR networks of our own reverse proxies. A hop in one of
  them is skipped, walking X-Forwarded-For from the right: the visitor is the first hop that
  is not ours. X-Forwarded-For is read only when REMOTE_ADDR (the peer of the TCP connection)
  is itself one of them, so a client reaching the application directly cannot choose its
  address by sending the header.
- `TRUSTED_PROXY_COUNT`: N proxies always stand in front (the deployment guarantees that
  nothing reaches the application otherwise); the visitor is N hops from the right, counting
  REMOTE_ADDR as the first (the N-th address from the right of X-Forwarded-For). With
  `TRUSTED_PROXIES` as well, the count applies only when REMOTE_ADDR is one of them.
- Neither (the embedded default): REMOTE_ADDR only, every header ignored.

Why not django-ipware (installed, and django-axes' historical choice): its engine reads a
precedence list of some thirty headers (X-Forwarded-For, X-Real-IP, CF-Connecting-IP, …), and
with no proxy configured takes the first routable address any of them holds, so a forged
header wins. Its trusted-proxy list is positional (one entry per hop, matched against the tail
of X-Forwarded-For itself), it never checks the peer address REMOTE_ADDR against it, and it
cannot say "any number of hops inside these networks". The rule we need fits in the twenty
lines below; writing it keeps it readable and tested here.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address as text (IPv4-mapped IPv6 given as IPv4), or None when the
    connection has no usable address."""
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    networks = _trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if not networks and count <= 0:
        return str(peer)
    if networks and not _is_trusted(peer, networks):
        return str(peer)  # not through our proxy: whatever header it sent is its own word
    # Hops the proxies saw, nearest last; REMOTE_ADDR is the hop nearest of all.
    forwarded = [
        hop.strip()
        for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if hop.strip()
    ]
    if count > 0:
        if not forwarded:
            return str(peer)
        # Fewer hops than proxies: the request skipped an outer proxy; the leftmost hop is
        # still one that a proxy of ours wrote.
        hop = _parse(forwarded[-min(count, len(forwarded))])
        return str(hop) if hop is not None else str(peer)
    current = peer
    for raw in reversed(forwarded):
        hop = _parse(raw)
        if hop is None:
            # Garbage where an address should be: our proxies never write that, so it came
            # from the client; the last proxy of ours is the best we know.
            return str(current)
        if not _is_trusted(hop, networks):
            return str(hop)
        current = hop
    return str(current)  # every hop is ours: a request from inside (a health check)


def _parse(text: str) -> IPAddress | None:
    """An address as written in REMOTE_ADDR or X-Forwarded-For: `1.2.3.4`, `1.2.3.4:5678`,
    `2001:db8::1`, `[2001:db8::1]:5678`."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    try:
        return tuple(
            ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()
        )
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES holds something that is not an address or network: {exc}"
        ) from exc


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)
