"""What the platform itself keeps: responses to requests that carried an Idempotency-Key."""

from django.db import models
from django.utils import timezone

from core.auth import Role


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


class ApiKey(models.Model):
    """A client's key, made by `manage.py api_key create`: only its SHA-256 digest is kept
    (core/auth.py), with the role it carries. Revoked keys stay listed, with when."""

    ROLES = [(role.value, role.value) for role in Role]

    name = models.CharField(max_length=100, unique=True)
    role = models.CharField(max_length=16, choices=ROLES)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(
        max_length=12, help_text="The key's first characters, to tell keys apart."
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"
