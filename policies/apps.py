import importlib
from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate


def a_policy_in_force(using: str, **_: Any) -> None:
    """After every migrate, and after `manage.py flush` empties the tables, the service has a
    policy to decide under: version 1, as migration 0002 made it, when there is no version."""
    from policies.models import PolicyVersion

    if using != DEFAULT_DB_ALIAS or PolicyVersion.objects.exists():
        return
    first = importlib.import_module("policies.migrations.0002_version_one_and_immutable_versions")
    first.create_version_one(PolicyVersion, connections[using])


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Credit policy"

    def ready(self) -> None:
        from core.errors import register_error_codes
        from policies.errors import PolicyErrorCode

        register_error_codes(PolicyErrorCode)
        post_migrate.connect(a_policy_in_force, sender=self)
