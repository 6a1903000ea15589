"""`manage.py create_staff_user NAME --role ROLE`: a person who signs in to the console.

The password comes from STAFF_PASSWORD when it is set (for scripts), else it is asked for twice
at the terminal; Django's password validators apply either way. Run again for an existing
name, it sets the password and adds the role.
"""

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.roles import grant
from core.auth import Role

PASSWORD_VARIABLE = "STAFF_PASSWORD"  # noqa: S105 (the name of a variable)


class Command(BaseCommand):
    help = "Create a console user with a role (password from STAFF_PASSWORD, else a prompt)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--role", required=True, choices=[str(role) for role in Role])

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model()
        name = options["name"]
        password = os.environ.get(PASSWORD_VARIABLE) or self._ask()
        try:
            validate_password(password, users(username=name))
        except ValidationError as weak:
            raise CommandError(" ".join(weak.messages)) from weak
        user, created = users.objects.get_or_create(username=name)
        user.set_password(password)
        user.is_active = True
        user.save()
        grant(user, Role(options["role"]))
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {user.username} with the role {options['role']}.")

    def _ask(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        if not first:
            raise CommandError(f"No password given: type one or set {PASSWORD_VARIABLE}.")
        return first
