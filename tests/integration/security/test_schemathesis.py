"""A bounded schemathesis run over every operation of the OpenAPI: no 5xx, ever.

The API runs for real (uvicorn on a free loopback port, NATS and PostgreSQL from the session's
fixtures); requests carry a super admin's token, or the wizard's service token on the wizard's
routes, so every operation is reached past the guard. The whole run must stay under two minutes
in CI (the issue's bound), so the test's own timeout says so.
"""

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from mailferry_api.auth.guard import PERMISSION_KEY
from mailferry_api.auth.permissions import Permission
from mailferry_api.auth.tokens import issue_token
from mailferry_api.main import create_app
from mailferry_api.settings import ApiSettings
from mailferry_bus import utc_now
from mailferry_contracts.common import Role
from tests.integration.api.payloads import csv_file, job_body

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]
MAX_EXAMPLES = 25
"""Per operation; keeps the whole run well under two minutes on two cores."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(api_settings: ApiSettings) -> Iterator[tuple[str, dict[str, Any]]]:
    """The API over HTTP, and its OpenAPI document."""
    app = create_app(api_settings)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           proxy_headers=False, lifespan="on"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the API did not start"
        assert time.monotonic() < deadline, "the API did not start within 30 s"
        time.sleep(0.05)  # a thread's start, not a test's settling: there is no event to await
    yield f"http://127.0.0.1:{port}", app.openapi()
    server.should_exit = True
    thread.join(timeout=30)


def _real_ids(base_url: str, headers: dict[str, str]) -> dict[str, str]:
    """A job with mailboxes, so that generated requests also reach past the 404s."""
    job = requests.post(f"{base_url}/api/v1/migration/jobs", json=job_body(), headers=headers,
                        timeout=30).json()["job_id"]  # fmt: skip
    imported = requests.post(
        f"{base_url}/api/v1/migration/jobs/{job}/mailboxes", data=csv_file(3),
        headers={**headers, "Content-Type": "text/csv"}, timeout=30,
    ).json()  # fmt: skip
    return {"job_id": job, "mailbox_id": imported["mailbox_ids"][0]}


def _strategy(operation: Any, ids: dict[str, str]) -> st.SearchStrategy[Any]:
    names = {p.name for p in operation.path_parameters}
    known = {name: value for name, value in ids.items() if name in names}
    choices = [operation.as_strategy(GenerationMode.POSITIVE),
               operation.as_strategy(GenerationMode.NEGATIVE)]  # fmt: skip
    if known:
        choices.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known))
    return st.one_of(choices)


def _wizard_headers(base_url: str, headers: dict[str, str]) -> dict[str, str]:
    issued = requests.post(f"{base_url}/api/v1/auth/service-tokens", headers=headers, timeout=30,
                           json={"name": "schemathesis", "scope": "wizard"})  # fmt: skip
    assert issued.status_code == 201, issued.text
    return {"Authorization": f"Bearer {issued.json()['token']}"}


def _permission(document: dict[str, Any], operation: Any) -> str:
    return str(document["paths"][operation.path][operation.method.lower()][PERMISSION_KEY])


def test_no_operation_answers_with_a_server_error(served, api_settings):
    base_url, document = served
    token = issue_token(api_settings, user="root@example.com", role=Role.SUPER_ADMIN,
                        ttl_s=900, now=utc_now())  # fmt: skip
    admin = {"Authorization": f"Bearer {token}"}
    wizard = _wizard_headers(base_url, admin)
    ids = _real_ids(base_url, admin)
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 25
    failures: list[str] = []
    statuses: dict[str, set[int]] = {}
    for operation in operations:

        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=_strategy(operation, ids))
        def explore(case: Any) -> None:
            wizard_route = _permission(document, case.operation) == Permission.WIZARD
            headers = wizard if wizard_route else admin
            response = case.call(base_url=base_url, headers=headers, timeout=30)
            statuses.setdefault(case.operation.label, set()).add(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} "
                                f"{response.text[:200]}")  # fmt: skip

        explore()
    assert failures == []
    # The wizard's routes were reached past the guard, not turned away at it.
    for label in ("GET /api/v1/migration/gate", "POST /api/v1/migration/dns-applied"):
        assert statuses[label] - {401, 403}, (label, statuses[label])
