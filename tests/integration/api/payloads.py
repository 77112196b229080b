"""Request bodies and CSV files for the API tests."""

from typing import Any

API = "/api/v1/migration"


def job_body(domain: str = "example.com", **overrides: Any) -> dict[str, Any]:
    return {
        "domain": domain,
        "source": {"host": "imap.old.example", "port": 993},
        "destination": {"host": "mail.new.example", "port": 993},
        "concurrency_limit": 4,
        "per_host_limit": 2,
        **overrides,
    }


def csv_file(rows: int, *, start: int = 0, password: str = "pw") -> bytes:  # noqa: S107
    lines = ["source_email,source_password,target_email,target_password"]
    lines += [
        f"user{i}@example.com,{password}-src-{i},user{i}@new.example,{password}-dst-{i}"
        for i in range(start, start + rows)
    ]
    return ("\n".join(lines) + "\n").encode()
