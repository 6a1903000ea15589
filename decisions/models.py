"""The decisions the service makes and what is made of them: the audit trail of every
eligibility check and loan application (immutable), and the simulations that decide recorded
cases again under a candidate policy version.

The tables keep the names they had in the apps these models came from (loans, policies):
migration 0001 moved the models, not the rows.
"""

from django.db import models

from core.jobs import BackgroundJob
from loans.models import amount_field, installment_field, rate_field


class DecisionKind(models.TextChoices):
    CHECK_ELIGIBILITY = "check_eligibility", "Eligibility check"
    CREATE_LOAN = "create_loan", "Loan application"
    # Four eyes: an application above the policy's referral line, recorded and left unbooked,
    # and the decision made again when a second person approves it (booked or lapsed).
    REFERRED = "referred", "Loan application referred for approval"
    REFERRAL_APPROVED = "referral_approved", "Referred loan decided on approval"


class CreditDecision(models.Model):
    """The audit trail: written once per decision and never changed (database triggers refuse
    UPDATE and DELETE on PostgreSQL, UPDATE on SQLite; see migration 0004)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="decisions"
    )
    kind = models.CharField(max_length=32, choices=DecisionKind.choices)
    loan_amount = amount_field()
    interest_rate = rate_field()
    tenure = models.PositiveSmallIntegerField()
    as_of = models.DateField()
    approved = models.BooleanField()
    credit_score = models.PositiveSmallIntegerField()
    score_breakdown = models.JSONField()
    rules = models.JSONField(help_text="Each rule's code and whether it passed.")
    reasons = models.JSONField(help_text="The failed rules' codes and messages.")
    corrected_interest_rate = rate_field()
    monthly_installment = installment_field()
    # The counter-offers (credit.policy.Decision); null when none passes, and on decisions
    # recorded before they were made.
    max_eligible_amount = amount_field(null=True, blank=True)
    min_tenure_months = models.PositiveSmallIntegerField(null=True, blank=True)
    # What the policy read (credit.scoring.Figures, decimals as text), so the decision can be
    # replayed under any version; null on decisions recorded before it was kept.
    figures = models.JSONField(null=True, blank=True)
    # The version that decided (migration 0002 turned the text it was into this reference).
    policy_version = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.PROTECT, related_name="+"
    )
    loan = models.ForeignKey(
        "loans.Loan", on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    requested_by = models.CharField(
        max_length=150, blank=True, help_text="Who asked (core.auth.who_asked): never a key."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "loans_creditdecision"
        ordering = ["-id"]
        indexes = [models.Index(fields=["customer", "-id"], name="decision_customer_newest")]

    def __str__(self) -> str:
        return f"Decision #{self.pk} ({self.kind}) for customer #{self.customer_id}"


class PolicySimulation(BackgroundJob):
    """A candidate version run over the decisions recorded in a window (decisions/simulations.py).
    Planned into SimulationChunks that any worker runs; each chunk's commit adds its decisions
    to `processed`, and the last one sums the chunks' tallies into `tally`."""

    policy = models.ForeignKey("policies.PolicyVersion", on_delete=models.PROTECT, related_name="+")
    # The version's parameters when the simulation was asked for: every run of it (a resumed one
    # too) decides under these, whatever the draft says later (stale says it changed since).
    parameters = models.JSONField()
    date_from = models.DateField()
    date_to = models.DateField()
    requested_by = models.CharField(max_length=150, blank=True)
    processed = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    # The sums the report is made of (simulations.Tally, decimals as text), once every chunk is.
    tally = models.JSONField(default=dict)
    failure = models.TextField(blank=True)

    class Meta:
        db_table = "policies_policysimulation"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Simulation {self.pk} of policy {self.policy_id} ({self.status})"

    def note_failure(self, message: str) -> None:
        self.failure = message

    @property
    def stale(self) -> bool:
        """The version's parameters are no longer the ones simulated (a draft edited since)."""
        return bool(self.parameters != self.policy.parameters)


class SimulationChunk(BackgroundJob):
    """The simulation's decisions with ids in [first_decision_id, end_decision_id): a job of
    its own, leased by whichever worker takes it, its flips, tally and the simulation's progress
    committed together, so a chunk whose worker died is taken again and counted once."""

    simulation = models.ForeignKey(
        PolicySimulation, on_delete=models.CASCADE, related_name="chunks"
    )
    first_decision_id = models.BigIntegerField()
    end_decision_id = models.BigIntegerField()
    # Its sums once it succeeded (simulations.Tally), its decisions counted among them; a
    # chunk's failure is its simulation's, noted there (simulations._fail).
    tally = models.JSONField(default=dict)

    class Meta:
        ordering = ["simulation", "first_decision_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["simulation", "first_decision_id"], name="one_chunk_per_start"
            )
        ]

    def __str__(self) -> str:
        return f"Chunk {self.first_decision_id}-{self.end_decision_id} of {self.simulation_id}"


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
        db_table = "policies_simulationflip"
        ordering = ["simulation", "decision_id"]
        # A decision flips at most once per simulation, however often a run restarts.
        constraints = [
            models.UniqueConstraint(
                fields=["simulation", "decision_id"], name="one_flip_per_decision"
            )
        ]

    def __str__(self) -> str:
        return f"Decision {self.decision_id} flipped in simulation {self.simulation_id}"
