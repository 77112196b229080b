from ipaddress import ip_network

import pytest

from mailferry_api.auth.transport import is_https
from mailferry_api.middleware.url_hygiene import url_problem


@pytest.mark.parametrize(("path", "query"), [("/a", b"q=%00"), ("/a\x00", b""), ("/a", b"q=a%0Db")])
def test_control_characters_in_the_url_are_refused(path, query):
    assert url_problem(path, query) is not None


def test_ordinary_urls_pass():
    assert url_problem("/api/v1/migration/jobs", b"domain=example.com&limit=5") is None


def test_forwarded_proto_only_from_a_trusted_proxy():
    proxies = [ip_network("10.0.0.0/8")]
    assert is_https("http", "10.1.1.1", "https", proxies)
    assert not is_https("http", "203.0.113.9", "https", proxies)
    assert is_https("https", None, None, [])
