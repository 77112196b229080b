import pytest
from starlette.datastructures import Headers

from mailferry_api.middleware.body_hash import BodyHasher, multipart_boundary


def _hash(body: bytes, boundary: bytes | None, size: int) -> str:
    hasher = BodyHasher(boundary)
    for i in range(0, len(body), size):
        hasher.update(body[i : i + size])
    return hasher.hexdigest()


def _multipart(boundary: bytes) -> bytes:
    return (
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"\r\n\r\n'
        b"source_email,source_password\r\na@x.example,pw\r\n--" + boundary + b"--\r\n"
    )


class TestBodyHasher:
    @pytest.mark.parametrize("size", [1, 3, 7, 64, 10_000])
    def test_the_boundary_does_not_count_however_the_body_is_chunked(self, size):
        one, two = b"a1b2c3d4e5", b"zzzzyyyyxxxx"
        assert _hash(_multipart(one), one, size) == _hash(_multipart(two), two, 10_000)

    def test_the_content_still_counts(self):
        b = b"bnd"
        assert _hash(_multipart(b), b, 5) != _hash(_multipart(b).replace(b"pw", b"px"), b, 5)

    def test_without_a_boundary_it_is_plain_sha256(self):
        import hashlib

        assert _hash(b"hello world", None, 3) == hashlib.sha256(b"hello world").hexdigest()


class TestMultipartBoundary:
    def test_read_from_the_content_type(self):
        headers = Headers({"content-type": 'multipart/form-data; boundary="abc"'})
        assert multipart_boundary(headers) == b"abc"
        assert multipart_boundary(Headers({"content-type": "application/json"})) is None
