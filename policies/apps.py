from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Credit policy"

    def ready(self) -> None:
        from core.errors import register_error_codes
        from core.jobs import register_job_kind
        from policies.errors import PolicyErrorCode
        from policies.models import PolicySimulation
        from policies.tasks import run_simulation

        register_error_codes(PolicyErrorCode)
        register_job_kind(PolicySimulation, run_simulation)
