"""Who may read loans and service them: schedules, payments, payoff quotes; and who may take a
payment back. Reversing is an admin's until the approvals work gives the `approver` role (an
admin may do everything: core.auth.role_allows)."""

from core.auth import Role

SERVICING = (Role.OFFICER,)
REVERSALS = (Role.ADMIN,)
