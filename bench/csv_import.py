"""Import a generated N-row mailbox CSV through a real API process and print the figures.

Starts nats-server and PostgreSQL (mailferry_devstack) in a temporary directory, the API as a
subprocess (``python -m mailferry_api``), creates a job, uploads the CSV and prints:

* acceptance time: from sending the upload to the 201 (parse, validation, 2 vault secrets per
  row, atomic append of the MailboxesImported batches);
* fully projected: from sending the upload until the read model holds every mailbox, with
  ``python -m mailferry_projector`` running all along as in production (``--no-projector``
  leaves it out);
* the API's and the projector's peak RSS (VmHWM of each process; the API's counted from the
  moment it is up).

Nothing is asserted: this prints figures.

    uv run python bench/csv_import.py [--rows 10000] [--no-projector]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from pydantic import SecretStr

import mailferry_projector
from mailferry_api.auth.tokens import issue_token
from mailferry_api.settings import AuthSettings
from mailferry_bus import utc_now
from mailferry_contracts.common import Role
from mailferry_devstack.nats_process import NatsProcess
from mailferry_devstack.ports import free_port, wait_until
from mailferry_devstack.postgres_cluster import PostgresCluster
from mailferry_vault import generate_key_spec

SQL = Path(mailferry_projector.__file__).parent / "sql" / "001_read_models.sql"
API = "/api/v1/migration"


@dataclass
class Stack:
    nats_url: str
    dsn: str
    env: dict[str, str]
    base_url: str
    api: subprocess.Popen[bytes]


def generate_csv(rows: int) -> bytes:
    lines = ["source_email;source_password;target_email;target_password"]
    lines += [f"user{i}@old.example;pw-{i}-s;user{i}@new.example;pw-{i}-t" for i in range(rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def servers(tmp: Path, create_tables: bool) -> Iterator[tuple[str, str]]:
    """NATS and PostgreSQL; the read models created here when no projector will migrate."""
    nats = NatsProcess(store_dir=tmp / "nats").start()
    pg = PostgresCluster(base_dir=tmp / "pg").start()
    try:
        if create_tables:
            with psycopg.connect(pg.dsn, autocommit=True) as conn:
                conn.execute(SQL.read_bytes())
        yield nats.url, pg.dsn
    finally:
        nats.stop()
        pg.stop()


@contextmanager
def process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def api_env(nats_url: str, dsn: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "MIGRATION_NATS_URL": nats_url,
        "MIGRATION_DATABASE_URL": dsn,
        "MIGRATION_API_PORT": str(port),
        "MIGRATION_JWT_SECRET": "bench-" + os.urandom(24).hex(),
        "MIGRATION_CREDENTIALS_KEY": generate_key_spec("bench"),
    }


def wait_healthy(base_url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    def up() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"API exited with {proc.returncode}; see {log}")
        try:
            return httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(up, 30, "the API")


def token(env: dict[str, str]) -> dict[str, str]:
    settings = AuthSettings(jwt_secret=SecretStr(env["MIGRATION_JWT_SECRET"]))
    value = issue_token(settings, user="bench", role=Role.TECHNICIAN, ttl_s=3600, now=utc_now())
    return {"Authorization": f"Bearer {value}"}


def create_job(stack: Stack) -> str:
    with httpx.Client(base_url=stack.base_url, headers=token(stack.env), timeout=30) as http:
        job = {"domain": "bench.example", "destination": {"host": "mail.new.example"}}
        return str(http.post(f"{API}/jobs", json=job).raise_for_status().json()["job_id"])


def import_csv(stack: Stack, job_id: str, data: bytes) -> dict[str, object]:
    with httpx.Client(base_url=stack.base_url, headers=token(stack.env), timeout=300) as http:
        files = {"file": ("mailboxes.csv", data, "text/csv")}
        response = http.post(f"{API}/jobs/{job_id}/mailboxes", files=files)
    response.raise_for_status()
    body: dict[str, object] = response.json()
    return body


def report_projection(
    stack: Stack,
    job_id: str,
    rows: int,
    started: float,
    projector: subprocess.Popen[bytes],
    log: Path,
) -> None:
    try:
        wait_projected(stack, job_id, rows)
    except TimeoutError:
        sys.stdout.write(log.read_text(errors="replace")[-3000:])
        raise
    projected = time.perf_counter() - started
    print(f"fully projected after  : {projected:.2f} s (from sending the upload)")
    print(f"projector peak RSS     : {peak_rss_mb(projector.pid):.0f} MB")


def wait_projected(stack: Stack, job_id: str, rows: int) -> None:
    """Until the read model has every mailbox of the job."""
    with psycopg.connect(stack.dsn) as conn:

        def projected() -> bool:
            try:
                row = conn.execute(
                    "SELECT count(*) FROM migration_mailboxes WHERE job_id = %s", [job_id]
                ).fetchone()
            except psycopg.errors.UndefinedTable:  # the projector has not migrated yet
                row = None
            conn.commit()
            return bool(row and row[0] >= rows)

        wait_until(projected, 300, "projection of every mailbox")


def run(rows: int, with_projector: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="mf-bench-") as name, ExitStack() as stack_:
        tmp = Path(name)
        nats_url, dsn = stack_.enter_context(servers(tmp, create_tables=not with_projector))
        port = free_port()
        env = api_env(nats_url, dsn, port)
        log = tmp / "api.log"
        api = stack_.enter_context(process([sys.executable, "-m", "mailferry_api"], env, log))
        stack = Stack(nats_url, dsn, env, f"http://127.0.0.1:{port}", api)
        wait_healthy(stack.base_url, api, log)
        projector = None
        if with_projector:
            argv = [sys.executable, "-m", "mailferry_projector"]
            projector = stack_.enter_context(process(argv, env, tmp / "projector.log"))
        data = generate_csv(rows)
        job_id = create_job(stack)
        started = time.perf_counter()
        body = import_csv(stack, job_id, data)
        elapsed = time.perf_counter() - started
        print(f"rows                   : {rows} ({len(data) / 1e6:.2f} MB CSV)")
        print(f"accepted (201) after   : {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s)")
        print(f"events appended        : {len(body['sequences'])}")  # type: ignore[arg-type]
        if projector is not None:
            report_projection(stack, job_id, rows, started, projector, tmp / "projector.log")
        print(f"API peak RSS (VmHWM)   : {peak_rss_mb(api.pid):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--no-projector", action="store_true", help="time acceptance only")
    args = parser.parse_args()
    run(args.rows, not args.no_projector)


if __name__ == "__main__":
    main()
