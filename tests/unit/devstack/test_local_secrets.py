import stat

from mailferry_devstack.local_secrets import ensure_local_secrets
from mailferry_vault import KeyRing


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_secrets_are_created_private_and_usable(tmp_path):
    secrets = ensure_local_secrets(tmp_path / "secrets")

    assert mode(tmp_path / "secrets") == 0o700
    assert mode(secrets.credentials_key_file) == 0o600
    assert mode(tmp_path / "secrets" / "jwt_secret") == 0o600
    ring = KeyRing.parse(secrets.credentials_key_file.read_text(), "test")
    assert ring.primary == "local1"
    assert len(secrets.jwt_secret.get_secret_value()) >= 32


def test_a_second_start_keeps_the_same_secrets(tmp_path):
    first = ensure_local_secrets(tmp_path)
    key = first.credentials_key_file.read_text()

    second = ensure_local_secrets(tmp_path)

    assert second.credentials_key_file.read_text() == key
    assert second.jwt_secret.get_secret_value() == first.jwt_secret.get_secret_value()


def test_loosened_permissions_are_tightened_again(tmp_path):
    secrets = ensure_local_secrets(tmp_path)
    secrets.credentials_key_file.chmod(0o644)

    ensure_local_secrets(tmp_path)

    assert mode(secrets.credentials_key_file) == 0o600


def test_no_temporary_file_is_left_behind(tmp_path):
    ensure_local_secrets(tmp_path)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["credentials.keys", "jwt_secret"]


def test_the_jwt_secret_does_not_show_in_a_repr(tmp_path):
    secrets = ensure_local_secrets(tmp_path)

    assert secrets.jwt_secret.get_secret_value() not in repr(secrets)
