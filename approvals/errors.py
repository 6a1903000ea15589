"""The approvals app's error codes and the errors that carry them."""

from enum import StrEnum
from typing import Any

from rest_framework import status

from core.errors import ApiError, ConflictError, NotFoundError


class ApprovalErrorCode(StrEnum):
    APPROVAL_NOT_FOUND = "approval_not_found"
    FOUR_EYES = "four_eyes"
    NOT_A_CHECKER = "not_a_checker"
    ALREADY_DECIDED = "already_decided"
    APPROVAL_LAPSED = "approval_lapsed"


class ApprovalNotFound(NotFoundError):
    code = ApprovalErrorCode.APPROVAL_NOT_FOUND

    def __init__(self, approval_id: int) -> None:
        super().__init__(f"No approval request {approval_id}.")


class FourEyes(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    code = ApprovalErrorCode.FOUR_EYES

    def __init__(self, approval_id: int) -> None:
        super().__init__(
            f"Approval request {approval_id} is yours: a second person must approve or reject it."
        )


class NotAChecker(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    code = ApprovalErrorCode.NOT_A_CHECKER

    def __init__(self, approval_id: int, roles: str) -> None:
        super().__init__(f"Approval request {approval_id} needs the role {roles} to decide.")


class AlreadyDecided(ConflictError):
    code = ApprovalErrorCode.ALREADY_DECIDED

    def __init__(self, approval_id: int, status: str) -> None:
        super().__init__(
            f"Approval request {approval_id} is {status} already: it never acts again."
        )


class ApprovalLapsed(ConflictError):
    """Approved, but the action no longer holds: the request is closed as lapsed, with why."""

    code = ApprovalErrorCode.APPROVAL_LAPSED

    def __init__(
        self, approval_id: int, reasons: list[dict[str, Any]], decision_id: int | None = None
    ) -> None:
        why = " ".join(str(reason["message"]) for reason in reasons)
        super().__init__(self.sentence(approval_id, why))
        self.approval_id = approval_id
        # The decision a lapsed loan was refused by: the console writes its reasons from it.
        self.decision_id = decision_id

    @staticmethod
    def sentence(approval_id: int, why: str) -> str:
        return f"Approval request {approval_id} lapsed, nothing was done: {why}"
