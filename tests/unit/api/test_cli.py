import jwt
import pytest

from mailferry_api.__main__ import main

SECRET = "cli-" + "c" * 40


class TestTokenCommand:
    def test_prints_a_token_the_api_accepts(self, monkeypatch, capsys):
        monkeypatch.setenv("MIGRATION_JWT_SECRET", SECRET)
        monkeypatch.setenv("MIGRATION_JWT_AUDIENCE", "mailferry")
        main(["token", "--user", "ann", "--role", "auditor", "--ttl", "60"])
        token = capsys.readouterr().out.strip()
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="mailferry")
        assert (claims["sub"], claims["role"], claims["exp"] - claims["iat"]) == (
            "ann", "auditor", 60,
        )  # fmt: skip

    def test_an_unknown_role_is_refused(self, monkeypatch):
        monkeypatch.setenv("MIGRATION_JWT_SECRET", SECRET)
        with pytest.raises(SystemExit):
            main(["token", "--user", "ann", "--role", "root"])
