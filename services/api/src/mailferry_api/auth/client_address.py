"""The client's IP address: ``X-Forwarded-For`` is believed only from trusted proxies.

Pure. Walks the forwarded chain from the right (the hop our proxy added) and stops at the first
address that is not a trusted proxy: anything left of it was written by the client and may lie.
"""

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

Network = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address


def _parse(value: str) -> Address | None:
    text = value.strip().strip('"')
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ip_address(text)
    except ValueError:
        return None


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def forwarded_chain(headers: Iterable[str]) -> list[str]:
    """Every hop of every ``X-Forwarded-For`` header, left to right."""
    return [hop.strip() for header in headers for hop in header.split(",") if hop.strip()]


def client_ip(
    peer: str | None, forwarded_for: Sequence[str], proxies: Sequence[Network]
) -> str | None:
    """The address to audit: the peer, or the nearest untrusted hop when the peer is a proxy."""
    peer_address = _parse(peer) if peer else None
    if peer_address is None or not _trusted(peer_address, proxies):
        return peer
    current = peer_address
    for hop in reversed(forwarded_chain(forwarded_for)):
        address = _parse(hop)
        if address is None:
            break
        current = address
        if not _trusted(address, proxies):
            break
    return str(current)
