"""Every page costs a fixed number of queries, whether it shows one row or many: none runs a
query per row. Each page is measured with one row and with many under the same budget."""

from datetime import date
from decimal import Decimal

import pytest

from core.auth import Role
from credit.policy import LoanRequest
from customers.tests.factories import CustomerFactory
from decisions.services import check_eligibility
from decisions.tests.factories import SimulationFactory
from ingestion.models import IngestionJob
from loans.models import LoanNote, Payment, PaymentPromise
from loans.tests.factories import LoanFactory
from policies.services import create_draft

pytestmark = pytest.mark.django_db

ASK = LoanRequest(Decimal(1000), Decimal(12), 12)


@pytest.fixture(params=[1, 30], ids=["1-row", "30-rows"])
def rows(request):
    return request.param


@pytest.fixture
def admin(signed_in):
    client = signed_in(Role.ADMIN)
    client.get("/console/")  # the session's first request writes it; later ones only read it
    return client


@pytest.fixture
def world(rows):
    """`rows` of everything a page lists: customers, one customer's loans, payments and
    decisions, ingestion jobs with reported rows, policy versions, simulations."""
    customers = CustomerFactory.create_batch(
        rows, approved_limit=Decimal(10**9), monthly_salary=Decimal(10**7)
    )
    holder = customers[0]
    loans = LoanFactory.create_batch(rows, customer=holder, start_date=date(2026, 1, 15), tenure=36)
    for day in range(rows):
        Payment.objects.create(
            loan=loans[0], amount=Decimal(10), paid_on=date(2026, 1, 16 + day % 10)
        )
    for loan in loans:
        LoanNote.objects.create(loan=loan, text="Called")
        PaymentPromise.objects.create(
            loan=loan, promised_on=date(2026, 6, 20), promised_amount=10, made_on=date(2026, 6, 1)
        )
    for _ in range(rows):
        check_eligibility(holder.pk, ASK, as_of=date(2026, 6, 15), requested_by="t")
    problems = [
        {"file": "loans", "row": n, "column": "Tenure", "message": "bad"} for n in range(rows)
    ]
    for _ in range(rows):
        IngestionJob.objects.create(
            batch_rows=10, status="succeeded", errors=problems, warnings=problems
        )
    drafts = [create_draft(changes={}, based_on=None, created_by="t") for _ in range(min(rows, 10))]
    for _ in range(rows):
        SimulationFactory.create()
    decision = holder.decisions.earliest("id")
    job = IngestionJob.objects.earliest("id")
    return {
        "customer": holder.pk,
        "loan": loans[0].pk,
        "payment": Payment.objects.earliest("id").pk,
        "decision": decision.pk,
        "job": job.pk,
        "draft": drafts[0].version,
    }


# The session, the user and the user's roles: 3 queries on every page, then the page's own.
PAGES = {
    "dashboard": ("/console/", 7),
    "customers": ("/console/customers/", 5),
    "search": ("/console/customers/?q=First", 5),
    # The customer's pages add the loans past due and their payments (the warning); the
    # customer's and the loan's page and the collections list, the notes and promises (one
    # statement) and the payments towards the promises among them.
    "customer": ("/console/customers/{customer}/", 13),
    "application": ("/console/customers/{customer}/apply/?decision={decision}", 7),
    "collections": ("/console/collections/", 8),
    "receipt": ("/console/loans/{loan}/payments/{payment}/receipt/", 5),
    "sanction letter": ("/console/loans/{loan}/sanction-letter/", 5),
    "statement": ("/console/loans/{loan}/statement/", 5),
    "schedule": ("/console/loans/{loan}/schedule/", 5),
    "loan": ("/console/loans/{loan}/", 7),
    "payoff": ("/console/loans/{loan}/payoff/?on=2026-06-15", 5),
    "decisions": ("/console/decisions/?kind=check_eligibility", 5),
    "decision": ("/console/decisions/{decision}/", 6),
    "ingestion": ("/console/ingestion/", 5),
    "job": ("/console/ingestion/{job}/", 4),
    "job live": ("/console/ingestion/{job}/live/", 4),
    "policies": ("/console/policies/", 5),
    "compare": ("/console/policies/compare/?left=1&right={draft}", 6),
    "draft": ("/console/policies/draft/", 5),
    "simulations": ("/console/simulations/", 6),
}
# Asked for by htmx: the fragment, not the page (without script the page answers, at its budget).
FRAGMENTS = {"payoff"}


@pytest.mark.parametrize("shown", list(PAGES))
def test_each_page_takes_its_budget_of_queries_for_one_row_or_many(
    admin, world, shown, django_assert_max_num_queries
):
    path, budget = PAGES[shown]
    with django_assert_max_num_queries(budget):
        htmx = {"HTTP_HX_REQUEST": "true"} if shown in FRAGMENTS else {}
        answer = admin.get(path.format(**world), **htmx)
    assert answer.status_code == 200
