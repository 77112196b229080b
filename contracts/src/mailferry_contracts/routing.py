"""Rules every dispatcher applies identically: which runner kind serves a mailbox, run ids."""

import uuid

from mailferry_contracts.common import RunnerKind, RunType, SourceType

_RUNNER_OF: dict[SourceType, RunnerKind] = {
    SourceType.IMAP: RunnerKind.IMAP,
    SourceType.IMAP_OAUTH: RunnerKind.IMAP,
    SourceType.DOVECOT: RunnerKind.IMAP,
    SourceType.PST: RunnerKind.PST,
    SourceType.MBOX: RunnerKind.PST,
    SourceType.EML: RunnerKind.PST,
    SourceType.TGZ: RunnerKind.TGZ,
    SourceType.ZIMBRA: RunnerKind.TGZ,
}

RUN_NAMESPACE = uuid.UUID("5b0f6a3e-2f71-4c55-9a43-7d1e0f4c2b10")
"""Namespace of deterministic run ids. Never change it: ids already in the log derive from it."""


def runner_kind_for(source_type: SourceType) -> RunnerKind:
    """The runner kind that handles mailboxes of ``source_type``."""
    return _RUNNER_OF[source_type]


def run_id_for(request_id: uuid.UUID, mailbox_id: uuid.UUID, run_type: RunType) -> uuid.UUID:
    """The run id of one mailbox's run for one request: the same on every redelivery."""
    return uuid.uuid5(RUN_NAMESPACE, f"{request_id}:{mailbox_id}:{run_type.value}")
