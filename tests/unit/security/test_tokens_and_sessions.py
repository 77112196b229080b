import uuid
from datetime import UTC, datetime, timedelta

from mailferry_api.auth.authenticators import session_cookie
from mailferry_api.auth.sessions import Session, session_credential, session_refusal
from mailferry_api.tokens.format import (
    is_session_token,
    service_token,
    service_token_id,
    session_token,
    token_sha256,
)
from mailferry_api.users.state import UserState
from mailferry_contracts.common import Role

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class TestFormats:
    def test_a_service_token_carries_its_id_and_hashes_stably(self):
        token_id = uuid.uuid4()
        token = service_token(token_id, b"\x01" * 32)
        assert service_token_id(token) == token_id
        assert token_sha256(token) == token_sha256(token)
        assert service_token_id(token + "x") is None
        assert service_token_id("mft_" + "z" * 32 + "_" + "a" * 43) is None

    def test_session_tokens(self):
        assert is_session_token(session_token(b"\x02" * 32))
        assert not is_session_token("mfs_short")

    def test_the_cookie_and_the_bearer_header(self):
        token = session_token(b"\x03" * 32)
        assert session_credential({"authorization": f"Bearer {token}"}) == token
        assert session_credential({"cookie": f"theme=dark; mf_session={token}"}) == token
        assert session_credential({"authorization": "Bearer eyJ.x.y"}) is None
        assert session_cookie({"cookie": "mf_session"}) is None


def _user(**changes) -> UserState:
    base = {"user_id": uuid.uuid4(), "email": "a@example.com", "role": Role.AUDITOR,
            "password_hash": "h", "password_version": 5}  # fmt: skip
    return UserState(**{**base, **changes})


class TestSessionRefusal:
    def _session(self, user: UserState) -> Session:
        return Session(user.user_id, 5, NOW, NOW + timedelta(hours=1))

    def test_a_live_session(self):
        user = _user()
        assert session_refusal(self._session(user), user, NOW) is None

    def test_expired_disabled_or_new_password(self):
        user = _user()
        session = self._session(user)
        assert "expired" in str(session_refusal(session, user, NOW + timedelta(hours=2)))
        assert "disabled" in str(session_refusal(session, _user(disabled=True), NOW))
        assert "password" in str(session_refusal(session, _user(password_version=9), NOW))
        assert "disabled" in str(session_refusal(session, None, NOW))

    def test_a_session_round_trips_through_json(self):
        session = self._session(_user())
        assert Session.from_json(session.to_json()) == session
