from dataclasses import dataclass
from typing import Any

import pytest

from mailferry_api.tokens.format import session_audit_id, session_token, token_sha256
from mailferry_api.users import commands
from mailferry_api.users.state import Directory, fold
from mailferry_contracts import Actor, ActorKind, Envelope
from mailferry_contracts.common import Role
from mailferry_contracts.users import (
    LoginFailure,
    LoginMethod,
    UserLoggedIn,
    UserLoggedOut,
    UserLoginFailed,
    user_id_for,
)
from tests.fixtures.factories import WHEN

ADMIN = Actor(kind=ActorKind.USER, user="root", role="super_admin")
EMAIL = "alice@example.com"
SESSION = "ab" * 16
CLIENT: dict[str, Any] = {"ip": "198.51.100.9", "user_agent": "Firefox", "now": WHEN}


@dataclass
class _Stored:
    sequence: int
    envelope: Envelope[Any]


def _stored(envelopes: list[Envelope[Any]], start: int) -> list[_Stored]:
    return [_Stored(n, env) for n, env in enumerate(envelopes, start=start)]


def _directory(*, disabled: bool = False) -> Directory:
    log = _stored(
        commands.user_created(fold([]), EMAIL, Role.OPS_LEAD, "h1", actor=ADMIN, now=WHEN), 1
    )
    if disabled:
        log += _stored(commands.user_disabled(fold(log), EMAIL, "", actor=ADMIN, now=WHEN), 2)
    return fold(log)


class TestLoggedIn:
    def test_the_person_is_the_actor_from_their_address(self):
        [env] = commands.logged_in(_directory(), "Alice@Example.com", 1, SESSION, **CLIENT)
        assert env.payload == UserLoggedIn(session_id=SESSION, method=LoginMethod.PASSWORD)
        assert env.aggregate_id == str(user_id_for(EMAIL))
        assert (env.actor.kind, env.actor.user, env.actor.role) == (
            ActorKind.USER, EMAIL, "ops_lead",
        )  # fmt: skip
        assert (env.actor.ip, env.actor.user_agent) == ("198.51.100.9", "Firefox")

    def test_a_password_changed_since_the_check_records_nothing(self):
        assert commands.logged_in(_directory(), EMAIL, 0, SESSION, **CLIENT) == []

    def test_a_user_disabled_since_the_check_records_nothing(self):
        assert commands.logged_in(_directory(disabled=True), EMAIL, 1, SESSION, **CLIENT) == []


class TestLoginFailed:
    @pytest.mark.parametrize(
        ("disabled", "locked_out", "reason"),
        [
            (False, False, LoginFailure.WRONG_PASSWORD),
            (True, False, LoginFailure.DISABLED),
            (False, True, LoginFailure.LOCKED_OUT),
            (True, True, LoginFailure.LOCKED_OUT),
        ],
        ids=["wrong-password", "disabled", "locked-out", "locked-out-beats-disabled"],
    )
    def test_the_reason(self, disabled, locked_out, reason):
        directory = _directory(disabled=disabled)
        [env] = commands.login_failed(directory, EMAIL, locked_out=locked_out, **CLIENT)
        assert env.payload == UserLoginFailed(reason=reason)
        assert (env.actor.user, env.actor.ip) == (EMAIL, "198.51.100.9")

    def test_an_address_that_names_nobody_is_never_recorded(self):
        assert commands.login_failed(_directory(), "bob@example.com", locked_out=False,
                                     **CLIENT) == []  # fmt: skip
        assert commands.login_failed(fold([]), EMAIL, locked_out=True, **CLIENT) == []


class TestLoggedOut:
    def test_the_session_ends_with_the_caller_as_actor(self):
        [env] = commands.logged_out(_directory(), EMAIL, SESSION, actor=ADMIN, now=WHEN)
        assert env.payload == UserLoggedOut(session_id=SESSION)
        assert env.actor == ADMIN

    def test_nobody_to_log_out(self):
        assert commands.logged_out(fold([]), EMAIL, SESSION, actor=ADMIN, now=WHEN) == []


class TestSessionAuditId:
    def test_neither_the_token_nor_its_key_but_stable(self):
        token = session_token(b"\x07" * 32)
        key = token_sha256(token)
        audit_id = session_audit_id(key)
        assert audit_id == session_audit_id(key)
        assert audit_id not in (token, key)
        assert audit_id not in key
        UserLoggedIn(session_id=audit_id, method=LoginMethod.PASSWORD)  # matches the pattern

    def test_the_contract_refuses_a_token_as_session_id(self):
        with pytest.raises(ValueError, match="session_id"):
            UserLoggedIn(session_id=session_token(b"\x07" * 32), method=LoginMethod.PASSWORD)
