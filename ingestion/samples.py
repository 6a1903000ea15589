"""Synthetic customers and loan history shaped like the original files, reproducible by seed.

One generator feeds both outputs of `generate_sample_data`: the two spreadsheets in the
original format, or (through the ingestion service, so keys and counts behave the same) the
database. Like the originals, a few Loan IDs are shared by two customers.
"""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from credit.dates import add_months
from credit.emi import monthly_installment
from credit.policy import approved_limit_for
from ingestion.rows import CUSTOMER_FIELDS, LOAN_FIELDS
from policies.selectors import active_policy

# The original files' headers, in their order: the same the ingestion reads.
CUSTOMER_HEADERS = tuple(field.header for field in CUSTOMER_FIELDS)
LOAN_HEADERS = tuple(field.header for field in LOAN_FIELDS)
FIRST_NAMES = [
    "Aarav",
    "Aditi",
    "Arjun",
    "Diya",
    "Ishaan",
    "Kavya",
    "Meera",
    "Nikhil",
    "Priya",
    "Rahul",
    "Riya",
    "Rohan",
    "Sanya",
    "Vikram",
    "Aaron",
    "Abbey",
    "Carmen",
    "Daniel",
    "Elena",
    "Farah",
    "Grace",
    "Hugo",
    "Irene",
    "Jamal",
    "Lena",
    "Marco",
    "Nadia",
    "Omar",
]
LAST_NAMES = [
    "Sharma",
    "Verma",
    "Iyer",
    "Nair",
    "Reddy",
    "Gupta",
    "Mehta",
    "Kapoor",
    "Rao",
    "Das",
    "Garcia",
    "Gonzalez",
    "Toledo",
    "Smith",
    "Khan",
    "Lee",
    "Silva",
    "Rossi",
    "Novak",
    "Haddad",
    "Okafor",
    "Tanaka",
    "Müller",
    "Dubois",
    "Kowalski",
    "Santos",
]
# Spreadsheet cells as the original files have them: every number a float.
Row = tuple[float | str | date, ...]


@dataclass(frozen=True)
class Plan:
    customers: int
    loans_per_customer: int
    seed: int = 0
    # One Loan ID in this many is reused by a second customer, as in the original file.
    shared_id_every: int = 500


def _phone(rng_offset: int, index: int) -> int:
    """Distinct 10-digit numbers: a stride coprime to the range walks it without repeats."""
    span = 3_000_000_000
    return 6_000_000_000 + (rng_offset + index * 2_654_435_761) % span


def customer_rows(plan: Plan) -> Iterator[Row]:
    rng = random.Random(f"customers-{plan.seed}")  # noqa: S311  sample data, not secrets
    offset = rng.randrange(3_000_000_000)
    policy = active_policy()
    for customer_id in range(1, plan.customers + 1):
        salary = rng.randrange(15, 300) * 1000
        # 36 × salary is never half a lakh off a whole one (salaries are whole thousands).
        limit = approved_limit_for(Decimal(salary), policy)
        yield (
            float(customer_id),
            rng.choice(FIRST_NAMES),
            rng.choice(LAST_NAMES),
            float(rng.randint(21, 70)),
            float(_phone(offset, customer_id)),
            float(salary),
            float(limit),
        )


def loan_rows(plan: Plan, today: date) -> Iterator[Row]:
    rng = random.Random(f"loans-{plan.seed}")  # noqa: S311  sample data, not secrets
    total = plan.customers * plan.loans_per_customer
    loan_ids = list(range(1, total + 1))
    rng.shuffle(loan_ids)
    position = 0
    for customer_id in range(1, plan.customers + 1):
        for _ in range(plan.loans_per_customer):
            loan_id = loan_ids[position]
            if position % plan.shared_id_every == plan.shared_id_every - 1 and position:
                loan_id = loan_ids[position - plan.loans_per_customer]  # another customer's id
            position += 1
            amount = Decimal(rng.randrange(1, 100) * 10_000)
            tenure = rng.choice((6, 12, 24, 36, 48, 60, 84, 120, 180))
            rate = Decimal(rng.randrange(800, 1800)) / 100
            start = date(rng.randint(2010, today.year - 1), rng.randint(1, 12), rng.randint(1, 28))
            elapsed = min(
                tenure, max(0, (today.year - start.year) * 12 + today.month - start.month)
            )
            yield (
                float(customer_id),
                float(loan_id),
                float(amount),
                float(tenure),
                float(rate),
                float(monthly_installment(amount, rate, tenure)),
                float(rng.randint(max(0, elapsed - 6), elapsed)),
                start,
                add_months(start, tenure),
            )


# Rows written between two calls of write_xlsx's on_progress.
PROGRESS_EVERY_ROWS = 10_000
# on_progress(rows written, rows in both files, what is being written)
RowsWritten = Callable[[int, int, str], None]


def write_xlsx(
    plan: Plan, folder: Path, today: date, on_progress: RowsWritten | None = None
) -> tuple[Path, Path]:
    """customer_data.xlsx and loan_data.xlsx in the original format, streamed to disk."""
    folder.mkdir(parents=True, exist_ok=True)
    customers = folder / "customer_data.xlsx"
    loans = folder / "loan_data.xlsx"
    total = plan.customers * (1 + plan.loans_per_customer)
    report = on_progress or (lambda done, total, phase: None)
    written = _write(customers, CUSTOMER_HEADERS, customer_rows(plan), 0, total, report)
    _write(loans, LOAN_HEADERS, loan_rows(plan, today), written, total, report)
    return customers, loans


def _write(
    path: Path,
    headers: tuple[str, ...],
    rows: Iterator[Row],
    written: int,
    total: int,
    report: RowsWritten,
) -> int:
    """Write the sheet; the rows written so far in both files, counting `written` before it."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    sheet.append(headers)
    phase = f"writing {path.name}"
    for row in rows:
        sheet.append(row)
        written += 1
        if written % PROGRESS_EVERY_ROWS == 0:
            report(written, total, phase)
    workbook.save(path)
    report(written, total, phase)
    return written
