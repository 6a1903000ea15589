"""Delete Idempotency-Key records past their expiry (docs/idempotency.md). Beat does it hourly;
this is for deployments without beat, and for now."""

from typing import Any

from django.core.management.base import BaseCommand

from core.idempotency import purge_expired


class Command(BaseCommand):
    help = "Delete Idempotency-Key records whose expires_at has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {purge_expired()} expired idempotency record(s).")
