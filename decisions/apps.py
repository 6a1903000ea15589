from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Credit decisions"

    def ready(self) -> None:
        from core.errors import register_error_codes
        from core.jobs import register_job_kind
        from decisions.errors import DecisionErrorCode
        from decisions.models import PolicySimulation
        from decisions.tasks import run_simulation

        register_error_codes(DecisionErrorCode)
        register_job_kind(PolicySimulation, run_simulation)
