import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from mailferry_api.errors import ConflictError, NotFoundError
from mailferry_api.users import commands
from mailferry_api.users.state import fold
from mailferry_contracts import Actor, ActorKind, Envelope
from mailferry_contracts.common import Role
from mailferry_contracts.users import ServiceScope
from tests.fixtures.factories import WHEN

ACTOR = Actor(kind=ActorKind.USER, user="root", role="super_admin")


@dataclass
class _Stored:
    sequence: int
    envelope: Envelope[Any]


def _stored(envelopes: list[Envelope[Any]], start: int = 1) -> list[_Stored]:
    return [_Stored(start + n, env) for n, env in enumerate(envelopes)]


class TestUserFold:
    def test_create_disable_enable_change_password(self):
        email = "alice@example.com"
        log = _stored(commands.user_created(fold([]), email, Role.OPS_LEAD, "h1", actor=ACTOR,
                                            now=WHEN))  # fmt: skip
        directory = fold(log)
        alice = directory.user("ALICE@example.com")
        assert alice is not None
        assert alice.role == Role.OPS_LEAD
        log += _stored(commands.user_disabled(directory, email, "", actor=ACTOR, now=WHEN), 2)
        log += _stored(commands.password_changed(fold(log), email, "h2", actor=ACTOR, now=WHEN), 3)
        user = fold(log).user(email)
        assert user is not None
        assert (user.disabled, user.password_hash, user.password_version) == (True, "h2", 3)
        assert commands.user_disabled(fold(log), email, "", actor=ACTOR, now=WHEN) == []

    def test_the_address_is_unique_and_must_exist(self):
        log = _stored(commands.user_created(fold([]), "a@example.com", Role.AUDITOR, None,
                                            actor=ACTOR, now=WHEN))  # fmt: skip
        with pytest.raises(ConflictError):
            commands.user_created(fold(log), "a@example.com", Role.AUDITOR, None, actor=ACTOR,
                                  now=WHEN)  # fmt: skip
        with pytest.raises(NotFoundError):
            commands.role_changed(fold([]), "b@example.com", Role.AUDITOR, actor=ACTOR, now=WHEN)

    def test_tokens_are_found_by_hash_until_revoked(self):
        token_id = uuid.uuid4()
        log = _stored(commands.token_issued(token_id, "wizard", ServiceScope.WIZARD, "a" * 64,
                                            expires_at=None, actor=ACTOR, now=WHEN))  # fmt: skip
        token = fold(log).token("a" * 64)
        assert token is not None
        assert token.usable(WHEN)
        log += _stored(commands.token_revoked(fold(log), token_id, "", actor=ACTOR, now=WHEN), 2)
        assert fold(log).token("a" * 64) is None
        assert fold(log).tokens[token_id].revoked
