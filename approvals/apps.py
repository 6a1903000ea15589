from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "Approvals (four eyes)"

    def ready(self) -> None:
        from approvals.errors import ApprovalErrorCode
        from core.errors import register_error_codes

        register_error_codes(ApprovalErrorCode)
