"""The policies app's error codes and the errors that carry them."""

from enum import StrEnum

from core.errors import ConflictError, NotFoundError


class PolicyErrorCode(StrEnum):
    POLICY_NOT_FOUND = "policy_not_found"
    POLICY_NOT_A_DRAFT = "policy_not_a_draft"
    POLICY_IN_USE = "policy_in_use"


class PolicyNotFound(NotFoundError):
    code = PolicyErrorCode.POLICY_NOT_FOUND

    def __init__(self, version: int) -> None:
        super().__init__(f"No policy version {version}.")


class PolicyNotADraft(ConflictError):
    code = PolicyErrorCode.POLICY_NOT_A_DRAFT

    def __init__(self, version: int, status: str) -> None:
        super().__init__(
            f"Policy version {version} is {status}: only a draft may be changed or deleted; "
            "create a new draft based on it instead."
        )


class PolicyInUse(ConflictError):
    code = PolicyErrorCode.POLICY_IN_USE

    def __init__(self, version: int) -> None:
        super().__init__(
            f"Policy version {version} has simulations that refer to it: it is kept with them."
        )
