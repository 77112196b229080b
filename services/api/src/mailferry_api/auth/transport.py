"""Whether the client reached us over HTTPS (for HSTS and the cookie's Secure flag). Pure.

``X-Forwarded-Proto`` is believed only from a trusted proxy, like ``X-Forwarded-For``.
"""

from collections.abc import Sequence
from ipaddress import ip_address

from mailferry_api.auth.client_address import Network


def is_https(
    scheme: str, peer: str | None, forwarded_proto: str | None, proxies: Sequence[Network]
) -> bool:
    """The connection's scheme, or the trusted proxy's word for the client's."""
    if scheme == "https":
        return True
    if not forwarded_proto or not peer:
        return False
    try:
        address = ip_address(peer)
    except ValueError:
        return False
    trusted = any(address.version == net.version and address in net for net in proxies)
    return trusted and forwarded_proto.split(",")[0].strip().lower() == "https"
