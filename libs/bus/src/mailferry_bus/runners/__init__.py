"""Machinery every runner kind shares: dispatch, the fair work queue, leases, retries, logs.

A runner service supplies three things: a ``CommandBuilder`` (request -> its command type), a
table of handlers (command type -> ``Handler``) and ``host_of`` (the source host a command
works against) to ``process.RunnerProcess.serve``; its settings extend
``settings.RunnerSettings``. Both are imported by module path, so that importing this package
(as the API does for ``run_log``) does not pull in FastStream.
"""

from mailferry_bus.runners.config import RunnerConfig
from mailferry_bus.runners.context import RunContext
from mailferry_bus.runners.dispatch import (
    CommandBuilder,
    Dispatcher,
    dispatcher_consumer,
    request_subjects,
)
from mailferry_bus.runners.executor import CommandExecutor, Handler
from mailferry_bus.runners.leases import LeaseLostError, LeaseStore
from mailferry_bus.runners.outcome import Progress, RunOutcome, event_id
from mailferry_bus.runners.redaction import Redactor
from mailferry_bus.runners.retry import TRANSIENT_CLASSES, RetryPolicy
from mailferry_bus.runners.selection import REQUEST_TYPES, Selected, select
from mailferry_bus.runners.throttle import Throttle
from mailferry_bus.runners.work_queue import HostOf, WorkQueue

__all__ = [
    "REQUEST_TYPES",
    "TRANSIENT_CLASSES",
    "CommandBuilder",
    "CommandExecutor",
    "Dispatcher",
    "Handler",
    "HostOf",
    "LeaseLostError",
    "LeaseStore",
    "Progress",
    "Redactor",
    "RetryPolicy",
    "RunContext",
    "RunOutcome",
    "RunnerConfig",
    "Selected",
    "Throttle",
    "WorkQueue",
    "dispatcher_consumer",
    "event_id",
    "request_subjects",
    "select",
]
