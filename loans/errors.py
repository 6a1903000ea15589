"""The loans app's error codes and the errors that carry them."""

from enum import StrEnum

from core.errors import ConflictError, NotFoundError


class LoanErrorCode(StrEnum):
    LOAN_NOT_FOUND = "loan_not_found"
    LOAN_CLOSED = "loan_closed"
    LOAN_NOT_SERVICED_HERE = "loan_not_serviced_here"


class LoanNotFound(NotFoundError):
    code = LoanErrorCode.LOAN_NOT_FOUND

    def __init__(self, loan_id: int) -> None:
        super().__init__(f"No loan with id {loan_id}.")


class LoanClosed(ConflictError):
    code = LoanErrorCode.LOAN_CLOSED

    def __init__(self, loan_id: int) -> None:
        super().__init__(f"Loan {loan_id} is closed and takes no more payments.")


class LoanNotServicedHere(ConflictError):
    code = LoanErrorCode.LOAN_NOT_SERVICED_HERE

    def __init__(self, loan_id: int) -> None:
        super().__init__(
            f"Loan {loan_id} came from the history files; its payments are recorded there."
        )
