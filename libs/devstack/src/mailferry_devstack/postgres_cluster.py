"""A private PostgreSQL cluster from the system's binaries, on a loopback port.

As root, initdb refuses to run, so the cluster runs as the ``postgres`` user through
``runuser``; every directory above the data directory must then be traversable by it.
"""

import glob
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from mailferry_devstack.ports import free_port

_SERVER_USER = "postgres"


def postgres_bin_dir() -> Path:
    """Newest ``/usr/lib/postgresql/<ver>/bin`` with initdb, or the directory of initdb on PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4])
    )
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise FileNotFoundError(
            "PostgreSQL server binaries not found: apt-get install postgresql "
            "(or set MIGRATION_DATABASE_URL to an existing server)"
        )
    return Path(initdb).parent


@dataclass
class PostgresCluster:
    """initdb on first start, then pg_ctl start/stop; data kept between runs."""

    base_dir: Path
    port: int = field(default_factory=free_port)
    fast_unsafe: bool = True

    @property
    def data_dir(self) -> Path:
        """PGDATA."""
        return self.base_dir / "data"

    @property
    def dsn(self) -> str:
        """Superuser DSN over TCP."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str) -> None:
        command = [str(postgres_bin_dir() / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", _SERVER_USER, "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    def _prepare_dirs(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam(_SERVER_USER)
            os.chown(self.base_dir, user.pw_uid, user.pw_gid)
            for parent in [self.base_dir, *self.base_dir.parents]:
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    parent.chmod(mode | 0o001)

    def start(self) -> "PostgresCluster":
        """Create the cluster if needed and start it; wait until it accepts connections."""
        self._prepare_dirs()
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            )
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base_dir}"
        options += " -c max_connections=300"
        if self.fast_unsafe:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.base_dir / "postgres.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )
        return self

    def is_running(self) -> bool:
        """Whether a postmaster serves this data directory (maybe one an earlier run left)."""
        if not (self.data_dir / "postmaster.pid").exists():
            return False
        command = [str(postgres_bin_dir() / "pg_ctl"), "-D", str(self.data_dir), "status"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", _SERVER_USER, "--", *command]
        return subprocess.run(command, check=False, capture_output=True).returncode == 0

    def stop(self) -> None:
        """Fast shutdown."""
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
