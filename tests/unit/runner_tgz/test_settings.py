import pytest
from pydantic import ValidationError

from mailferry_contracts.common import ServerSettings
from mailferry_runner_tgz.settings import Settings
from mailferry_vault import generate_key_spec

KEY = generate_key_spec("unit")


def settings(**values):
    return Settings(**{"credentials_key": KEY, **values})


@pytest.fixture
def key_files(tmp_path):
    key, known = tmp_path / "key", tmp_path / "known_hosts"
    key.write_text("k")
    known.write_text("h")
    return key, known


class TestDefaults:
    def test_no_ssh_is_needed_to_start(self):
        loaded = settings()
        assert (loaded.carbonio_ssh, loaded.zmmailbox_user, loaded.tgz_import) == (
            "",
            "zimbra",
            "auto",
        )
        assert loaded.zimbra_access("zimbra.example.com") is None
        assert loaded.carbonio_access() is None

    def test_uploads_need_the_vault_key(self, monkeypatch):
        monkeypatch.delenv("MIGRATION_CREDENTIALS_KEY", raising=False)
        monkeypatch.delenv("MIGRATION_CREDENTIALS_KEY_FILE", raising=False)
        with pytest.raises(ValidationError, match="MIGRATION_CREDENTIALS_KEY"):
            Settings()

    def test_an_import_into_carbonio_only_needs_no_vault_key(self, key_files, monkeypatch):
        monkeypatch.delenv("MIGRATION_CREDENTIALS_KEY", raising=False)
        monkeypatch.delenv("MIGRATION_CREDENTIALS_KEY_FILE", raising=False)
        key, known = key_files
        loaded = Settings(
            tgz_import="carbonio",
            carbonio_ssh="root@mail.example.com",
            ssh_key_file=key,
            ssh_known_hosts_file=known,
        )
        assert loaded.carbonio_access() is not None


class TestCarbonio:
    def test_ssh_needs_a_key_and_known_hosts(self):
        with pytest.raises(ValidationError, match="MIGRATION_SSH_KEY_FILE"):
            settings(carbonio_ssh="root@mail.example.com")

    def test_a_complete_ssh_setting(self, key_files):
        key, known = key_files
        loaded = settings(
            carbonio_ssh="root@mail.example.com:2222", ssh_key_file=key, ssh_known_hosts_file=known
        )
        assert str(loaded.ssh_target()) == "root@mail.example.com:2222"
        access = loaded.carbonio_access()
        assert access is not None
        assert (access.run_as, access.key_file) == ("zimbra", key)

    def test_a_bad_target_is_named(self):
        with pytest.raises(ValidationError, match="MIGRATION_CARBONIO_SSH"):
            settings(carbonio_ssh="mail.example.com")

    def test_forcing_carbonio_without_it_is_refused(self):
        with pytest.raises(ValidationError, match="MIGRATION_TGZ_IMPORT=carbonio"):
            settings(tgz_import="carbonio")

    def test_the_import_path_follows_the_job_destination(self, key_files):
        key, known = key_files
        loaded = settings(
            carbonio_ssh="root@Mail.Example.com", ssh_key_file=key, ssh_known_hosts_file=known
        )
        same = ServerSettings(host="mail.example.com", port=993)
        other = ServerSettings(host="imap.elsewhere.example", port=993)
        assert loaded.import_path(same).kind == "carbonio"
        assert loaded.import_path(other).kind == "imap"


class TestZimbraSources:
    def test_source_keys_fall_back_to_the_shared_ones(self, key_files):
        key, known = key_files
        loaded = settings(ssh_key_file=key, ssh_known_hosts_file=known, zimbra_ssh_port=2022)
        access = loaded.zimbra_access("zimbra.example.com")
        assert access is not None
        assert str(access.target) == "root@zimbra.example.com:2022"
        assert (access.key_file, access.known_hosts_file) == (key, known)

    def test_own_source_keys_win(self, key_files, tmp_path):
        key, known = key_files
        own = tmp_path / "own"
        own.write_text("k")
        loaded = settings(
            ssh_key_file=key,
            ssh_known_hosts_file=known,
            zimbra_ssh_key_file=own,
            zimbra_ssh_user="admin",
        )
        access = loaded.zimbra_access("zimbra.example.com")
        assert access is not None
        assert (access.key_file, access.target.user) == (own, "admin")

    def test_a_missing_key_file_is_named(self, tmp_path):
        with pytest.raises(ValidationError, match="MIGRATION_ZIMBRA_SSH_KEY_FILE"):
            settings(zimbra_ssh_key_file=tmp_path / "absent")

    @pytest.mark.parametrize("user", ["root; id", "-oProxyCommand=x", ""])
    def test_a_bad_login_is_named(self, user):
        with pytest.raises(ValidationError, match="MIGRATION_ZIMBRA_SSH_USER"):
            settings(zimbra_ssh_user=user)


def test_a_bad_unix_user_is_named():
    with pytest.raises(ValidationError, match="MIGRATION_ZMMAILBOX_USER"):
        settings(zmmailbox_user="zimbra; id")


def test_the_runner_config_is_the_tgz_kind():
    config = settings(runner_slots=3).runner_config()
    assert (config.kind, config.slots) == ("tgz", 3)
