"""Explicit table: wire type name -> class of its current version. Never derived from imports."""

from mailferry_contracts.base import Contract
from mailferry_contracts.gate import (
    GateApproved,
    GateEvaluated,
    GateOverridden,
    GateReady,
    GateReadyAnnounced,
    WebhookDeliveryAttempted,
)
from mailferry_contracts.jobs import (
    DnsCutoverApplied,
    JobClosed,
    JobCreated,
    JobLimitsChanged,
    JobNotesUpdated,
    JobSecretsPurged,
    MailboxCredentialsUpdated,
    MailboxesImported,
    PhaseChanged,
    PhaseRetryRequested,
    PreflightRequested,
    RetryRequested,
    SyncRequested,
    UploadStored,
    VerifyRequested,
)
from mailferry_contracts.mailboxes import (
    MailboxDeadLettered,
    MailboxPreflighted,
    MailboxVerified,
    QuarantineRecorded,
    QuarantineReviewed,
)
from mailferry_contracts.runs import (
    RunAttemptFailed,
    RunFinished,
    RunProgress,
    RunQueued,
    RunStarted,
    StartPreflight,
    StartSync,
    StartTgzMigration,
    StartUploadImport,
    StartVerify,
)
from mailferry_contracts.users import (
    PasswordChanged,
    ServiceTokenIssued,
    ServiceTokenRevoked,
    UserCreated,
    UserDisabled,
    UserEnabled,
    UserLoggedIn,
    UserLoggedOut,
    UserLoginFailed,
    UserRoleChanged,
)

_CLASSES: tuple[type[Contract], ...] = (
    # job
    JobCreated,
    JobNotesUpdated,
    JobLimitsChanged,
    MailboxesImported,
    PreflightRequested,
    SyncRequested,
    VerifyRequested,
    RetryRequested,
    PhaseChanged,
    PhaseRetryRequested,
    DnsCutoverApplied,
    JobClosed,
    JobSecretsPurged,
    # gate (job aggregate)
    GateEvaluated,
    GateApproved,
    GateOverridden,
    GateReadyAnnounced,
    WebhookDeliveryAttempted,
    MailboxCredentialsUpdated,
    UploadStored,
    # mailbox
    MailboxPreflighted,
    MailboxVerified,
    MailboxDeadLettered,
    QuarantineRecorded,
    QuarantineReviewed,
    # run
    RunQueued,
    RunStarted,
    RunAttemptFailed,
    RunFinished,
    RunProgress,
    # user
    UserCreated,
    UserRoleChanged,
    PasswordChanged,
    UserDisabled,
    UserEnabled,
    ServiceTokenIssued,
    ServiceTokenRevoked,
    UserLoggedIn,
    UserLoggedOut,
    UserLoginFailed,
    # commands
    StartPreflight,
    StartSync,
    StartVerify,
    StartUploadImport,
    StartTgzMigration,
    # notifications
    GateReady,
)


def wire_type(cls: type[Contract]) -> str:
    """The pinned ``type`` literal of a contract class."""
    value = cls.model_fields["type"].default
    assert isinstance(value, str)  # noqa: S101 - a programming error, caught by the unit tests
    return value


_VERSIONS: dict[type[Contract], int] = {}


def current_version(cls: type[Contract]) -> int:
    """The pinned ``schema_version`` literal of a contract class."""
    known = _VERSIONS.get(cls)  # read per event by the projector; model_fields is slow to reach
    if known is not None:
        return known
    value = cls.model_fields["schema_version"].default
    assert isinstance(value, int)  # noqa: S101 - a programming error, caught by the unit tests
    _VERSIONS[cls] = value
    return value


REGISTRY: dict[str, type[Contract]] = {wire_type(cls): cls for cls in _CLASSES}
"""Wire type name -> class of the current version."""
