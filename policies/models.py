"""Versions of the credit policy: every parameter the rules read (credit/policy.py), as data.

A draft may be edited or deleted; once active its parameters never change again, retired or
not (the database refuses it, as it refuses changes to decisions: migration 0002). Exactly one
version is active (a partial unique index).
"""

from django.db import models
from django.db.models import Q


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class PolicyVersion(models.Model):
    """`id` is the version number. `parameters` holds them all (policies.parameters)."""

    status = models.CharField(
        max_length=16, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    parameters = models.JSONField()
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_by = models.CharField(max_length=150, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status=PolicyStatus.ACTIVE),
                name="policy_one_active_version",
            )
        ]

    def __str__(self) -> str:
        return f"Policy version {self.pk} ({self.status})"

    @property
    def version(self) -> int:
        return int(self.pk)
