"""Everything authentication holds while the API runs, and the chain built from it.

Created by ``create_app`` (the chain must exist before the middleware is built) and started
in the lifespan, once NATS is connected: the live directory, the sessions and throttle
buckets, the user administration.
"""

import logging
from dataclasses import dataclass, field

from mailferry_api.auth.authenticators import Authenticator, AuthenticatorChain, JwtAuthenticator
from mailferry_api.auth.jwks import JwksAuthenticator, JwksCache
from mailferry_api.auth.lockout import Policy
from mailferry_api.auth.passwords import Passwords
from mailferry_api.auth.ratelimit import RateLimiter
from mailferry_api.auth.sessions import SessionAuthenticator, SessionStore
from mailferry_api.auth.throttle import LoginThrottle
from mailferry_api.settings import AuthSettings
from mailferry_api.tokens.authenticator import ServiceTokenAuthenticator
from mailferry_api.users.admin import UserAdmin
from mailferry_api.users.directory import LiveDirectory
from mailferry_api.users.state import Directory
from mailferry_bus import Bus, utc_now
from mailferry_contracts import subjects

log = logging.getLogger(__name__)


def unchecked_gateway_claims(settings: AuthSettings) -> list[str]:
    """The variables whose absence lets a gateway token from any issuer or audience in."""
    if settings.jwt_secret is None and not settings.jwt_jwks_url:
        return []
    names = {
        "MIGRATION_JWT_ISSUER": settings.jwt_issuer,
        "MIGRATION_JWT_AUDIENCE": settings.jwt_audience,
    }
    return [name for name, value in names.items() if not value]


class NotStartedError(RuntimeError):
    """Used before the lifespan started it."""


@dataclass
class Security:
    """Authentication state of one API process."""

    settings: AuthSettings
    passwords: Passwords = field(default_factory=Passwords)
    directory: LiveDirectory = field(default_factory=LiveDirectory)
    _sessions: SessionStore | None = None
    _throttle: LoginThrottle | None = None
    _admin: UserAdmin | None = None

    def __post_init__(self) -> None:
        self.login_limiter = RateLimiter(self.settings.login_rate_per_minute)
        self.token_limiter = RateLimiter(self.settings.token_rate_per_minute)

    async def start(self, bus: Bus) -> None:
        """Open the buckets and catch the directory up with the log."""
        s = self.settings
        self._sessions = SessionStore(
            await bus.js.key_value(subjects.SESSIONS_BUCKET), s.session_ttl_s
        )
        self._throttle = LoginThrottle(
            await bus.js.key_value(subjects.AUTH_THROTTLE_BUCKET),
            account=Policy(s.login_account_threshold, s.login_lock_base_s, s.login_lock_max_s,
                           s.login_window_s),
            address=Policy(s.login_address_threshold, s.login_lock_base_s, s.login_lock_max_s,
                           s.login_window_s),
        )  # fmt: skip
        self._admin = UserAdmin(bus, self.passwords)
        await self.directory.start(bus)

    async def stop(self) -> None:
        """Stop following the log."""
        await self.directory.stop()

    @property
    def sessions(self) -> SessionStore:
        if self._sessions is None:
            raise NotStartedError("sessions are not open yet")
        return self._sessions

    @property
    def throttle(self) -> LoginThrottle:
        if self._throttle is None:
            raise NotStartedError("the login throttle is not open yet")
        return self._throttle

    @property
    def admin(self) -> UserAdmin:
        if self._admin is None:
            raise NotStartedError("user administration is not open yet")
        return self._admin

    def current_directory(self) -> Directory:
        """The live directory's state now."""
        return self.directory.current


def authenticator_chain(settings: AuthSettings, security: Security) -> AuthenticatorChain:
    """The ways a caller can authenticate, most specific first; routes never change."""
    unchecked = unchecked_gateway_claims(settings)
    if unchecked:
        # Kept optional (a single-tenant gateway may not set them), but never silently.
        log.warning(
            "gateway tokens are accepted whatever their %s: set %s",
            " and ".join(n.removeprefix("MIGRATION_JWT_").lower() for n in unchecked),
            " and ".join(unchecked),
        )
    links: list[Authenticator] = [
        SessionAuthenticator(lambda: security.sessions, security.current_directory, utc_now),
        ServiceTokenAuthenticator(security.current_directory, utc_now),
    ]
    if settings.jwt_secret is not None:
        links.append(
            JwtAuthenticator(
                settings.jwt_secret.get_secret_value(),
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                leeway_s=settings.jwt_leeway_s,
            )
        )
    if settings.jwt_jwks_url:
        cache = JwksCache(
            settings.jwt_jwks_url,
            max_age_s=settings.jwks_cache_s,
            min_refresh_s=settings.jwks_min_refresh_s,
        )
        links.append(
            JwksAuthenticator(
                cache,
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                leeway_s=settings.jwt_leeway_s,
            )
        )
    return AuthenticatorChain(links)
