"""Who may read the approval requests and who may decide each kind (API and console alike).
Whoever decides, never the maker (approvals.services)."""

from collections.abc import Iterable

from approvals.errors import AlreadyDecided, FourEyes, NotAChecker
from approvals.models import ApprovalKind, ApprovalRequest, ApprovalStatus
from core.auth import Role, role_allows
from core.errors import ApiError

# The queue: the makers (officers, risk) follow their requests; approvers and risk decide.
APPROVALS = (Role.OFFICER, Role.APPROVER, Role.RISK)
DECIDERS = (Role.APPROVER, Role.RISK)
CHECKERS: dict[str, tuple[Role, ...]] = {
    ApprovalKind.LOAN_REFERRAL: (Role.APPROVER,),
    ApprovalKind.POLICY_ACTIVATION: (Role.RISK,),
}


def refusal(approval: ApprovalRequest, checker: str, roles: Iterable[Role]) -> ApiError | None:
    """Why `checker` may not decide the request, or None: the kind's role, never the maker
    (whatever their roles), and only while pending. The service raises it; the queue offers
    its buttons only where it is None."""
    allowed = CHECKERS[approval.kind]
    if not role_allows(roles, allowed):
        return NotAChecker(approval.pk, " or ".join(str(role) for role in (*allowed, Role.ADMIN)))
    if is_maker(approval, checker):
        return FourEyes(approval.pk)
    if approval.status != ApprovalStatus.PENDING:
        return AlreadyDecided(approval.pk, approval.status)
    return None


def is_maker(approval: ApprovalRequest, person: str) -> bool:
    return bool(approval.maker) and approval.maker == person
