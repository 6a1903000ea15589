"""Credit decisions for /metrics, by outcome and by the reasons of refusals."""

from prometheus_client import Counter

DECISIONS = Counter(
    "credit_decisions", "Credit decisions made, by outcome (approved, rejected).", ["outcome"]
)
DECISION_REASONS = Counter(
    "credit_decision_reasons",
    "Reasons given for rejected credit decisions, by reason code.",
    ["reason"],
)


def record_decision(approved: bool, reason_codes: list[str]) -> None:
    DECISIONS.labels("approved" if approved else "rejected").inc()
    for reason in reason_codes:
        DECISION_REASONS.labels(reason).inc()
