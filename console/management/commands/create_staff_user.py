"""`manage.py create_staff_user NAME --role ROLE`: a person who signs in to the console.

The password comes from STAFF_PASSWORD when it is set (for scripts), else it is asked for twice
at the terminal; Django's password validators apply either way. Run again for an existing
name, it sets the password, adds the role and reactivates the person. The People page's
services do the work (people.services), so each change is recorded as the page's are.
"""

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.auth import Role
from core.errors import ApiError
from people.services import enrol

PASSWORD_VARIABLE = "STAFF_PASSWORD"  # noqa: S105 (the name of a variable)
# Who the record says made the change.
COMMAND = "manage.py create_staff_user"


class Command(BaseCommand):
    help = "Create a console user with a role (password from STAFF_PASSWORD, else a prompt)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--role", required=True, choices=[str(role) for role in Role])

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get(PASSWORD_VARIABLE) or self._ask()
        try:
            user, created = enrol(
                username=options["name"], role=Role(options["role"]), password=password, by=COMMAND
            )
        except ApiError as refused:
            raise CommandError(refused.message) from refused
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {user.username} with the role {options['role']}.")

    def _ask(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        if not first:
            raise CommandError(f"No password given: type one or set {PASSWORD_VARIABLE}.")
        return first
