import pytest

from mailferry_api.auth.permissions import Permission, allows, scope_allows
from mailferry_contracts.common import Role
from mailferry_contracts.users import ServiceScope

TECH, LEAD, ADMIN, AUDIT = Role.TECHNICIAN, Role.OPS_LEAD, Role.SUPER_ADMIN, Role.AUDITOR
WIZARD = ServiceScope.WIZARD
MATRIX: dict[Permission, set[object]] = {
    Permission.WRITE: {TECH, LEAD, ADMIN},
    Permission.APPROVE_GATE: {LEAD, ADMIN},
    Permission.OVERRIDE_GATE: {ADMIN},
    Permission.READ: {TECH, LEAD, ADMIN, AUDIT},
    Permission.READ_AUDIT: {LEAD, ADMIN, AUDIT},
    Permission.ADMIN: {ADMIN},
    Permission.WIZARD: {WIZARD},
}
"""DESIGN §7 plus the two permissions it implies: administration and the wizard's token."""


class TestAllows:
    @pytest.mark.parametrize("permission", list(Permission), ids=str)
    @pytest.mark.parametrize("role", list(Role), ids=str)
    def test_design_section_7_matrix(self, role, permission):
        assert allows(role, permission) == (role in MATRIX[permission])

    @pytest.mark.parametrize("permission", list(Permission), ids=str)
    def test_the_wizard_scope_holds_only_the_wizard_permission(self, permission):
        assert scope_allows(WIZARD, permission) == (WIZARD in MATRIX[permission])

    def test_no_role_holds_the_wizard_permission(self):
        assert not any(allows(role, Permission.WIZARD) for role in Role)
