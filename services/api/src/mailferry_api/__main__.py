"""``python -m mailferry_api`` serves the API; subcommands manage users, tokens and the audit.

``token --user U --role R``  prints a development HS256 token;
``users ...`` / ``service-tokens ...``  manage dashboard users and the wizard's tokens;
``audit timeline|verify ...``  read the event log itself.
"""

import argparse
import asyncio
import sys

from mailferry_contracts.common import Role


def _serve() -> None:
    import uvicorn

    from mailferry_api.main import create_app
    from mailferry_api.settings import ApiSettings

    settings = ApiSettings()  # read from MIGRATION_* variables
    # proxy_headers=False: X-Forwarded-For is ours to judge (MIGRATION_TRUSTED_PROXIES).
    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )


def _token(argv: list[str]) -> None:
    from mailferry_api.auth.tokens import issue_token
    from mailferry_api.settings import AuthSettings
    from mailferry_bus import utc_now

    parser = argparse.ArgumentParser(prog="python -m mailferry_api token")
    parser.add_argument("--user", required=True, help="the token's subject")
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--ttl", type=int, default=3600, help="seconds (default 3600)")
    args = parser.parse_args(argv)
    settings = AuthSettings()  # read from MIGRATION_* variables
    token = issue_token(
        settings, user=args.user, role=Role(args.role), ttl_s=args.ttl, now=utc_now()
    )
    sys.stdout.write(token + "\n")


def _users(argv: list[str]) -> int:
    from mailferry_api.users.cli import run
    from mailferry_bus import BusSettings

    return asyncio.run(run(argv, BusSettings()))


def _audit(argv: list[str]) -> int:
    from mailferry_api.audit.cli import run
    from mailferry_bus import BusSettings

    return asyncio.run(run(argv, BusSettings(), sys.stdout))


USAGE = (
    "usage: python -m mailferry_api [token --user U --role R [--ttl S] | users ... | "
    "service-tokens ... | audit timeline|verify ...]"
)


def main(argv: list[str]) -> None:
    """Dispatch on the first argument."""
    if argv[:1] == ["token"]:
        _token(argv[1:])
    elif argv[:1] in (["users"], ["service-tokens"]):
        sys.exit(_users(argv))
    elif argv[:1] == ["audit"]:
        sys.exit(_audit(argv[1:]))
    elif not argv:
        _serve()
    else:
        sys.exit(f"{USAGE}; got {argv}")


if __name__ == "__main__":
    main(sys.argv[1:])
