from mailferry_imap.identity import body_digest, header_identity, identity_key
from mailferry_imap.local import BytesMessage, FileMessage, local_identity

WITH_ID = b"From: a@b\r\nSubject: s\r\nMessage-ID: <1@b>\r\n\r\nbody\r\n"
WITHOUT_ID = b"From: a@b\nSubject: s\n\nline one\nline two\n"


class TestLocalIdentity:
    async def test_a_message_with_message_id_is_keyed_by_its_header(self):
        key, has_id = await local_identity(BytesMessage("INBOX", WITH_ID))
        assert has_id
        assert key == header_identity(WITH_ID.split(b"\r\n\r\n")[0]).digest

    async def test_without_message_id_the_body_counts_as_the_server_would_serve_it(self):
        key, has_id = await local_identity(BytesMessage("INBOX", WITHOUT_ID))
        served_body = b"line one\r\nline two\r\n"
        expected = identity_key(
            header_identity(b"From: a@b\r\nSubject: s\r\n\r\n"), body_digest([served_body])
        )
        assert not has_id
        assert key == expected

    async def test_a_file_span_reads_only_its_bytes(self, tmp_path):
        path = tmp_path / "box.mbox"
        path.write_bytes(b"junk before" + WITH_ID + b"junk after")
        message = FileMessage("INBOX", path, offset=len(b"junk before"), length=len(WITH_ID))
        assert message.size == len(WITH_ID)
        assert b"".join([c async for c in message.chunks()]) == WITH_ID
        assert (await local_identity(message))[0] == (
            await local_identity(BytesMessage("x", WITH_ID))
        )[0]
