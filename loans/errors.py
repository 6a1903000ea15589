"""The loans app's error codes and the errors that carry them."""

from enum import StrEnum

from core.errors import ConflictError, NotFoundError
from credit.schedule import PaymentProblem


class LoanErrorCode(StrEnum):
    LOAN_NOT_FOUND = "loan_not_found"
    LOAN_CLOSED = "loan_closed"
    LOAN_NOT_SERVICED_HERE = "loan_not_serviced_here"
    PAYMENT_NOT_FOUND = "payment_not_found"
    PAYMENT_REFERENCE_TAKEN = "payment_reference_taken"
    PAYMENT_ALREADY_REVERSED = "payment_already_reversed"
    PAYMENT_BEFORE_PAYOFF = "payment_before_payoff"


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


class PaymentNotFound(NotFoundError):
    code = LoanErrorCode.PAYMENT_NOT_FOUND

    def __init__(self, loan_id: int, payment_id: int) -> None:
        super().__init__(f"Loan {loan_id} has no payment with id {payment_id}.")


class PaymentReferenceTaken(ConflictError):
    """The same UTR (or cheque, or mandate) twice: the money came once."""

    code = LoanErrorCode.PAYMENT_REFERENCE_TAKEN

    def __init__(self, mode: str, reference: str) -> None:
        super().__init__(
            "The payment was not recorded.",
            {"reference": [f"A {mode} payment with reference {reference} is already recorded."]},
        )


class PaymentAlreadyReversed(ConflictError):
    code = LoanErrorCode.PAYMENT_ALREADY_REVERSED

    def __init__(self, payment_id: int) -> None:
        super().__init__(f"Payment {payment_id} is already reversed.")


class PaymentBeforePayoff(ConflictError):
    """A later payment paid the payoff quote: that quote counted this payment, so it goes first."""

    code = LoanErrorCode.PAYMENT_BEFORE_PAYOFF

    def __init__(self, payment_id: int, payoff_id: int) -> None:
        super().__init__(
            f"Payment {payment_id} was counted by the payoff {payoff_id} that closed the loan:"
            " reverse that payment first."
        )


class RefusedByTheLoan(ConflictError):
    """A well-formed payment or payoff day the loan's state refuses (its dates, its payoff):
    409, as for a closed loan; 400 is for a request malformed in itself (the OpenAPI document
    says which). It keeps the problem, so the console writes its figures in its own format."""

    def __init__(self, message: str, problem: PaymentProblem) -> None:
        super().__init__(message, fields={problem.field: [problem.message]})
        self.problem = problem
