import uuid

import pytest

from mailferry_vault import CredentialVault, KeyRing, SecretNotFoundError, generate_key_spec

pytestmark = pytest.mark.integration


async def test_put_get_destroy_round_trip(bus):
    vault = await CredentialVault.open(bus.js, KeyRing.parse(generate_key_spec("k1"), "t"))
    mailbox = uuid.uuid4()
    ref = await vault.put("pa55word", mailbox_id=mailbox)
    assert await vault.get(ref, mailbox_id=mailbox) == "pa55word"
    assert await vault.destroy([ref]) == 1
    with pytest.raises(SecretNotFoundError):
        await vault.get(ref, mailbox_id=mailbox)


async def test_rotation_reseals_under_the_new_primary(bus):
    old = KeyRing.parse(generate_key_spec("old"), "t")
    mailbox = uuid.uuid4()
    ref = await (await CredentialVault.open(bus.js, old)).put("pw", mailbox_id=mailbox)
    new_spec = generate_key_spec("new")
    rotated = KeyRing(keys={**KeyRing.parse(new_spec, "t").keys, **old.keys}, primary="new")
    vault = await CredentialVault.open(bus.js, rotated)
    result = await vault.rotate({ref: mailbox})
    assert result.reencrypted == 1
    only_new = await CredentialVault.open(bus.js, KeyRing.parse(new_spec, "t"))
    assert await only_new.get(ref, mailbox_id=mailbox) == "pw"
