"""The work's floor: the SQL statements the project's hot endpoints run, stored here as the
floor app (bench/floor_urls.py) runs them, with parameters of the same Python types.

Captured from the project with django.test.utils.CaptureQueriesContext; tests/test_bench_floor.py
captures both again for the same request and fails when they drift apart. No import of the
project: the floor app has no apps, no models and no middleware.
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

ACTIVE_VERSION = "active"

APPLICANT = (
    'SELECT (SELECT p.id FROM "policies_policyversion" p WHERE p.status = %s),'
    ' c."monthly_salary", c."approved_limit", c."age", l."loan_amount",'
    ' l."tenure", l."monthly_installment", l."emis_paid_on_time", l."start_date",'
    ' l."end_date", l."status"'
    ' FROM "customers_customer" c LEFT JOIN "loans_loan" l ON l.customer_id = c.id'
    " WHERE c.id = %s ORDER BY l.id"
)

LOCK_CUSTOMER = 'SELECT id FROM "customers_customer" WHERE id = %s FOR UPDATE'

RECORD_DECISION = (
    'INSERT INTO "loans_creditdecision" ("customer_id", "kind", "loan_amount", "interest_rate",'
    ' "tenure", "as_of", "approved", "credit_score", "score_breakdown", "rules", "reasons",'
    ' "corrected_interest_rate", "monthly_installment", "max_eligible_amount",'
    ' "min_tenure_months", "figures", "policy_version_id", "loan_id", "requested_by",'
    ' "created_at") VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,'
    " %s, %s, %s) RETURNING id"
)

LOAN_WITH_HOLDER = (
    'SELECT l."id", l."loan_amount", l."interest_rate", l."monthly_installment", l."tenure",'
    ' l."installments_paid", l."start_date", l."end_date", l."status", l."origin", c."id",'
    ' c."first_name", c."last_name", c."phone_number", c."age" FROM "loans_loan" l'
    ' JOIN "customers_customer" c ON c.id = l.customer_id WHERE l.id = %s'
)

CUSTOMER_LOANS = (
    'SELECT l."id", l."loan_amount", l."interest_rate", l."monthly_installment", l."tenure",'
    ' l."installments_paid", l."start_date", l."end_date", l."status", l."origin"'
    ' FROM "customers_customer" c LEFT JOIN "loans_loan" l ON l.customer_id = c.id'
    " WHERE c.id = %s ORDER BY l.id"
)

# A refused decision's figures, as the project records one (values of the same types, so
# PostgreSQL plans and stores the same row shape; the floor decides nothing).
_BREAKDOWN = {
    "repayment_on_time": "26.42",
    "loans_taken": "5.000",
    "current_year_activity": "0.00",
    "approved_volume": "0.25500",
}
_RULES = {
    "credit_score_too_low": True,
    "emi_over_half_salary": True,
    "approved_limit_exceeded": False,
}
_REASONS = [{"code": "emi_over_half_salary", "message": "Monthly installments would total more."}]
_FIGURES = {
    "monthly_salary": "219000.00",
    "approved_limit": "1000000.00",
    "installments_due": 204,
    "installments_paid_on_time": 154,
    "completed_loans": 1,
    "loans_started_this_year": 4,
    "current_loans_amount": "983000.00",
    "current_loans_installments": "39394.75",
}


def decision_row(kind: str, application: dict[str, Any], version: int) -> tuple[Any, ...]:
    """RECORD_DECISION's parameters for a refused application (no loan booked), its numbers
    typed already (bench/floor_urls.py: the customer and tenure int, the sums in paise)."""
    return (
        application["customer_id"],
        kind,
        application["loan_amount"],
        application["interest_rate"],
        application["tenure"],
        date.today(),
        False,
        32,
        Jsonb(_BREAKDOWN),
        Jsonb(_RULES),
        Jsonb(_REASONS),
        Decimal("12.00"),
        Decimal("8884.88"),
        Decimal("17000.00"),
        None,
        Jsonb(_FIGURES),
        version,
        None,
        "bench-floor",
        datetime.now(UTC),
    )
