"""HMAC-SHA256 signatures of webhook deliveries, and their verification by a receiver.

A delivery carries ``X-Mailferry-Timestamp: <unix seconds>`` and
``X-Mailferry-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``. Signing the
timestamp with the body lets a receiver refuse a captured request replayed later (outside the
window); within the window, receivers deduplicate on the notification id in the body.
A receiver rotating its secret may be sent several comma-separated signatures; one match is
enough.
"""

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Mailferry-Timestamp"
SIGNATURE_HEADER = "X-Mailferry-Signature"
NOTIFICATION_HEADER = "X-Mailferry-Notification-Id"
DEFAULT_WINDOW_S = 300
_SCHEME = "v1="


class SignatureError(ValueError):
    """The request is not a genuine, fresh delivery; answer 401 and ignore it."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return _SCHEME + mac.hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Timestamp and signature headers of one delivery."""
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature_header: str | None,
    *,
    now: int,
    window_s: int = DEFAULT_WINDOW_S,
) -> None:
    """Raise ``SignatureError`` unless the headers sign ``body`` within ``window_s`` of ``now``."""
    if not timestamp or not signature_header:
        raise SignatureError("missing timestamp or signature header")
    try:
        sent = int(timestamp)
    except ValueError as exc:
        raise SignatureError("timestamp is not a whole number of seconds") from exc
    if abs(now - sent) > window_s:
        raise SignatureError(f"timestamp is more than {window_s}s away from now")
    expected = signature(secret, sent, body)
    offered = [part.strip() for part in signature_header.split(",")]
    if not any(hmac.compare_digest(candidate, expected) for candidate in offered):
        raise SignatureError("signature does not match")
