from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"

    def ready(self) -> None:
        from core.errors import register_error_codes
        from people.errors import PeopleErrorCode

        register_error_codes(PeopleErrorCode)
