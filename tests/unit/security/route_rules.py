"""The rule of every route: which permission it requires (``public``: anyone).

A route that is not in this table fails the build (``test_route_matrix.py``): whoever adds a
route decides here, in review, who may call it. ``wizard`` routes are for the wizard's service
token only; every other non-public route is for people only.
"""

ROUTE_RULES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "public",
    ("GET", "/readyz"): "public",
    ("GET", "/api/v1/docs"): "public",
    ("GET", "/api/v1/docs/init.js"): "public",
    ("GET", "/api/v1/docs/swagger-ui-bundle.js"): "public",
    ("GET", "/api/v1/docs/swagger-ui.css"): "public",
    ("GET", "/"): "public",
    ("GET", "/ui/"): "public",
    ("GET", "/ui/{asset:path}"): "public",
    ("POST", "/api/v1/auth/login"): "public",
    ("POST", "/api/v1/auth/logout"): "read",
    ("GET", "/api/v1/auth/users"): "admin",
    ("POST", "/api/v1/auth/users"): "admin",
    ("PATCH", "/api/v1/auth/users/{user_id}"): "admin",
    ("POST", "/api/v1/auth/service-tokens"): "admin",
    ("GET", "/api/v1/auth/service-tokens"): "admin",
    ("DELETE", "/api/v1/auth/service-tokens/{token_id}"): "admin",
    ("GET", "/api/v1/migration/me"): "read",
    ("POST", "/api/v1/migration/jobs"): "write",
    ("GET", "/api/v1/migration/jobs"): "read",
    ("GET", "/api/v1/migration/jobs/{job_id}"): "read",
    ("PATCH", "/api/v1/migration/jobs/{job_id}"): "write",
    ("POST", "/api/v1/migration/jobs/{job_id}/mailboxes"): "write",
    ("GET", "/api/v1/migration/jobs/{job_id}/mailboxes"): "read",
    ("GET", "/api/v1/migration/mailboxes/{mailbox_id}"): "read",
    ("POST", "/api/v1/migration/jobs/{job_id}/preflight"): "write",
    ("POST", "/api/v1/migration/jobs/{job_id}/sync"): "write",
    ("POST", "/api/v1/migration/jobs/{job_id}/verify"): "write",
    ("POST", "/api/v1/migration/mailboxes/{mailbox_id}/retry"): "write",
    ("POST", "/api/v1/migration/jobs/{job_id}/retry-failed"): "write",
    ("GET", "/api/v1/migration/jobs/{job_id}/verify"): "read",
    ("GET", "/api/v1/migration/runs/{run_id}"): "read",
    ("GET", "/api/v1/migration/mailboxes/{mailbox_id}/runs"): "read",
    ("GET", "/api/v1/migration/mailboxes/{mailbox_id}/logs"): "read",
    ("GET", "/api/v1/migration/jobs/{job_id}/progress"): "read",
    ("POST", "/api/v1/migration/jobs/{job_id}/purge-secrets"): "admin",
    ("GET", "/api/v1/migration/audit"): "read_audit",
    ("GET", "/api/v1/migration/audit.csv"): "read_audit",
    ("GET", "/api/v1/migration/live/jobs"): "read",
    ("GET", "/api/v1/migration/live/jobs/{job_id}"): "read",
    ("GET", "/api/v1/migration/jobs/{job_id}/report"): "read",
    ("POST", "/api/v1/migration/jobs/{job_id}/approve-gate"): "approve_gate",
    ("POST", "/api/v1/migration/jobs/{job_id}/override-gate"): "override_gate",
    ("GET", "/api/v1/migration/jobs/{job_id}/gate"): "read",
    ("POST", "/api/v1/migration/jobs/{job_id}/close"): "approve_gate",
    ("POST", "/api/v1/migration/jobs/{job_id}/retry-phase"): "write",
    ("GET", "/api/v1/migration/gate"): "wizard",
    ("POST", "/api/v1/migration/dns-applied"): "wizard",
    ("GET", "/api/v1/migration/jobs/{job_id}/desk"): "read",
    ("POST", "/api/v1/migration/jobs/{job_id}/upload-pst"): "write",
    ("GET", "/api/v1/migration/jobs/{job_id}/uploads"): "read",
    ("GET", "/api/v1/migration/jobs/{job_id}/uploads/{upload_id}"): "read",
    ("GET", "/api/v1/migration/jobs/{job_id}/quarantine"): "read",
    ("GET", "/api/v1/migration/mailboxes/{mailbox_id}/quarantine"): "read",
    ("GET", "/api/v1/migration/mailboxes/{mailbox_id}/quarantine/{run_id}/mbox"): "read",
    ("POST", "/api/v1/migration/mailboxes/{mailbox_id}/quarantine/{run_id}/review"): "write",
    ("GET", "/api/v1/migration/mailboxes/{mailbox_id}/artifacts"): "read",
    ("GET", "/api/v1/migration/mailboxes/{mailbox_id}/artifacts/{run_id}/{file_name}"): "read",
}

ALLOWED_ROLES: dict[str, set[str]] = {
    "write": {"technician", "ops_lead", "super_admin"},
    "approve_gate": {"ops_lead", "super_admin"},
    "override_gate": {"super_admin"},
    "read": {"technician", "ops_lead", "super_admin", "auditor"},
    "read_audit": {"ops_lead", "super_admin", "auditor"},
    "admin": {"super_admin"},
    "wizard": set(),
}
"""DESIGN §7, written out: which roles pass a route of each permission."""

WIZARD_PERMISSIONS = {"wizard"}
"""The only permissions the wizard's service token holds."""


def expected_status_class(permission: str, caller: str) -> str:
    """``401``, ``403`` or ``allowed`` for ``caller`` (a role, ``wizard`` or ``anonymous``)."""
    if permission == "public":
        return "allowed"
    if caller == "anonymous":
        return "401"
    if caller == "wizard":
        return "allowed" if permission in WIZARD_PERMISSIONS else "403"
    return "allowed" if caller in ALLOWED_ROLES[permission] else "403"
