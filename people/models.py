"""The record of every change to a person who signs in to the console: who changed whom, what
and when (docs/console.md, "People"). People themselves are Django's auth users; their roles
are the groups named after core.auth.Role."""

from django.conf import settings
from django.db import models


class PersonAction(models.TextChoices):
    CREATED = "created", "Created"
    ROLES_CHANGED = "roles_changed", "Roles changed"
    DEACTIVATED = "deactivated", "Deactivated"
    REACTIVATED = "reactivated", "Reactivated"
    PASSWORD_RESET = "password_reset", "Password reset"


class PersonChange(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=PersonAction.choices)
    detail = models.CharField(max_length=200, blank=True, help_text="The roles, before → after.")
    changed_by = models.CharField(max_length=150, help_text="A username, or the command's name.")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.action} by {self.changed_by}"
