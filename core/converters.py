"""URL ids: digits only, and short enough for a 64-bit key, so no path can overflow the database."""


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
