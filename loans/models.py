from datetime import date
from typing import Any

from django.db import models
from django.db.models import F, Q

from credit import standing
from credit.limits import (
    AMOUNT_DIGITS,
    INSTALLMENT_DIGITS,
    MAX_RATE,
    MAX_TENURE_MONTHS,
    MIN_RATE,
    MIN_TENURE_MONTHS,
    RATE_DIGITS,
)
from credit.money import MONEY_PLACES
from customers.models import Customer
from loans import standing as conditions


class LoanStatus(models.TextChoices):
    ACTIVE = standing.ACTIVE, "Active"
    CLOSED = standing.CLOSED, "Closed"


class LoanOrigin(models.TextChoices):
    BOOKED = standing.BOOKED, "Booked through the API"
    IMPORTED = standing.IMPORTED, "Imported from loan history"


def amount_field(**options: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=MONEY_PLACES, **options)


def installment_field(**options: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        max_digits=INSTALLMENT_DIGITS, decimal_places=MONEY_PLACES, **options
    )


def rate_field(**options: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=RATE_DIGITS, decimal_places=MONEY_PLACES, **options)


def tenure_in_range(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(tenure__gte=MIN_TENURE_MONTHS, tenure__lte=MAX_TENURE_MONTHS),
        name=f"{prefix}_tenure_in_range",
    )


class LoanQuerySet(models.QuerySet["Loan"]):
    """Loans selected by where they stand (loans.standing's conditions)."""

    def current(self, as_of: date) -> "LoanQuerySet":
        return self.filter(conditions.current_on(as_of))

    def late_beyond(self, days: int, as_of: date) -> "LoanQuerySet":
        return self.filter(conditions.late_beyond(days, as_of))


class Loan(models.Model):
    # No index of its own: the unique (customer, source_loan_id) index below leads with it and
    # serves every lookup by customer; a second one made a third of an import's insert time.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="loans", db_index=False
    )
    loan_amount = amount_field()
    tenure = models.PositiveSmallIntegerField(help_text="Months.")
    interest_rate = rate_field(help_text="Annual, in percent.")
    monthly_installment = installment_field()
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

    objects = LoanQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            # Only a booked loan can be late (loans.standing.late_beyond): the collections list,
            # a late bucket and the order by days past due read these few, not every loan.
            models.Index(fields=["id"], condition=Q(origin=standing.BOOKED), name="loan_booked"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "source_loan_id"], name="loan_unique_source_loan_per_customer"
            ),
            models.CheckConstraint(condition=Q(loan_amount__gt=0), name="loan_amount_positive"),
            tenure_in_range("loan"),
            models.CheckConstraint(
                condition=Q(interest_rate__gte=MIN_RATE, interest_rate__lte=MAX_RATE),
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


class PaymentMode(models.TextChoices):
    """How the money came (Fineract's payment types for India's rails)."""

    UPI = "upi", "UPI"
    NEFT = "neft", "NEFT"
    IMPS = "imps", "IMPS"
    RTGS = "rtgs", "RTGS"
    CASH = "cash", "Cash"
    CHEQUE = "cheque", "Cheque"
    NACH = "nach", "NACH"


# A reference (UTR, cheque number, mandate id) may be left out only for cash or no mode at all.
REFERENCE_OPTIONAL = ("", PaymentMode.CASH)
REFERENCE_LENGTH = 64
REVERSAL_REASON_LENGTH = 500


class PaymentQuerySet(models.QuerySet["Payment"]):
    def live(self) -> "PaymentQuerySet":
        """The payments that count: a reversed one stays on the record but settles nothing."""
        return self.filter(reversed_at__isnull=True)


class Payment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="payments")
    amount = installment_field()
    paid_on = models.DateField()
    # A payoff closes the loan at its quoted amount, whatever the schedule still shows.
    settles_loan = models.BooleanField(default=False)
    recorded_by = models.CharField(
        max_length=150, blank=True, help_text="Who asked (core.auth.who_asked): never a key."
    )
    mode = models.CharField(max_length=8, choices=PaymentMode.choices, blank=True)
    reference = models.CharField(max_length=REFERENCE_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A reversal (a bounced cheque) keeps the payment on the record and takes it out of the sums.
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.CharField(max_length=150, blank=True)
    reversal_reason = models.CharField(max_length=REVERSAL_REASON_LENGTH, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(mode__in=REFERENCE_OPTIONAL) | ~Q(reference=""),
                name="payment_reference_given_for_its_mode",
            ),
            models.CheckConstraint(
                condition=Q(reference="") | ~Q(mode=""), name="payment_reference_has_a_mode"
            ),
            models.CheckConstraint(
                condition=Q(reversed_at__isnull=True) | ~Q(reversal_reason=""),
                name="payment_reversal_has_a_reason",
            ),
            models.UniqueConstraint(
                fields=["mode", "reference"],
                condition=Q(reversed_at__isnull=True) & ~Q(reference=""),
                name="payment_reference_unique_per_mode_among_live",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment #{self.pk} of {self.amount} on loan #{self.loan_id}"


NOTE_LENGTH = 2000
PROMISE_DIGITS = 12  # up to ₹ 99,99,99,999.99: more than any loan here


class LoanNote(models.Model):
    """What an officer wrote down about a loan (a call, a visit). Kept as written: a correction
    is a new note, so the record says who knew what when."""

    # Indexed by loan_note_newest, which leads with the loan.
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="notes", db_index=False)
    text = models.TextField(max_length=NOTE_LENGTH)
    written_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # A loan's newest first: its page, and its last one on a worklist's page.
        indexes = [models.Index(fields=["loan", "-created_at", "-id"], name="loan_note_newest")]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="loan_note_has_text")]

    def __str__(self) -> str:
        return f"Note #{self.pk} on loan #{self.loan_id}"


class PaymentPromise(models.Model):
    """A borrower's word to pay an amount by a date (loans.promises says whether it was kept).
    Kept as written, like a note: a new promise follows a broken one, it does not replace it."""

    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, related_name="promises", db_index=False
    )
    promised_on = models.DateField(help_text="The day the borrower will have paid by.")
    promised_amount = models.DecimalField(max_digits=PROMISE_DIGITS, decimal_places=MONEY_PLACES)
    # The day it was made: payments from this day to promised_on count towards it.
    made_on = models.DateField()
    made_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["loan", "-created_at", "-id"], name="payment_promise_newest")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(promised_amount__gt=0), name="payment_promise_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(promised_on__gte=F("made_on")),
                name="payment_promise_not_before_it_is_made",
            ),
        ]

    def __str__(self) -> str:
        return f"Promise #{self.pk} of {self.promised_amount} by {self.promised_on}"
