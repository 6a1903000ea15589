"""The people app's error codes and the errors that carry them."""

from enum import StrEnum

from core.errors import ApiError, ConflictError, NotFoundError


class PeopleErrorCode(StrEnum):
    PERSON_NOT_FOUND = "person_not_found"
    USERNAME_TAKEN = "username_taken"
    WEAK_PASSWORD = "weak_password"  # noqa: S105 (an error code)
    LAST_ADMIN = "last_admin"


class PersonNotFound(NotFoundError):
    code = PeopleErrorCode.PERSON_NOT_FOUND

    def __init__(self, person_id: int) -> None:
        super().__init__(f"No person {person_id}.")


class UsernameTaken(ConflictError):
    code = PeopleErrorCode.USERNAME_TAKEN

    def __init__(self, username: str) -> None:
        message = f"{username} is taken: change that person's roles below instead."
        super().__init__(message, {"username": [message]})


class WeakPassword(ApiError):
    """Django's password validators refused it (settings.AUTH_PASSWORD_VALIDATORS)."""

    code = PeopleErrorCode.WEAK_PASSWORD

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems), {"password": problems})


class LastAdmin(ConflictError):
    code = PeopleErrorCode.LAST_ADMIN

    def __init__(self, username: str) -> None:
        super().__init__(
            f"{username} is the last active admin: make someone else an admin first, so that "
            f"somebody can still manage people."
        )
