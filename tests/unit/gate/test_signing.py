import pytest

from mailferry_gate.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    signature,
    signed_headers,
    verify,
)

SECRET = "s3cr3t-shared-with-the-wizard"
BODY = b'{"type":"GateReady","notification_id":"n-1"}'
NOW = 1_790_000_000


def headers(secret: str = SECRET, at: int = NOW, body: bytes = BODY) -> dict[str, str]:
    return signed_headers(secret, at, body)


def check(sent: dict[str, str], body: bytes = BODY, now: int = NOW) -> None:
    verify(SECRET, body, sent.get(TIMESTAMP_HEADER), sent.get(SIGNATURE_HEADER), now=now)


class TestVerify:
    def test_a_genuine_delivery_verifies(self):
        check(headers())

    def test_the_signature_is_hmac_sha256_of_timestamp_dot_body(self):
        # Receivers in other languages reproduce it from this known vector.
        assert signature("key", 1, b"{}") == (
            "v1=" + __import__("hmac").new(b"key", b"1.{}", "sha256").hexdigest()
        )

    @pytest.mark.parametrize(
        ("sent", "body", "now", "why"),
        [
            (headers(), BODY + b" ", NOW, "does not match"),
            (headers(secret="another-secret-entirely"), BODY, NOW, "does not match"),
            (headers(at=NOW - 301), BODY, NOW, "away from now"),
            (headers(at=NOW + 301), BODY, NOW, "away from now"),
            ({SIGNATURE_HEADER: headers()[SIGNATURE_HEADER]}, BODY, NOW, "missing"),
            ({TIMESTAMP_HEADER: "soon", SIGNATURE_HEADER: "v1=00"}, BODY, NOW, "whole number"),
            ({**headers(), TIMESTAMP_HEADER: str(NOW + 1)}, BODY, NOW, "does not match"),
        ],
        ids=[
            "tampered-body",
            "wrong-secret",
            "replayed-too-late",
            "from-the-future",
            "no-timestamp",
            "timestamp-not-a-number",
            "timestamp-changed",
        ],
    )
    def test_a_forged_or_stale_delivery_is_refused(self, sent, body, now, why):
        with pytest.raises(SignatureError, match=why):
            check(sent, body, now)

    def test_one_matching_signature_among_several_is_enough(self):
        sent = headers()
        sent[SIGNATURE_HEADER] = f"v1=deadbeef, {sent[SIGNATURE_HEADER]}"
        check(sent)

    def test_the_edge_of_the_window_is_accepted(self):
        check(headers(at=NOW - 300))
