from typing import Any

from django.apps import AppConfig, apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate


def roles_as_groups(using: str, **_: Any) -> None:
    """After every migrate, and after `manage.py flush` empties the tables, each role is a group
    (migration 0001 made them first)."""
    from django.contrib.auth.models import Group

    from core.auth import Role

    if using == DEFAULT_DB_ALIAS:
        for role in Role:
            Group.objects.get_or_create(name=str(role))


class ConsoleConfig(AppConfig):
    """The loan-officer console at /console/: pages over the same services and selectors as
    the API, for people signed in with a role."""

    name = "console"
    verbose_name = "Console"

    def ready(self) -> None:
        # Django signals post_migrate only for apps with models; the groups are auth's.
        post_migrate.connect(roles_as_groups, sender=apps.get_app_config("auth"))
