"""URL ids: the ids a body may carry (core.limits), so no path can overflow the database."""

from core.limits import LARGEST_ID


class IdConverter:
    regex = f"[0-9]{{1,{len(str(LARGEST_ID))}}}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= LARGEST_ID:
            raise ValueError(f"{value} is not an id")  # Django: the path does not match
        return number

    def to_url(self, value: int) -> str:
        return str(value)
