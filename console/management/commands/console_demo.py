"""`manage.py console_demo` (make demo): sample data and a demo user for each role, on the
embedded default only (SQLite with DEBUG on). Production never has a default user: with DEBUG
off, or on another database, this command refuses and creates nothing."""

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from console.demo import seed_activity
from console.roles import grant
from core import clock
from core.auth import Role
from customers.models import Customer

DEMO_USERS = {f"demo-{role}": role for role in Role}


def embedded_default() -> bool:
    return bool(settings.DEBUG) and connection.vendor == "sqlite"


class Command(BaseCommand):
    help = "Load sample data and create demo users (make demo; the embedded default only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=300)

    def handle(self, *args: Any, **options: Any) -> None:
        if not embedded_default():
            raise CommandError(
                "console_demo runs on the embedded default only (SQLite, DEBUG on): "
                "production never gets a default user. Use create_staff_user."
            )
        if not Customer.objects.exists():
            call_command("generate_sample_data", customers=options["customers"], stdout=self.stdout)
            seed_activity(clock.today())
        password = secrets.token_urlsafe(12)
        users = get_user_model()
        for name, role in DEMO_USERS.items():
            user, _ = users.objects.get_or_create(username=name)
            user.set_password(password)
            user.save()
            grant(user, role)
        self.stdout.write("Demo users (one password for all; a new one each run):")
        for name, role in DEMO_USERS.items():
            self.stdout.write(f"  {name:<17} role {role}")
        self.stdout.write(f"  password: {password}")
