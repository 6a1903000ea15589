"""Counter-offers: the largest amount and the shortest tenure that pass every rule. Asking for
exactly the offer is approved; a paisa more (a month less) is refused, the same customer on the
same day."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.dates import add_months
from credit.policy import LARGEST_AMOUNT, LoanRequest, ReasonCode, decide, rounded_offer
from credit.scoring import LoanHistory, figures_of
from credit.tests.history import POLICY
from customers.tests.factories import CustomerFactory
from loans.tests.factories import LoanFactory

TODAY = date(2026, 6, 15)
PAISA = Decimal("0.01")


def history_loan(start_days: int, tenure: int, paid_share: float, amount: int, emi: int):
    start = date.fromordinal(date(2016, 1, 1).toordinal() + start_days)
    return LoanHistory(
        amount=Decimal(amount),
        tenure=tenure,
        monthly_installment=Decimal(emi),
        emis_paid_on_time=int(tenure * paid_share),
        start_date=start,
        end_date=add_months(start, tenure),
    )


HISTORIES = st.lists(
    st.builds(
        history_loan,
        st.integers(0, 4000),
        st.integers(1, 120),
        st.floats(0, 1),
        st.integers(1, 3_000_000),
        st.integers(0, 60_000),
    ),
    max_size=6,
)
REQUESTS = st.builds(
    LoanRequest,
    amount=st.decimals(min_value=Decimal("0.01"), max_value=5_000_000, places=2),
    interest_rate=st.decimals(min_value=0, max_value=30, places=2),
    tenure=st.integers(1, 360),
)


# Version 1 as it is, and with an age cap and other steps for the rounded offer.
POLICIES = st.one_of(
    st.just(POLICY),
    st.builds(
        lambda cap, step: replace(POLICY, max_age_at_maturity=cap, counter_offer_step=step),
        st.integers(18, 130),
        st.sampled_from([Decimal(1), Decimal(500), Decimal(1000), Decimal(100000)]),
    ),
)


@settings(max_examples=400, deadline=None)
@given(
    salary=st.integers(1, 500_000).map(Decimal),
    limit=st.integers(0, 10_000_000).map(Decimal),
    history=HISTORIES,
    request=REQUESTS,
    age=st.integers(18, 100),
    policy=POLICIES,
)
def test_the_offers_sit_exactly_on_the_boundary_of_approval(
    salary, limit, history, request, age, policy
):
    figures = figures_of(salary, limit, history, TODAY, age=age)
    decision = decide(figures, request, policy)
    offer = decision.max_eligible_amount
    if offer is None:
        assert not decide(figures, replace(request, amount=PAISA), policy).approved
    else:
        assert decide(figures, replace(request, amount=offer), policy).approved
        if offer < LARGEST_AMOUNT:
            assert not decide(figures, replace(request, amount=offer + PAISA), policy).approved
        assert decision.approved == (request.amount <= offer)
        rounded = rounded_offer(offer, policy)
        if rounded is not None:
            assert decide(figures, replace(request, amount=rounded), policy).approved
            assert rounded % policy.counter_offer_step == 0
            assert offer - policy.counter_offer_step < rounded <= offer
    months = decision.min_tenure_months
    if months is None:
        assert not decide(figures, replace(request, tenure=360), policy).approved
    else:
        assert decide(figures, replace(request, tenure=months), policy).approved
        if months > 1:
            assert not decide(figures, replace(request, tenure=months - 1), policy).approved


def test_no_offer_when_the_score_is_too_low_or_the_limit_is_used_up():
    over_limit = figures_of(
        Decimal(100000), Decimal(1000), [history_loan(3700, 60, 1, 2000, 10)], TODAY
    )
    refused = decide(over_limit, LoanRequest(Decimal(100), Decimal(12), 12), POLICY)
    assert refused.reasons[0].code == ReasonCode.CREDIT_SCORE_TOO_LOW
    assert (refused.max_eligible_amount, refused.min_tenure_months) == (None, None)
    used_up = figures_of(
        Decimal(100000), Decimal(300000), [history_loan(3700, 60, 1, 300000, 10)], TODAY
    )
    full = decide(used_up, LoanRequest(Decimal(100), Decimal(16), 12), POLICY)
    assert (full.max_eligible_amount, full.min_tenure_months) == (None, None)


@pytest.mark.django_db
def test_booking_the_offer_is_approved_and_a_paisa_more_is_refused(api):
    customer = CustomerFactory.create(
        monthly_salary=Decimal("60000"), approved_limit=Decimal("2000000")
    )
    LoanFactory.create(customer=customer, monthly_installment=Decimal("12000"))
    ask = {"customer_id": customer.pk, "loan_amount": 5000000, "interest_rate": 14, "tenure": 36}
    checked = api.post("/check-eligibility", ask, format="json").json()
    assert checked["approval"] is False
    offer = Decimal(str(checked["max_eligible_amount"]))
    # 30,000 a month less the 12,000 already due: 18,000 at 14% over 36 months.
    assert offer == Decimal("526660.42")
    more = api.post(
        "/create-loan", {**ask, "loan_amount": str(offer + PAISA)}, format="json"
    ).json()
    assert (more["loan_approved"], more["loan_id"]) == (False, None)
    booked = api.post("/create-loan", {**ask, "loan_amount": str(offer)}, format="json")
    assert booked.status_code == 201
    assert booked.json()["monthly_installment"] == 18000.00


@pytest.mark.django_db
def test_booking_at_the_shortest_tenure_is_approved_and_a_month_less_is_refused(api):
    customer = CustomerFactory.create(
        monthly_salary=Decimal("50000"), approved_limit=Decimal("1000000")
    )
    ask = {"customer_id": customer.pk, "loan_amount": 400000, "interest_rate": 12, "tenure": 6}
    checked = api.post("/check-eligibility", ask, format="json").json()
    assert (checked["approval"], checked["min_tenure_months"]) == (False, 18)
    shorter = api.post("/create-loan", {**ask, "tenure": 17}, format="json").json()
    assert shorter["loan_approved"] is False
    assert api.post("/create-loan", {**ask, "tenure": 18}, format="json").status_code == 201
