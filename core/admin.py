from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: records are written by core/idempotency.py and removed by
    `manage.py purge_idempotency_keys`."""

    list_display = ("id", "scope", "key", "response_status", "created_at", "expires_at")
    search_fields = ("=key", "scope")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
