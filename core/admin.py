from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.models import IdempotencyRecord


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Records that change only through the services (servicing, decisions, idempotency keys,
    ingestion jobs), never by hand: the admin shows them and nothing more."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    """Written by core/idempotency.py, removed by `manage.py purge_idempotency_keys`."""

    list_display = ("id", "scope", "key", "response_status", "created_at", "expires_at")
    search_fields = ("=key", "scope")
    date_hierarchy = "created_at"
