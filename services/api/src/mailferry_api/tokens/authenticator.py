"""The chain link for service tokens (the wizard's): checked against the live directory."""

import hmac
from collections.abc import Callable, Mapping
from datetime import datetime

from mailferry_api.auth.authenticators import AuthResult, Rejection, bearer_token
from mailferry_api.auth.principal import ServicePrincipal
from mailferry_api.tokens.format import service_token_id, token_sha256
from mailferry_api.users.state import Directory


class ServiceTokenAuthenticator:
    """``Authorization: Bearer mft_...``; unknown, revoked or expired tokens are rejected."""

    def __init__(self, directory: Callable[[], Directory], clock: Callable[[], datetime]) -> None:
        self._directory = directory
        self._clock = clock

    async def authenticate(self, headers: Mapping[str, str]) -> AuthResult:
        token = bearer_token(headers)
        token_id = service_token_id(token) if token else None
        if token is None or token_id is None:
            return None
        state = self._directory().tokens.get(token_id)
        if state is None or not hmac.compare_digest(state.token_sha256, token_sha256(token)):
            return Rejection("unknown service token")
        if not state.usable(self._clock()):
            return Rejection("service token revoked or expired")
        return ServicePrincipal(name=state.name, scope=state.scope, token_id=token_id)
