"""What one process remembers: the `local` cache alias (config/settings/base.py), never shared
between processes, at most LOCAL_CACHE_ENTRIES answers."""

from collections.abc import Callable
from typing import TypeVar, cast

from django.core.cache import caches

T = TypeVar("T")


def remembered(key: str, compute: Callable[[], T], seconds: float) -> T:
    """compute(), or what it answered in this process within the last `seconds`."""
    return cast(T, caches["local"].get_or_set(key, compute, seconds))


def forget_everything() -> None:
    """For tests: every process starts with nothing remembered."""
    caches["local"].clear()
