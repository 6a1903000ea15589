from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "loans"

    def ready(self) -> None:
        from core.errors import register_error_codes
        from core.health import register_count
        from loans.errors import LoanErrorCode
        from loans.models import Loan

        register_error_codes(LoanErrorCode)
        register_count("loans", Loan.objects.count)
