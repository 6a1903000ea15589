"""Paged lists: the one page every list of the API answers (count, next, previous, results),
declared and filled in one place; each list names its page and sets its sizes."""

from typing import Any

from pydantic import create_model
from rest_framework.pagination import PageNumberPagination

from core.contract import Declaration


class Pages(PageNumberPagination):
    """DRF's page-number paging, `?page=` and `?page_size=`; a list sets its two sizes."""

    page_size_query_param = "page_size"

    def answer(self, results: list[Any]) -> dict[str, Any]:
        """The page `page_of` declares, around this page's `results`."""
        return {
            "count": self.page.paginator.count if self.page else 0,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": results,
        }


def page_of(row: type[Declaration], name: str) -> type[Declaration]:
    """A page of `row`s, named `name` in the OpenAPI document."""
    page: type[Declaration] = create_model(
        name,
        __base__=Declaration,
        __module__=row.__module__,
        count=(int, ...),
        next=(str | None, ...),
        previous=(str | None, ...),
        results=(list[row], ...),  # type: ignore[valid-type]
    )
    return page
