"""What the People page takes: a new person, their roles, a new password. Django's password
validators judge a password in the service (they need the person it is for)."""

import re
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from core.auth import Role
from core.contract import Declaration, Text

USERNAME_LENGTH, PASSWORD_LENGTH = 150, 128
_USERNAME = re.compile(r"[\w.@+-]+")  # Django's UnicodeUsernameValidator


def _username(value: str) -> str:
    if not _USERNAME.fullmatch(value):
        raise PydanticCustomError("username", "Letters, digits and @ . + - _ only, no spaces.")
    return value


Username = Annotated[str, Text(USERNAME_LENGTH), AfterValidator(_username)]
Password = Annotated[str, Field(min_length=1, max_length=PASSWORD_LENGTH)]
Roles = Annotated[list[Role], Field(min_length=1, description="At least one role.")]


class RolesInput(Declaration):
    roles: Roles


class PasswordInput(Declaration):
    password: Password


class PersonInput(RolesInput, PasswordInput):
    username: Username
