"""Four eyes: an action one person asks for and a second carries out (docs/credit-policy.md).

A request records the action's kind and exact inputs, who asked (the maker), when and why;
another person with the kind's role approves it (which carries the action out, exactly once) or
rejects it. Once decided it never changes again, as the decision audit trail never does: the
database refuses it (migration 0002).
"""

from django.db import models


class ApprovalKind(models.TextChoices):
    LOAN_REFERRAL = "loan_referral", "Loan above the referral line"
    POLICY_ACTIVATION = "policy_activation", "Policy activation"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    # Approved, but the action no longer holds at that moment (the rules refuse the loan now).
    LAPSED = "lapsed", "Lapsed"


class ApprovalRequest(models.Model):
    kind = models.CharField(max_length=32, choices=ApprovalKind.choices)
    inputs = models.JSONField(help_text="The action's exact inputs (decimals as text).")
    reason = models.TextField(help_text="Why it is asked for: the rationale, the referral.")
    maker = models.CharField(max_length=150, help_text="Who asked (core.auth.who_asked).")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    checker = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True, help_text="The checker's note; a rejection's reason.")
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(null=True, blank=True, help_text="What carrying it out did.")
    # What the request is about, for lists and links (the inputs say it too).
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.ForeignKey(
        "decisions.CreditDecision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The referred application's decision.",
    )
    policy = models.ForeignKey(
        "policies.PolicyVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version to activate.",
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "id"], name="approval_status_oldest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="approval_decided_at_with_decision",
            )
        ]

    def __str__(self) -> str:
        return f"Approval #{self.pk} ({self.kind}, {self.status})"
