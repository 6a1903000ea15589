from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The loan-officer console at /console/: pages over the same services and selectors as
    the API, for people signed in with a role."""

    name = "console"
    verbose_name = "Console"
