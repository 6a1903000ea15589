"""Delete Idempotency-Key records past their expiry (docs/idempotency.md); run it daily."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.models import IdempotencyRecord


class Command(BaseCommand):
    help = "Delete Idempotency-Key records whose expires_at has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
        self.stdout.write(f"Deleted {deleted} expired idempotency record(s).")
