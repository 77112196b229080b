"""Who may request which sync. Pure.

Whether a mode makes sense in a phase is a domain rule the gate applies too, so it lives in
``mailferry_contracts.sync_modes``; what the API adds is who may override it.
"""

from mailferry_contracts.common import Role

FORCING_ROLES = frozenset({Role.SUPER_ADMIN})
"""Roles that may force a sync mode the job's phase would refuse (DESIGN §1: overrides)."""


def may_force(role: Role) -> bool:
    """Whether ``role`` may set ``force`` on a sync request."""
    return role in FORCING_ROLES
