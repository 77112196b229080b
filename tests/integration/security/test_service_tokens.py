import pytest

from mailferry_contracts.common import Role
from tests.integration.api.payloads import API
from tests.integration.security.conftest import AUTH, bearer

pytestmark = pytest.mark.integration
TOKENS = f"{AUTH}/service-tokens"


class TestServiceTokens:
    async def test_issued_once_listed_without_secret_revoked_for_good(self, client, auth, bus):
        admin = auth(Role.SUPER_ADMIN, "root@example.com")
        issued = await client.post(TOKENS, json={"name": "wizard-prod", "scope": "wizard"},
                                   headers=admin)  # fmt: skip
        assert issued.status_code == 201
        token = issued.json()["token"]
        assert token.startswith("mft_")
        listed = (await client.get(TOKENS, headers=admin)).json()["items"]
        mine = [t for t in listed if t["token_id"] == issued.json()["token_id"]]
        assert mine[0]["issued_by"] == "root@example.com"
        assert "token" not in mine[0]
        assert token not in str(listed)
        events, _ = await bus.events.load("user", issued.json()["token_id"])
        assert token not in events[0].raw.decode()
        assert (await client.get(f"{API}/jobs", headers=bearer(token))).status_code == 403
        revoked = await client.delete(f"{TOKENS}/{issued.json()['token_id']}", headers=admin)
        assert revoked.status_code == 204
        assert (await client.get(f"{API}/jobs", headers=bearer(token))).status_code == 401

    async def test_only_super_admins_manage_tokens(self, client, auth):
        response = await client.post(TOKENS, json={"name": "x", "scope": "wizard"},
                                     headers=auth(Role.OPS_LEAD))  # fmt: skip
        assert response.status_code == 403

    async def test_a_tampered_token_is_refused(self, client, wizard_token):
        token = await wizard_token()
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        response = await client.get(f"{API}/jobs", headers=bearer(forged))
        assert response.status_code == 401
        assert response.json()["message"] == "unknown service token"

    async def test_token_requests_are_rate_limited_per_address(self, lone_client, auth):
        admin = auth(Role.SUPER_ADMIN, "root@example.com")
        statuses = {(await lone_client.get(TOKENS, headers=admin)).status_code for _ in range(35)}
        assert statuses == {200, 429}
