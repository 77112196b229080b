import pytest

from mailferry_api.operations.rules import may_force
from mailferry_contracts.common import Role


class TestMayForce:
    def test_a_super_admin_may_force_a_sync(self):
        assert may_force(Role.SUPER_ADMIN)

    @pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.OPS_LEAD, Role.AUDITOR], ids=str)
    def test_nobody_else_may(self, role):
        assert not may_force(role)
