import pytest

from mailferry_vault import DecryptionError, KeyRing, KeyRingError, VaultSettings, generate_key_spec


def _ring(*kids: str) -> KeyRing:
    return KeyRing.parse(",".join(generate_key_spec(k) for k in kids), "test")


class TestKeyRing:
    def test_sealed_secret_opens_with_the_same_associated_data(self):
        ring = _ring("k1")
        assert ring.open(ring.seal(b"s3cret", b"ref|mbx"), b"ref|mbx") == b"s3cret"

    def test_blob_bound_to_another_mailbox_does_not_open(self):
        ring = _ring("k1")
        with pytest.raises(DecryptionError, match="authenticate"):
            ring.open(ring.seal(b"s3cret", b"ref|mbx-1"), b"ref|mbx-2")

    def test_blob_does_not_contain_the_plaintext(self):
        assert b"s3cret" not in _ring("k1").seal(b"s3cret", b"a")

    def test_an_old_key_still_opens_what_it_sealed(self):
        old = _ring("k1")
        blob = old.seal(b"s", b"a")
        rotated = KeyRing(keys={"k2": _ring("k2").keys["k2"], **old.keys}, primary="k2")
        assert rotated.open(blob, b"a") == b"s"
        assert rotated.key_id_of(rotated.seal(b"s", b"a")) == "k2"

    def test_a_wrong_key_fails_loudly(self):
        blob = _ring("k1").seal(b"s", b"a")
        with pytest.raises(DecryptionError):
            _ring("k1").open(blob, b"a")

    @pytest.mark.parametrize(
        ("spec", "message"),
        [
            ("", "holds no key"),
            ("nokid", "not 'keyid:base64key'"),
            ("k1:!!!", "not valid base64"),
            ("k1:c2hvcnQ=", "AES-256 needs 32"),
        ],
    )
    def test_malformed_key_material_is_named(self, spec, message):
        with pytest.raises(KeyRingError, match=message):
            KeyRing.parse(spec, "MIGRATION_CREDENTIALS_KEY")


def test_missing_key_names_the_variable():
    with pytest.raises(KeyRingError, match="MIGRATION_CREDENTIALS_KEY"):
        VaultSettings(credentials_key=None, credentials_key_file=None).keyring()
