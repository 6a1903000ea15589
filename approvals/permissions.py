"""Who may read the approval requests and who may decide each kind (API and console alike).
Whoever decides, never the maker (approvals.services)."""

from approvals.models import ApprovalKind
from core.auth import Role

# The queue: the makers (officers, risk) follow their requests; approvers and risk decide.
APPROVALS = (Role.OFFICER, Role.APPROVER, Role.RISK)
DECIDERS = (Role.APPROVER, Role.RISK)
CHECKERS: dict[str, tuple[Role, ...]] = {
    ApprovalKind.LOAN_REFERRAL: (Role.APPROVER,),
    ApprovalKind.POLICY_ACTIVATION: (Role.RISK,),
}
