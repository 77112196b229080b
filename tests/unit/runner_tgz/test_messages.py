import pytest

from mailferry_runner_tgz.messages import subject_of


@pytest.mark.parametrize(
    ("raw", "subject"),
    [
        (b"Subject: Hello\r\n\r\nbody", "Hello"),
        (b"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\tand more\r\n\r\n", "Grüße and more"),
        (b"From: a@b\r\n\r\nSubject: in the body", ""),
        (b"", ""),
        (None, ""),
        (b"\xff\xfe garbage without headers", ""),
    ],
    ids=["plain", "encoded-folded", "body-only", "empty", "none", "garbage"],
)
def test_subject_of(raw, subject):
    assert subject_of(raw) == subject
