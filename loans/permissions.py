"""Who may read loans and service them: schedules, payments, payoff quotes; and who may take a
payment back (a bounced cheque): an approver, the checker of the desk (an admin may do
everything: core.auth.role_allows)."""

from core.auth import Role

SERVICING = (Role.OFFICER,)
REVERSALS = (Role.APPROVER,)
