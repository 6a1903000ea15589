"""`manage.py console_demo` (make demo): sample data and a demo user for each role, on the
embedded default only (SQLite with DEBUG on). Production never has a default user: with DEBUG
off, or on another database, this command refuses and creates nothing. On a database that holds
other data it refuses too, saying what to do: the demo's users over a book that is not the
demo's would show an empty or a stranger's console. Run again on its own book, it keeps the
book and gives the users a new password."""

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.template.defaultfilters import pluralize

from console.demo import ASKED_BY, seed_activity
from core import clock
from core.auth import Role
from customers.models import Customer
from decisions.models import CreditDecision
from people.services import grant

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
        customers = Customer.objects.count()
        if customers == 0:
            call_command("generate_sample_data", customers=options["customers"], stdout=self.stdout)
            seed_activity(clock.today())
        elif not CreditDecision.objects.filter(requested_by=ASKED_BY).exists():
            raise CommandError(
                f"This database already holds other data ({customers} "
                f"customer{pluralize(customers)}), so the demo would show it instead of its "
                "sample book. make demo keeps its own SQLite file (demo.sqlite3) unless "
                "DATABASE_URL names another: unset DATABASE_URL, or point it at a new file, "
                "e.g. DATABASE_URL=sqlite:///demo-2.sqlite3 make demo."
            )
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
