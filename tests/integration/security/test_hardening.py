"""Security headers everywhere, body limits on every write route, unsafe values refused."""

import re
import uuid

import httpx
import pytest

from mailferry_api.routes import api_routes
from mailferry_contracts.common import Role
from tests.integration.api.payloads import API, job_body

pytestmark = pytest.mark.integration
BASELINE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _concrete(path: str) -> str:
    for name in ("job_id", "mailbox_id", "run_id", "user_id", "token_id"):
        path = path.replace("{" + name + "}", str(uuid.uuid4()))
    return path


class TestHeaders:
    @pytest.mark.parametrize(
        ("method", "path", "status"),
        [("GET", "/healthz", 200), ("GET", f"{API}/jobs", 401), ("GET", "/nowhere", 404),
         ("GET", "/api/v1/openapi.json", 200), ("GET", f"{API}/jobs?q=%00", 400)],
    )  # fmt: skip
    async def test_every_response_carries_them(self, client, method, path, status):
        response = await client.request(method, path)
        assert response.status_code == status
        for name, value in BASELINE.items():
            assert response.headers[name] == value
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp.split("style-src")[0]
        assert "strict-transport-security" not in response.headers

    async def test_a_413_carries_them(self, client, auth):
        headers = {**auth(), "Content-Type": "application/json"}
        response = await client.post(
            f"{API}/jobs", content=b"x" * (2 * 1024 * 1024), headers=headers
        )
        assert response.status_code == 413
        assert response.headers["x-frame-options"] == "DENY"

    async def test_hsts_only_over_https(self, app):
        transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 1))
        async with httpx.AsyncClient(transport=transport, base_url="https://api.test") as http:
            direct = await http.get("/healthz")
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            proxied = await http.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        for response in (direct, proxied):
            assert response.headers["strict-transport-security"].startswith("max-age=")

    async def test_the_docs_page_runs_no_inline_script_and_needs_no_internet(self, client):
        page = await client.get("/api/v1/docs")
        assert "<script>" not in page.text
        assert "https://" not in page.text
        csp = page.headers["content-security-policy"]
        assert "script-src 'self';" in csp
        assert "https:" not in csp
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sources == [
            "/ui/favicon.svg",
            "/api/v1/docs/swagger-ui.css",
            "/api/v1/docs/swagger-ui-bundle.js",
            "/api/v1/docs/init.js",
        ]
        for source in sources:
            asset = await client.get(source)
            assert asset.status_code == 200, source
            kind = asset.headers["content-type"].split(";")[0]
            assert kind in ("text/javascript", "text/css", "image/svg+xml"), (source, kind)
        bundle = await client.get("/api/v1/docs/swagger-ui-bundle.js")
        assert b"SwaggerUIBundle" in bundle.content

    async def test_api_responses_are_not_cached(self, client, auth):
        response = await client.get(f"{API}/me", headers=auth())
        assert response.headers["cache-control"] == "no-store"


class TestLimits:
    async def test_every_write_route_refuses_a_body_over_the_limit(self, app, client, auth):
        too_big = b"{" + b" " * (1024 * 1024 + 1) + b"}"
        headers = {**auth(Role.SUPER_ADMIN), "Content-Type": "application/json"}
        writes = [r for r in api_routes(app) if r.method in {"POST", "PATCH", "PUT", "DELETE"}]
        for route in writes:
            if route.path.endswith(("/mailboxes", "/upload-pst")):
                continue  # their own, larger limits (tested in the API suite)
            response = await client.request(route.method, _concrete(route.path), content=too_big,
                                            headers=headers)  # fmt: skip
            assert response.status_code == 413, route


class TestUnsafeValues:
    @pytest.mark.parametrize(
        "override",
        [{"source": {"host": "-oProxyCommand=evil"}}, {"destination": {"host": "mail\r\n.example"}},
         {"options": {"exclude_folders": ["--delete2"]}},
         {"options": {"folder_map": {"INBOX": "-x"}}}, {"notes": "a\x00b"}],
        ids=["dash-host", "crlf-host", "dash-folder", "dash-folder-map", "nul-notes"],
    )  # fmt: skip
    async def test_values_that_would_reach_a_tool_badly_are_422(self, client, auth, override):
        response = await client.post(f"{API}/jobs", json=job_body(**override), headers=auth())
        assert response.status_code == 422

    @pytest.mark.parametrize(
        "row",
        ["a@example.com,--oauthaccesstoken=x,pw1234,b@new.example,pw",
         "a@example.com,user\x00x,pw1234,b@new.example,pw"],
        ids=["dash-user", "nul-user"],
    )  # fmt: skip
    async def test_mailbox_logins_that_would_be_options_are_refused(self, client, auth, row):
        job = (await client.post(f"{API}/jobs", json=job_body(), headers=auth())).json()["job_id"]
        body = "source_email,source_user,source_password,target_email,target_password\n" + row
        response = await client.post(f"{API}/jobs/{job}/mailboxes", content=body.encode(),
                                     headers={**auth(), "Content-Type": "text/csv"})  # fmt: skip
        assert response.status_code == 422
        error = response.json()["details"]["errors"][0]
        assert error["field"] == "source_user" or "NUL" in error["message"]

    async def test_a_nul_in_a_query_is_400_not_a_server_error(self, client, auth):
        response = await client.get(f"{API}/jobs", params={"domain": "a\x00b"}, headers=auth())
        assert response.status_code == 400
