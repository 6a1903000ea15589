from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Credit policy"

    def ready(self) -> None:
        from core.errors import register_error_codes
        from policies.errors import PolicyErrorCode

        register_error_codes(PolicyErrorCode)
