from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Platform"

    def ready(self) -> None:
        from core import schema  # noqa: F401  (registers the API key scheme with drf-spectacular)
        from core.error_reporting import report_errors_if_configured

        report_errors_if_configured()
