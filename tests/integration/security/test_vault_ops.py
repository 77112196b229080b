"""Key rotation from the event log, key checks at start, on a NATS server of the test alone."""

import uuid
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from mailferry_api.main import create_app
from mailferry_api.settings import ApiSettings
from mailferry_bus import Bus, BusSettings, open_bus, utc_now
from mailferry_contracts import Actor, ActorKind, new_envelope
from mailferry_contracts.jobs import MailboxCredentialsUpdated, MailboxesImported, MailboxSpec
from mailferry_vault import (
    CredentialVault,
    KeyRing,
    KeyRingError,
    VaultSettings,
    generate_key_spec,
    open_checked_vault,
)
from mailferry_vault.__main__ import main as vault_main
from mailferry_vault.rotation import rotate_all

pytestmark = pytest.mark.integration
ACTOR = Actor(kind=ActorKind.USER, user="tech", role="technician")
OLD, NEW = generate_key_spec("k1"), generate_key_spec("k2")


@pytest.fixture
async def own_bus(private_nats) -> AsyncIterator[Bus]:
    connected = await open_bus(BusSettings(nats_url=private_nats.url), "tests")
    yield connected
    await connected.close()


def _vault_settings(spec: str) -> VaultSettings:
    return VaultSettings(credentials_key=SecretStr(spec))


async def _import(bus: Bus, vault: CredentialVault, count: int) -> dict[str, tuple[uuid.UUID, str]]:
    """A job whose mailboxes' passwords are in the vault; ref -> (mailbox, password)."""
    job_id, stored, specs = uuid.uuid4(), {}, []
    for n in range(count):
        mailbox = uuid.uuid4()
        password = f"secret-{n}-{uuid.uuid4().hex[:6]}"
        ref = await vault.put(password, mailbox_id=mailbox)
        stored[ref] = (mailbox, password)
        specs.append(MailboxSpec(mailbox_id=mailbox, source_email=f"u{n}@example.com",
                                 source_user=f"u{n}", target_email=f"u{n}@example.com",
                                 target_user=f"u{n}", source_credential_ref=ref))  # fmt: skip
    event = MailboxesImported(import_id=uuid.uuid4(), origin="json", batch=1, batch_count=1,
                              mailboxes=specs)  # fmt: skip
    await bus.events.append(
        [new_envelope(event, aggregate_id=str(job_id), actor=ACTOR, now=utc_now())]
    )
    return stored


class TestRotation:
    async def test_every_known_secret_opens_with_the_new_key_alone(self, own_bus):
        vault = await open_checked_vault(own_bus.js, _vault_settings(OLD), "test")
        stored = await _import(own_bus, vault, 5)
        orphan = await vault.put("debris-secret", mailbox_id=uuid.uuid4())
        rotating = await open_checked_vault(own_bus.js, _vault_settings(f"{NEW},{OLD}"), "test")
        report = await rotate_all(own_bus, rotating)
        assert (report.result.reencrypted, report.result.already_current) == (5, 0)
        assert report.unknown == [orphan]
        assert report.keys_in_use == {"k2": 5, "k1": 1}
        new_only = CredentialVault(rotating._kv, KeyRing.parse(NEW, "MIGRATION_CREDENTIALS_KEY"))
        for ref, (mailbox, password) in stored.items():
            assert await new_only.get(ref, mailbox_id=mailbox) == password
        assert await rotating.key_id_of(orphan) == "k1"
        # k1 still seals the orphan, so the ring must keep it; a vault without it refuses.
        with pytest.raises(KeyRingError, match="lacks key 'k1'"):
            await open_checked_vault(own_bus.js, _vault_settings(NEW), "test")
        again = await rotate_all(own_bus, rotating)
        assert (again.result.reencrypted, again.result.already_current) == (0, 5)

    async def test_a_replaced_credential_is_rotated_under_its_mailbox(self, own_bus):
        vault = await open_checked_vault(own_bus.js, _vault_settings(OLD), "test")
        stored = await _import(own_bus, vault, 1)
        mailbox = next(iter(stored.values()))[0]
        new_ref = await vault.put("replacement-pw", mailbox_id=mailbox)
        event = MailboxCredentialsUpdated(mailbox_id=mailbox, source_credential_ref=new_ref)
        envelope = new_envelope(event, aggregate_id=str(uuid.uuid4()), actor=ACTOR, now=utc_now())
        await own_bus.events.append([envelope])
        rotating = await open_checked_vault(own_bus.js, _vault_settings(f"{NEW},{OLD}"), "test")
        report = await rotate_all(own_bus, rotating)
        assert report.result.reencrypted == 2
        assert report.unknown == []
        assert report.retired == ["k1"]
        await open_checked_vault(own_bus.js, _vault_settings(NEW), "test")  # k1 may go now

    async def test_the_command_reports_counts(self, own_bus, private_nats, monkeypatch, capsys):
        vault = await open_checked_vault(own_bus.js, _vault_settings(OLD), "test")
        await _import(own_bus, vault, 3)
        monkeypatch.setenv("MIGRATION_NATS_URL", private_nats.url)
        monkeypatch.setenv("MIGRATION_CREDENTIALS_KEY", f"{NEW},{OLD}")
        monkeypatch.delenv("MIGRATION_CREDENTIALS_KEY_FILE", raising=False)
        import asyncio

        status = await asyncio.to_thread(vault_main, ["rotate"])
        out = capsys.readouterr().out
        assert status == 0
        assert "re-encrypted: 3" in out
        assert "primary key: k2" in out


class TestKeyChecksAtStart:
    async def test_a_wrong_key_for_a_known_id_fails_naming_the_variable(self, own_bus):
        await open_checked_vault(own_bus.js, _vault_settings(OLD), "test")
        with pytest.raises(KeyRingError, match=r"mailferry-runner-imap cannot start: "
                           r"MIGRATION_CREDENTIALS_KEY: key 'k1' is not the key"):  # fmt: skip
            await open_checked_vault(own_bus.js, _vault_settings(generate_key_spec("k1")),
                                     "mailferry-runner-imap")  # fmt: skip

    async def test_dropping_a_key_that_still_seals_secrets_fails(self, own_bus):
        vault = await open_checked_vault(own_bus.js, _vault_settings(OLD), "test")
        await vault.put("pw-still-under-k1", mailbox_id=uuid.uuid4())
        with pytest.raises(KeyRingError, match="lacks key 'k1'"):
            await open_checked_vault(own_bus.js, _vault_settings(NEW), "test")

    async def test_the_api_does_not_start_with_a_wrong_key(self, own_bus, private_nats, pg_dsn):
        await open_checked_vault(own_bus.js, _vault_settings(OLD), "test")
        settings = ApiSettings(
            nats_url=private_nats.url, database_url=pg_dsn, jwt_secret=SecretStr("j" * 40),
            credentials_key=SecretStr(generate_key_spec("k1")),
        )  # fmt: skip
        app = create_app(settings)
        with pytest.raises(
            KeyRingError, match="mailferry-api cannot start: MIGRATION_CREDENTIALS_KEY"
        ):
            async with app.router.lifespan_context(app):
                pass

    def test_the_rotate_command_without_a_key_says_which_variable(self, monkeypatch, capsys):
        monkeypatch.delenv("MIGRATION_CREDENTIALS_KEY", raising=False)
        monkeypatch.delenv("MIGRATION_CREDENTIALS_KEY_FILE", raising=False)
        monkeypatch.setenv("MIGRATION_NATS_URL", "nats://127.0.0.1:1")
        assert vault_main(["rotate"]) == 2
        assert "MIGRATION_CREDENTIALS_KEY" in capsys.readouterr().err
