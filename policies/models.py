"""Versions of the credit policy: every parameter the rules read (credit/policy.py), as data.

A draft may be edited or deleted; once active its parameters never change again, retired or
not (the database refuses it, as it refuses changes to decisions: migration 0002). Exactly one
version is active (a partial unique index).
"""

from django.db import models
from django.db.models import Q

from core.jobs import BackgroundJob
from loans.models import amount_field, rate_field


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


class PolicySimulation(BackgroundJob):
    """A candidate version run over the decisions recorded in a window (policies/simulations.py).
    Its progress and partial report are written with each chunk of decisions, so a restarted
    run resumes after `last_decision_id` and the report counts each decision once."""

    policy = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    date_from = models.DateField()
    date_to = models.DateField()
    requested_by = models.CharField(max_length=150, blank=True)
    processed = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    last_decision_id = models.BigIntegerField(default=0)
    # The sums the report is made of, kept as they grow (simulations.Tally); text for decimals.
    tally = models.JSONField(default=dict)
    failure = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Simulation {self.pk} of policy {self.policy_id} ({self.status})"

    def note_failure(self, message: str) -> None:
        self.failure = message


class SimulationFlip(models.Model):
    """A recorded decision whose outcome the candidate version changes."""

    simulation = models.ForeignKey(PolicySimulation, on_delete=models.CASCADE, related_name="flips")
    decision_id = models.BigIntegerField()
    customer_id = models.BigIntegerField()
    as_of = models.DateField()
    loan_amount = amount_field()
    tenure = models.PositiveSmallIntegerField()
    approved_before = models.BooleanField()
    credit_score_before = models.PositiveSmallIntegerField()
    credit_score_after = models.PositiveSmallIntegerField()
    corrected_rate_before = rate_field()
    corrected_rate_after = rate_field()
    reasons_before = models.JSONField()
    reasons_after = models.JSONField()

    class Meta:
        ordering = ["simulation", "decision_id"]
        # A decision flips at most once per simulation, however often a run restarts.
        constraints = [
            models.UniqueConstraint(
                fields=["simulation", "decision_id"], name="one_flip_per_decision"
            )
        ]

    def __str__(self) -> str:
        return f"Decision {self.decision_id} flipped in simulation {self.simulation_id}"
