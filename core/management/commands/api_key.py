"""Manage the API's keys: `api_key create NAME --role ROLE` (prints the key once, alone on its
last line), `api_key list`, `api_key revoke NAME`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.auth import Role, digest, new_key
from core.models import ApiKey


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a key and print it once")
        create.add_argument("name")
        create.add_argument("--role", required=True, choices=[role.value for role in Role])
        actions.add_parser("list", help="every key: name, role, prefix, made, revoked")
        revoke = actions.add_parser("revoke", help="stop a key working (within seconds)")
        revoke.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, options["action"])(options)

    def create(self, options: dict[str, Any]) -> None:
        key = new_key()
        try:
            with transaction.atomic():
                ApiKey.objects.create(
                    name=options["name"], role=options["role"], digest=digest(key), prefix=key[:8]
                )
        except IntegrityError:
            raise CommandError(f"A key named {options['name']!r} exists already.") from None
        self.stdout.write(
            f"Key {options['name']!r} ({options['role']}) made; it is shown this once:"
        )
        self.stdout.write(key)

    def list(self, options: dict[str, Any]) -> None:
        for key in ApiKey.objects.all():
            revoked = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
            made = f"{key.created_at:%Y-%m-%d %H:%M}"
            self.stdout.write(f"{key.name}\t{key.role}\t{key.prefix}…\tmade {made}\t{revoked}")

    def revoke(self, options: dict[str, Any]) -> None:
        revoked = ApiKey.objects.filter(name=options["name"], revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not revoked:
            raise CommandError(f"No active key named {options['name']!r}.")
        self.stdout.write(f"Key {options['name']!r} revoked.")
