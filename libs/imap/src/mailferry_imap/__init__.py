"""Native IMAP engine: one copier (server to server) and one uploader (files to server).

Entry points, all async and all returning a report instead of raising for server problems:

- ``preflight(source, destination, options)`` -> ``PreflightReport``
- ``sync_mailbox(source, destination, options, progress=, log=, state=)`` -> ``SyncReport``
- ``verify_mailbox(source, destination, options)`` -> ``VerifyReport``
- ``check_login(endpoint, side)`` -> ``LoginResult``
- ``upload_messages(destination, messages, options)`` -> ``UploadReport``
- ``verify_upload(destination, expected, options)`` -> ``VerifyReport``
"""

from mailferry_imap.endpoint import Endpoint
from mailferry_imap.engine import sync_mailbox
from mailferry_imap.errors import CommandError, ImapError
from mailferry_imap.local import BytesMessage, FileMessage, LocalMessage
from mailferry_imap.options import MAX_CONNECTIONS, SyncOptions
from mailferry_imap.preflight import check_login, preflight
from mailferry_imap.reports import (
    FolderMapping,
    FolderSyncResult,
    LoginResult,
    MessageFailure,
    PreflightReport,
    Progress,
    SyncReport,
    VerifyReport,
)
from mailferry_imap.state import MemoryStateStore, SyncStateStore
from mailferry_imap.uploader import RejectedMessage, UploadReport, upload_messages
from mailferry_imap.verify import verify_mailbox, verify_upload

__all__ = [
    "MAX_CONNECTIONS",
    "BytesMessage",
    "CommandError",
    "Endpoint",
    "FileMessage",
    "FolderMapping",
    "FolderSyncResult",
    "ImapError",
    "LocalMessage",
    "LoginResult",
    "MemoryStateStore",
    "MessageFailure",
    "PreflightReport",
    "Progress",
    "RejectedMessage",
    "SyncOptions",
    "SyncReport",
    "SyncStateStore",
    "UploadReport",
    "VerifyReport",
    "check_login",
    "preflight",
    "sync_mailbox",
    "upload_messages",
    "verify_mailbox",
    "verify_upload",
]
