from ipaddress import ip_network

import pytest

from mailferry_api.auth.client_address import client_ip

PROXIES = [ip_network("10.0.0.0/8"), ip_network("fd00::/8")]


class TestClientIp:
    @pytest.mark.parametrize(
        ("peer", "forwarded", "expected"),
        [
            ("203.0.113.7", ["198.51.100.1"], "203.0.113.7"),
            ("10.0.0.2", ["198.51.100.1"], "198.51.100.1"),
            ("10.0.0.2", ["1.1.1.1, 198.51.100.1, 10.0.0.9"], "198.51.100.1"),
            ("10.0.0.2", ["1.1.1.1", "198.51.100.1"], "198.51.100.1"),
            ("10.0.0.2", [], "10.0.0.2"),
            ("10.0.0.2", ["10.0.0.3, 10.0.0.4"], "10.0.0.3"),
            ("10.0.0.2", ["garbage, 198.51.100.1"], "198.51.100.1"),
            ("10.0.0.2", ["198.51.100.1, garbage"], "10.0.0.2"),
            ("10.0.0.2", ["198.51.100.1:4711"], "198.51.100.1"),
            ("fd00::1", ["[2001:db8::1]:443"], "2001:db8::1"),
            (None, ["198.51.100.1"], None),
        ],
        ids=[
            "untrusted-peer-ignores-header", "trusted-peer", "rightmost-untrusted-wins",
            "several-headers", "no-header", "all-trusted-leftmost", "garbage-left-of-client",
            "garbage-from-proxy", "port-stripped", "ipv6", "no-peer",
        ],
    )  # fmt: skip
    def test_forwarded_for_is_believed_only_from_trusted_proxies(self, peer, forwarded, expected):
        assert client_ip(peer, forwarded, PROXIES) == expected
