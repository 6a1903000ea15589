from django.db import models
from django.db.models import F, Q

from customers.models import Customer


class LoanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class LoanOrigin(models.TextChoices):
    BOOKED = "booked", "Booked through the API"
    IMPORTED = "imported", "Imported from loan history"


class Loan(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="loans")
    loan_amount = models.DecimalField(max_digits=14, decimal_places=2)
    tenure = models.PositiveSmallIntegerField(help_text="Months.")
    interest_rate = models.DecimalField(
        max_digits=5, decimal_places=2, help_text="Annual, in percent."
    )
    monthly_installment = models.DecimalField(max_digits=16, decimal_places=2)
    emis_paid_on_time = models.PositiveSmallIntegerField(default=0)
    # Installments settled by payments (booked loans); kept with emis_paid_on_time under the
    # loan's row lock so reads need no replay of the payments.
    installments_paid = models.PositiveSmallIntegerField(default=0)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=16, choices=LoanStatus.choices, default=LoanStatus.ACTIVE)
    origin = models.CharField(max_length=16, choices=LoanOrigin.choices, default=LoanOrigin.BOOKED)
    # The Loan ID in the history file; with the customer it is an imported loan's natural key.
    source_loan_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "source_loan_id"], name="loan_unique_source_loan_per_customer"
            ),
            models.CheckConstraint(condition=Q(loan_amount__gt=0), name="loan_amount_positive"),
            models.CheckConstraint(condition=Q(tenure__gte=1), name="loan_tenure_at_least_one"),
            models.CheckConstraint(
                condition=Q(interest_rate__gte=0, interest_rate__lte=100),
                name="loan_interest_rate_in_range",
            ),
            models.CheckConstraint(
                condition=Q(monthly_installment__gte=0), name="loan_installment_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(emis_paid_on_time__lte=F("tenure")),
                name="loan_emis_on_time_within_tenure",
            ),
            models.CheckConstraint(
                condition=Q(installments_paid__lte=F("tenure")),
                name="loan_installments_paid_within_tenure",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="loan_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Loan #{self.pk} of customer #{self.customer_id}"


class Payment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    paid_on = models.DateField()
    # A payoff closes the loan at its quoted amount, whatever the schedule still shows.
    settles_loan = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Payment #{self.pk} of {self.amount} on loan #{self.loan_id}"


class DecisionKind(models.TextChoices):
    CHECK_ELIGIBILITY = "check_eligibility", "Eligibility check"
    CREATE_LOAN = "create_loan", "Loan application"


class CreditDecision(models.Model):
    """The audit trail: written once per decision and never changed (database triggers refuse
    UPDATE and DELETE on PostgreSQL, UPDATE on SQLite; see migration 0004)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=32, choices=DecisionKind.choices)
    loan_amount = models.DecimalField(max_digits=14, decimal_places=2)
    interest_rate = models.DecimalField(max_digits=5, decimal_places=2)
    tenure = models.PositiveSmallIntegerField()
    as_of = models.DateField()
    approved = models.BooleanField()
    credit_score = models.PositiveSmallIntegerField()
    score_breakdown = models.JSONField()
    rules = models.JSONField(help_text="Each rule's code and whether it passed.")
    reasons = models.JSONField(help_text="The failed rules' codes and messages.")
    corrected_interest_rate = models.DecimalField(max_digits=5, decimal_places=2)
    monthly_installment = models.DecimalField(max_digits=16, decimal_places=2)
    policy_version = models.CharField(max_length=32)
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    requested_by = models.CharField(
        max_length=64, blank=True, help_text="The API key's fingerprint, never the key."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["customer", "-id"], name="decision_customer_newest")]

    def __str__(self) -> str:
        return f"Decision #{self.pk} ({self.kind}) for customer #{self.customer_id}"
