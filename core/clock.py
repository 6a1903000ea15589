"""The service's notion of "today", in one place so tests can pin it."""

from datetime import date

from django.utils import timezone


def today() -> date:
    return timezone.localdate()
