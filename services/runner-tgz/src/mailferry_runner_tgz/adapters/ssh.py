"""zmmailbox on a Zimbra/Carbonio server over SSH (asyncssh): export, import, count.

- The host key is always checked against a known_hosts file; only the given private key is
  offered (no agent, no ``~/.ssh/config``, no password prompts).
- The export's stdout streams straight into ``<destination>.part`` (hashed on the way) and is
  renamed to the destination only after zmmailbox exits 0; a failed transfer's bytes stay in
  the ``.part`` file. stderr goes to the run log line by line as it arrives.
- An import uploads the archive with SFTP into a fresh private directory, hands it to the
  Zimbra user, runs ``postRestURL``, and removes the directory again.
- Every failure becomes ``RemoteError`` with a contracts error class: ``connection_failed``,
  ``auth_failed_source``/``_target``, ``timeout``, ``tool_missing``, ``invalid_input``...
"""

import asyncio
import hashlib
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import asyncssh

from mailferry_runner_tgz.diagnosis import (
    Failure,
    FolderRow,
    Side,
    classify_exit,
    parse_folder_counts,
    parse_folder_rows,
)
from mailferry_runner_tgz.zmmailbox import (
    InvalidInputError,
    SshTarget,
    export_argv,
    folders_argv,
    handover_command,
    import_argv,
    remote_command,
)

CHUNK_SIZE = 256 * 1024
STDERR_TAIL = 40
MAX_LISTING_BYTES = 16 * 1024 * 1024
KEEPALIVE_INTERVAL_S = 30.0
KEEPALIVE_COUNT_MAX = 4
REMOTE_ARCHIVE_NAME = "mailbox.tgz"

LogCallback = Callable[[str], None]
Sink = Callable[[bytes], Awaitable[None]]


@dataclass(frozen=True)
class SshAccess:
    """How to reach one Zimbra/Carbonio server and run zmmailbox there."""

    target: SshTarget
    key_file: Path
    known_hosts_file: Path
    run_as: str = "zimbra"
    connect_timeout: float = 30.0
    command_timeout: float = 43200.0
    remote_dir: str = "/tmp"  # noqa: S108 - on the server; each import gets a 0700 subdirectory


class RemoteError(Exception):
    """A remote operation failed; ``error_class`` is from the contracts' vocabulary."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.error_class = failure.error_class
        self.message = failure.message


@dataclass(frozen=True)
class ExportedArchive:
    """A finished export: where it is, how big, its SHA-256, and the command that made it."""

    path: Path
    size: int
    sha256: str
    command_line: str


class ZimbraHost:
    """One server, seen as the migration's ``side`` (``source`` or ``target``)."""

    def __init__(self, access: SshAccess, side: Side, log: LogCallback | None = None) -> None:
        self.access = access
        self.side = side
        self._log = log or (lambda _line: None)

    def command(self, argv: list[str]) -> str:
        return remote_command(argv, self.access.run_as, self.access.target.user)

    async def export_mailbox(
        self, account: str, destination: Path, progress: Callable[[int], None] | None = None
    ) -> ExportedArchive:
        """``getRestURL '/?fmt=tgz'`` streamed into ``destination``; ``progress(bytes so far)``."""
        command = self._checked(lambda: self.command(export_argv(account)))
        part = destination.with_name(destination.name + ".part")
        sink = await _FileSink.open(part, progress)
        try:
            async with self._session() as conn:
                status, stderr = await self._run(conn, command, sink.write)
        except RemoteError:
            await sink.close(keep=sink.size > 0)
            raise
        except asyncio.CancelledError:
            sink.handle.close()  # the caller's work directory goes, and the part with it
            raise
        await sink.close(keep=status == 0 or sink.size > 0)
        if status != 0:
            kept = f"; {sink.size} bytes received are kept in {part}" if sink.size else ""
            raise RemoteError(self._failure(status, stderr, kept))
        if sink.size == 0:
            message = f"zmmailbox on {self.access.target.host} returned an empty archive"
            raise RemoteError(Failure("file_unreadable", message))
        await asyncio.to_thread(part.replace, destination)
        return ExportedArchive(destination, sink.size, sink.digest.hexdigest(), command)

    async def import_archive(self, account: str, archive: Path) -> str:
        """Upload ``archive`` and run ``postRestURL '/?fmt=tgz&resolve=skip'``; the command."""
        directory = f"{self.access.remote_dir.rstrip('/')}/mailferry-{uuid.uuid4().hex}"
        remote_file = f"{directory}/{REMOTE_ARCHIVE_NAME}"
        run = self._checked(lambda: self.command(import_argv(account, remote_file)))
        if not await asyncio.to_thread(archive.is_file):
            raise RemoteError(Failure("internal", f"no archive to import at {archive}"))
        command = handover_command(
            [directory, remote_file], self.access.run_as, self.access.target.user, run
        )
        async with self._session() as conn, conn.start_sftp_client() as sftp:
            with _abort_on_cancel(conn):
                await sftp.mkdir(directory, asyncssh.SFTPAttrs(permissions=0o700))
                try:
                    await sftp.put(str(archive), remote_file)
                    await sftp.chmod(remote_file, 0o600)
                    status, stderr = await self._run(conn, command, None)
                finally:
                    await _remove_quietly(sftp, remote_file, directory)
        if status != 0:
            raise RemoteError(self._failure(status, stderr))
        return run

    async def folder_counts(self, account: str) -> dict[str, int]:
        """``getAllFolders``: item count per Zimbra folder path."""
        return parse_folder_counts(await self._folders(account))

    async def folder_rows(self, account: str) -> list[FolderRow]:
        """``getAllFolders``: every folder with its view and item count."""
        return parse_folder_rows(await self._folders(account))

    async def _folders(self, account: str) -> str:
        command = self._checked(lambda: self.command(folders_argv(account)))
        listing = _Collector(MAX_LISTING_BYTES)
        async with self._session() as conn:
            status, stderr = await self._run(conn, command, listing.write)
        if status != 0:
            raise RemoteError(self._failure(status, stderr))
        return listing.text()

    def _checked(self, build: Callable[[], str]) -> str:
        try:
            return build()
        except InvalidInputError as exc:
            raise RemoteError(Failure("invalid_input", str(exc))) from None

    def _failure(self, status: int | None, stderr: list[str], extra: str = "") -> Failure:
        failure = classify_exit(
            status, stderr, run_as=self.access.run_as, host=self.access.target.host, side=self.side
        )
        return Failure(failure.error_class, failure.message + extra)

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[asyncssh.SSHClientConnection]:
        key, known_hosts = await self._credentials()
        watchdog = _Watchdog(self.access.command_timeout)
        try:
            async with self._connect(key, known_hosts) as conn:
                with watchdog.guard(conn):
                    yield conn
        except (RemoteError, asyncssh.Error, OSError, TimeoutError) as exc:
            if watchdog.fired:
                message = f"no result from {self.access.target} within {watchdog.seconds:.0f}s"
                raise RemoteError(Failure("timeout", message)) from exc
            if isinstance(exc, RemoteError):
                raise
            raise RemoteError(self._ssh_failure(exc)) from exc
        watchdog.check(self.access.target)

    def _connect(
        self, key: asyncssh.SSHKey, known_hosts: asyncssh.SSHKnownHosts
    ) -> AbstractAsyncContextManager[asyncssh.SSHClientConnection]:
        target = self.access.target
        return asyncssh.connect(
            target.host,
            target.port,
            username=target.user,
            client_keys=[key],
            known_hosts=known_hosts,
            config=None,
            agent_path=None,
            preferred_auth="publickey",
            kbdint_auth=False,
            connect_timeout=self.access.connect_timeout,
            login_timeout=self.access.connect_timeout,
            keepalive_interval=KEEPALIVE_INTERVAL_S,
            keepalive_count_max=KEEPALIVE_COUNT_MAX,
        )

    async def _credentials(self) -> tuple[asyncssh.SSHKey, asyncssh.SSHKnownHosts]:
        try:
            key = await asyncio.to_thread(asyncssh.read_private_key, self.access.key_file)
        except (OSError, asyncssh.KeyImportError, ValueError) as exc:
            message = f"cannot read the SSH private key {self.access.key_file}: {exc}"
            raise RemoteError(Failure("internal", message)) from None
        try:
            known = await asyncio.to_thread(
                asyncssh.read_known_hosts, str(self.access.known_hosts_file)
            )
        except (OSError, ValueError) as exc:
            message = f"cannot read known_hosts {self.access.known_hosts_file}: {exc}"
            raise RemoteError(Failure("internal", message)) from None
        return key, known

    def _ssh_failure(self, exc: BaseException) -> Failure:
        where = str(self.access.target)
        if isinstance(exc, asyncssh.PermissionDenied):
            return Failure(f"auth_failed_{self.side}", f"SSH key refused by {where}: {exc}")
        if isinstance(exc, asyncssh.HostKeyNotVerifiable):
            message = (
                f"host key of {where} does not match {self.access.known_hosts_file}: "
                f"refusing to connect ({exc})"
            )
            return Failure("connection_failed", message)
        if isinstance(exc, TimeoutError):
            return Failure("timeout", f"SSH to {where} timed out")
        if isinstance(exc, asyncssh.SFTPError):
            return Failure("internal", f"SFTP on {where} failed: {exc}")
        return Failure("connection_failed", f"SSH to {where} failed: {type(exc).__name__}: {exc}")

    async def _run(
        self, conn: asyncssh.SSHClientConnection, command: str, sink: Sink | None
    ) -> tuple[int | None, list[str]]:
        tail: deque[str] = deque(maxlen=STDERR_TAIL)
        async with conn.create_process(command, encoding=None) as process:
            with _abort_on_cancel(conn):
                process.stdin.write_eof()
                errors = asyncio.create_task(self._pump_stderr(process.stderr, tail))
                try:
                    await _pump_stdout(process.stdout, sink)
                    await errors
                finally:
                    errors.cancel()
                completed = await process.wait(check=False)
        status = None if completed.exit_signal else completed.exit_status
        return status, list(tail)

    async def _pump_stderr(self, stream: asyncssh.SSHReader[bytes], tail: deque[str]) -> None:
        # readline, not ``async for``: asyncssh's iterator ends with one empty "line".
        while raw := await stream.readline():
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            tail.append(line)
            self._log(line)


async def _pump_stdout(stream: asyncssh.SSHReader[bytes], sink: Sink | None) -> None:
    while chunk := await stream.read(CHUNK_SIZE):
        if sink is not None:
            await sink(chunk)


async def _remove_quietly(sftp: asyncssh.SFTPClient, remote_file: str, directory: str) -> None:
    # Cleanup must not hide the import's own outcome; a leftover is named in no secret.
    for remove, path in ((sftp.remove, remote_file), (sftp.rmdir, directory)):
        try:
            await remove(path)
        except (asyncssh.Error, OSError):
            continue


@contextmanager
def _abort_on_cancel(conn: asyncssh.SSHClientConnection) -> Iterator[None]:
    """A cancelled run drops the connection at once.

    Leaving a process's (or SFTP's) context waits for the server to close the channel, and a
    zmmailbox that is stuck never does: a stopping runner would wait for it. Aborting ends it.
    """
    try:
        yield
    except asyncio.CancelledError:
        conn.abort()
        raise


class _Watchdog:
    """Aborts the connection when an operation runs too long.

    Cancelling the task is not enough: leaving a process's context waits for the remote side
    to close the channel, and a hung zmmailbox never does. Aborting the connection ends it.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False

    @contextmanager
    def guard(self, conn: asyncssh.SSHClientConnection) -> Iterator[None]:
        def expire() -> None:
            self.fired = True
            conn.abort()

        timer = asyncio.get_running_loop().call_later(self.seconds, expire)
        try:
            yield
        finally:
            timer.cancel()

    def check(self, target: SshTarget) -> None:
        if self.fired:
            message = f"no result from {target} within {self.seconds:.0f}s"
            raise RemoteError(Failure("timeout", message))


class _FileSink:
    """Writes and hashes a stream; local disk errors are ``internal``, not SSH failures."""

    def __init__(
        self, path: Path, handle: BinaryIO, progress: Callable[[int], None] | None
    ) -> None:
        self.path = path
        self.handle = handle
        self.progress = progress
        self.digest = hashlib.sha256()
        self.size = 0

    @classmethod
    async def open(cls, path: Path, progress: Callable[[int], None] | None) -> "_FileSink":
        try:
            handle = await asyncio.to_thread(path.open, "wb")
        except OSError as exc:
            raise RemoteError(Failure("internal", f"cannot write {path}: {exc}")) from None
        return cls(path, handle, progress)

    async def write(self, chunk: bytes) -> None:
        try:
            await asyncio.to_thread(self.handle.write, chunk)
        except OSError as exc:
            raise RemoteError(Failure("internal", f"cannot write {self.path}: {exc}")) from None
        self.digest.update(chunk)
        self.size += len(chunk)
        if self.progress is not None:
            self.progress(self.size)

    async def close(self, *, keep: bool) -> None:
        await asyncio.to_thread(self.handle.close)
        if not keep:
            await asyncio.to_thread(self.path.unlink, missing_ok=True)


class _Collector:
    def __init__(self, limit: int) -> None:
        self.data = bytearray()
        self.limit = limit

    async def write(self, chunk: bytes) -> None:
        if len(self.data) + len(chunk) > self.limit:
            raise RemoteError(Failure("internal", f"zmmailbox printed over {self.limit} bytes"))
        self.data += chunk

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")
