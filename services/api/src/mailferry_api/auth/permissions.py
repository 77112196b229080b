"""Who may do what (DESIGN §7). Pure: no I/O, no framework.

People hold permissions through their role; programs through their service token's scope. The
two sets never overlap: no role holds ``WIZARD`` and no scope holds a people's permission, so a
user token never passes a wizard route and a service token never passes a people's route.
"""

from enum import StrEnum

from mailferry_contracts.common import Role
from mailferry_contracts.users import ServiceScope


class Permission(StrEnum):
    """A permission a route requires."""

    WRITE = "write"
    """Create jobs, import mailboxes, request preflight/sync/verify/retry, upload."""
    APPROVE_GATE = "approve_gate"
    OVERRIDE_GATE = "override_gate"
    READ = "read"
    """Read jobs, mailboxes, runs and logs."""
    READ_AUDIT = "read_audit"
    """Read the audit trail and the full event history."""
    ADMIN = "admin"
    """Manage users and service tokens, destroy a job's secrets."""
    WIZARD = "wizard"
    """The provisioning wizard's own routes (a service token with scope wizard, nobody else)."""


PUBLIC = "public"
"""The declared permission of the few routes anyone may call (probes, login)."""

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.TECHNICIAN: frozenset({Permission.WRITE, Permission.READ}),
    Role.OPS_LEAD: frozenset(
        {Permission.WRITE, Permission.APPROVE_GATE, Permission.READ, Permission.READ_AUDIT}
    ),
    Role.SUPER_ADMIN: frozenset(set(Permission) - {Permission.WIZARD}),
    Role.AUDITOR: frozenset({Permission.READ, Permission.READ_AUDIT}),
}

SCOPE_PERMISSIONS: dict[ServiceScope, frozenset[Permission]] = {
    ServiceScope.WIZARD: frozenset({Permission.WIZARD}),
}


def allows(role: Role, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission``."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def scope_allows(scope: ServiceScope, permission: Permission) -> bool:
    """Whether a service token of ``scope`` holds ``permission``."""
    return permission in SCOPE_PERMISSIONS.get(scope, frozenset())
