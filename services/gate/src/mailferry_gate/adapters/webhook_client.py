"""POSTs signed webhook deliveries."""

import httpx

from mailferry_gate.webhooks import AttemptResult


class WebhookClient:
    """One HTTP client shared by every delivery."""

    def __init__(self, timeout_s: float) -> None:
        # No redirects: a signed body must not be forwarded somewhere the operator never set.
        self._client = httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> AttemptResult:
        """Deliver; any 2xx is delivered, anything else (or no answer) is a failed attempt."""
        try:
            response = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            # Only the class: messages of some errors repeat the URL, which may hold a token.
            return AttemptResult(delivered=False, error=type(exc).__name__)
        if response.is_success:
            return AttemptResult(delivered=True, status_code=response.status_code)
        return AttemptResult(
            delivered=False, status_code=response.status_code, error=f"HTTP {response.status_code}"
        )

    async def aclose(self) -> None:
        await self._client.aclose()
