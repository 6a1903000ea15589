"""What the platform itself keeps: responses to requests that carried an Idempotency-Key."""

from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    """One request's outcome under its Idempotency-Key (see core/idempotency.py).

    A record is inserted when a keyed request starts and filled in, in the same transaction,
    when it ends; so a committed record always carries the response, and a record whose
    transaction is still open makes a retry with the same key wait on the unique index.
    """

    scope = models.CharField(max_length=512, help_text='"METHOD /path client" of the request.')
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64, help_text="sha256 of the request.")
    response_status = models.PositiveSmallIntegerField(null=True)
    response_content_type = models.CharField(max_length=255, blank=True)
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope} [{self.key}]"
