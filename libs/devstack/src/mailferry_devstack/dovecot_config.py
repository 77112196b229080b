"""The configuration of a private Dovecot instance: its files and the ``dovecot.conf`` text."""

import datetime
import grp
import ipaddress
import os
import pwd
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

MailFormat = Literal["maildir", "sdbox"]
FolderStyle = Literal["plain", "exchange"]

SPECIAL_FOLDERS: dict[FolderStyle, dict[str, str]] = {
    "plain": {"Drafts": "\\Drafts", "Sent": "\\Sent", "Trash": "\\Trash", "Junk": "\\Junk"},
    "exchange": {
        "Drafts": "\\Drafts",
        "Sent Items": "\\Sent",
        "Deleted Items": "\\Trash",
        "Junk E-mail": "\\Junk",
    },
}
"""Special-use folders created (and subscribed) at a user's first login, per style."""


@dataclass(frozen=True)
class DovecotOptions:
    """How one server looks to a client.

    Attributes:
        mail_format: ``maildir`` (``LAYOUT=fs:UTF-8``, written directly by the corpus generator) or
            ``sdbox``.
        folder_style: ``plain`` special-use names (Sent, Trash, Junk, Drafts) or Exchange-like
            ones (Sent Items, Deleted Items, Junk E-mail, Drafts).
        namespace_prefix: personal namespace prefix, e.g. ``INBOX.`` (Courier/Cyrus style).
        separator: hierarchy separator shown to clients, ``/`` or ``.``.
        tls: also listen with implicit TLS on ``tls_port`` and offer STARTTLS on ``port``
            (self-signed certificate for 127.0.0.1/localhost).
        max_userip_connections: Dovecot's per user+IP connection limit.
        extra_config: lines appended to the configuration, e.g. ``imap_capability = ...``
            to play a server without LITERAL+ or SPECIAL-USE.
    """

    mail_format: MailFormat = "maildir"
    folder_style: FolderStyle = "plain"
    namespace_prefix: str = ""
    separator: str = "/"
    tls: bool = False
    max_userip_connections: int = 20
    extra_config: str = ""


@dataclass(frozen=True)
class Layout:
    """Where an instance keeps its files, and its ports."""

    base_dir: Path
    port: int
    tls_port: int

    @property
    def config_path(self) -> Path:
        """The generated configuration."""
        return self.base_dir / "dovecot.conf"

    @property
    def log_path(self) -> Path:
        """Every log line of the instance (kept after stop)."""
        return self.base_dir / "dovecot.log"

    @property
    def passwd_dir(self) -> Path:
        """One passwd-file per user: password, uid/gid, home, quota rule."""
        return self.base_dir / "passwd.d"

    @property
    def cert_path(self) -> Path:
        """PEM certificate used with TLS."""
        return self.base_dir / "tls" / "cert.pem"

    @property
    def key_path(self) -> Path:
        """Its private key."""
        return self.base_dir / "tls" / "key.pem"

    @property
    def mail_uid(self) -> int:
        """Uid owning the mail files (``mail`` as root, else the current user)."""
        return pwd.getpwnam("mail").pw_uid if os.geteuid() == 0 else os.getuid()

    @property
    def mail_gid(self) -> int:
        """Gid owning the mail files."""
        return grp.getgrnam("mail").gr_gid if os.geteuid() == 0 else os.getgid()


def service_user() -> tuple[str, str]:
    """Users running Dovecot's login and internal processes."""
    if os.geteuid() == 0:
        return "dovenull", "dovecot"
    me = pwd.getpwuid(os.getuid()).pw_name
    return me, me


def render_config(options: DovecotOptions, layout: Layout, users: tuple[str, str]) -> str:
    """The whole ``dovecot.conf`` of one instance."""
    opts, base = options, layout.base_dir
    login_user, internal_user = users
    location = (
        "maildir:~/Maildir:LAYOUT=fs:UTF-8:INBOX=~/Maildir/INBOX"
        if opts.mail_format == "maildir"
        else "sdbox:~/sdbox"
    )
    parts = [
        f"base_dir = {base}/run",
        f"state_dir = {base}/state",
        f"instance_name = mailferry-dovecot-{layout.port}",
        "listen = 127.0.0.1",
        "protocols = imap",
        f"log_path = {layout.log_path}",
        f"info_log_path = {layout.log_path}",
        'log_timestamp = "%Y-%m-%d %H:%M:%S "',
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        # Wrong-password tests would otherwise wait the default 2 s per failure.
        "auth_failure_delay = 0",
        f"default_login_user = {login_user}",
        f"default_internal_user = {internal_user}",
        f"first_valid_uid = {layout.mail_uid}",
        f"mail_location = {location}",
        "mail_plugins = quota",
        # Test servers trade durability for speed; nothing here must survive a power cut.
        "mail_fsync = never",
        f"mail_max_userip_connections = {opts.max_userip_connections}",
        _passdb(layout),
        _services(layout, opts.tls),
        "protocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}",
        "plugin {\n  quota = count:User quota\n  quota_vsizes = yes\n}",
        _namespace(opts),
    ]
    if opts.tls:
        parts += [
            "ssl = yes",
            f"ssl_cert = <{layout.cert_path}",
            f"ssl_key = <{layout.key_path}",
        ]
    else:
        parts.append("ssl = no")
    parts.append(opts.extra_config)
    return "\n".join(parts) + "\n"


def _passdb(layout: Layout) -> str:
    path = f"{layout.passwd_dir}/%u"
    return (
        f"passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {path}\n}}\n"
        f"userdb {{\n  driver = passwd-file\n  args = {path}\n}}"
    )


def _services(layout: Layout, tls: bool) -> str:
    tls_port = layout.tls_port if tls else 0
    return (
        # No auth penalty: wrong-password tests from 127.0.0.1 would otherwise wait 4-15 s.
        "service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}\n"
        "service imap-login {\n"
        "  chroot =\n"
        f"  inet_listener imap {{\n    address = 127.0.0.1\n    port = {layout.port}\n  }}\n"
        f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {tls_port}\n"
        "    ssl = yes\n  }\n"
        "}"
    )


def _namespace(opts: DovecotOptions) -> str:
    mailboxes = "".join(
        f'  mailbox "{name}" {{\n    special_use = {use}\n    auto = subscribe\n  }}\n'
        for name, use in SPECIAL_FOLDERS[opts.folder_style].items()
    )
    return (
        "namespace inbox {\n  inbox = yes\n"
        f"  prefix = {opts.namespace_prefix}\n  separator = {opts.separator}\n"
        f"{mailboxes}}}"
    )


def write_self_signed(cert_path: Path, key_path: Path) -> None:
    """A self-signed certificate for 127.0.0.1 and localhost (tests of TLS and tls_failed)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mailferry test dovecot")])
    now = datetime.datetime.now(datetime.UTC)
    alt = x509.SubjectAlternativeName(
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(alt, critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
