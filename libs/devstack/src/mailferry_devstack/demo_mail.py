"""The demo's two mail servers: a source with a generated corpus and an empty destination."""

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mailferry_devstack.corpus import CorpusSpec, generate
from mailferry_devstack.corpus_io import append_new, write_maildir
from mailferry_devstack.dovecot import DovecotOptions, DovecotServer, stop_all

DEMO_USERS = (
    ("alice", CorpusSpec(messages=300, total_bytes=17_000_000, seed=1)),
    ("bob", CorpusSpec(messages=150, total_bytes=6_000_000, seed=2)),
    ("carol", CorpusSpec(messages=150, total_bytes=6_000_000, seed=3)),
)


@dataclass
class DemoMail:
    """Source (Maildir, plain folder names) and destination (sdbox, Exchange-like names)."""

    source: DovecotServer
    destination: DovecotServer
    base: Path

    @classmethod
    def start(cls) -> "DemoMail":
        # Under /tmp: Dovecot's mail user must traverse every parent directory when run as root.
        base = Path(tempfile.mkdtemp(prefix="mailferry-demo-"))
        source = DovecotServer(base / "source")
        destination = DovecotServer(
            base / "destination", DovecotOptions(mail_format="sdbox", folder_style="exchange")
        )
        source.start()
        try:
            destination.start()
        except BaseException:
            source.stop()
            raise
        return cls(source, destination, base)

    def add_users(self) -> list[tuple[str, str, str, int]]:
        """Each demo user with a corpus: (user, source password, destination password, count)."""
        out = []
        for name, spec in DEMO_USERS:
            source_pw, target_pw = f"{name}-old-pw", f"{name}-new-pw"
            self.source.add_user(name, source_pw)
            self.destination.add_user(name, target_pw)
            owner = (self.source.mail_uid, self.source.mail_gid)
            summary = write_maildir(self.source.maildir(name), generate(spec), owner)
            out.append((name, source_pw, target_pw, summary.total_messages))
        return out

    def new_mail(self, user: str, password: str, count: int) -> int:
        """Mail arriving at the source after the initial sync (what a delta copies)."""
        host, port = self.source.host, self.source.port
        return append_new(host, port, user, password, count).total_messages

    def stop(self) -> None:
        """Stop both servers and remove their mail: the demo starts afresh every time."""
        stop_all(self.source, self.destination)
        shutil.rmtree(self.base, ignore_errors=True)
