from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from credit.dates import add_months
from credit.policy import (
    LoanRequest,
    ReasonCode,
    needs_referral,
    percent_of,
    rate_floor,
    rounded_offer,
    rule_label,
    rules_of,
    share_of,
)
from credit.scoring import Factor, LoanHistory
from credit.tests.history import POLICY, Borrower, completed_loan, loan_started_today
from credit.tests.history import decide_for as decide

TODAY = date(2026, 6, 15)


@pytest.mark.parametrize(
    ("score", "floor"),
    [
        (100, Decimal(0)),
        (51, Decimal(0)),
        (50, Decimal(12)),
        (30, Decimal(12)),
        (29, Decimal(16)),
        (10, Decimal(16)),
        (9, None),
        (0, None),
    ],
)
def test_slab_boundaries(score, floor):
    assert rate_floor(score, POLICY) == floor


def borrower(salary="100000", limit="1000000"):
    return Borrower(monthly_salary=Decimal(salary), approved_limit=Decimal(limit))


def ask(amount="100000", rate="10", tenure=12):
    return LoanRequest(amount=Decimal(amount), interest_rate=Decimal(rate), tenure=tenure)


def codes(decision):
    return [reason.code for reason in decision.reasons]


def test_score_51_keeps_any_rate():
    decision = decide(borrower(), [completed_loan(on_time=6)], ask(rate="8"), TODAY)
    assert decision.credit.score == 51
    assert decision.approved
    assert decision.corrected_interest_rate == Decimal("8")
    assert decision.monthly_installment == Decimal("8698.84")


def test_score_50_has_its_rate_corrected_to_12_and_the_emi_follows():
    decision = decide(borrower(), [completed_loan(on_time=5)], ask(rate="10"), TODAY)
    assert decision.credit.score == 50
    assert decision.approved
    assert decision.corrected_interest_rate == Decimal("12")
    assert decision.monthly_installment == Decimal("8884.88")
    assert decision.reasons == ()


def test_a_rate_above_the_floor_is_kept():
    decision = decide(borrower(), [completed_loan(on_time=5)], ask(rate="13.5"), TODAY)
    assert decision.corrected_interest_rate == Decimal("13.5")


def history_scoring(points_from_repayment: int):
    """Score = k + 11: a completed loan (k + 5) and four loans this year using 60% of the limit."""
    return [completed_loan(on_time=points_from_repayment)] + [loan_started_today("150000")] * 4


def test_score_30_has_its_rate_corrected_to_12():
    decision = decide(borrower(), history_scoring(19), ask(rate="11.99"), TODAY)
    assert decision.credit.score == 30
    assert decision.corrected_interest_rate == Decimal("12")
    assert decision.approved


def test_score_29_has_its_rate_corrected_to_16():
    decision = decide(borrower(), history_scoring(18), ask(rate="12"), TODAY)
    assert decision.credit.score == 29
    assert decision.corrected_interest_rate == Decimal("16")
    assert decision.monthly_installment == Decimal("9073.09")
    assert decision.approved


def full_limit_history(points_from_repayment: int):
    """Score = k + 5: the limit is fully used this year, so only k + 5 points remain."""
    return [completed_loan(on_time=points_from_repayment)] + [loan_started_today("250000")] * 4


def test_score_10_is_still_scored_into_the_16_percent_slab():
    decision = decide(borrower(), full_limit_history(5), ask(rate="10"), TODAY)
    assert decision.credit.score == 10
    assert decision.corrected_interest_rate == Decimal("16")
    assert ReasonCode.CREDIT_SCORE_TOO_LOW not in codes(decision)


def test_score_9_is_rejected_for_the_score_and_keeps_the_requested_rate():
    decision = decide(borrower(), full_limit_history(4), ask(rate="10"), TODAY)
    assert decision.credit.score == 9
    assert not decision.approved
    assert codes(decision) == [
        ReasonCode.CREDIT_SCORE_TOO_LOW,
        ReasonCode.APPROVED_LIMIT_EXCEEDED,
    ]
    assert decision.corrected_interest_rate == Decimal("10")
    assert decision.reasons[0].message == "Credit score 9 is too low: the minimum is 10."


def test_emis_of_exactly_half_the_salary_pass_and_one_paisa_more_fails():
    # Existing EMI 40926.91 + new EMI 9073.09 (1,00,000 at 16%) = 50000.00 = half of 1,00,000.
    existing = [loan_started_today("1", installment="40926.91")]
    at_line = decide(borrower(), existing, ask(rate="16"), TODAY)
    assert at_line.approved
    over = [loan_started_today("1", installment="40926.92")]
    decision = decide(borrower(), over, ask(rate="16"), TODAY)
    assert codes(decision) == [ReasonCode.EMI_OVER_HALF_SALARY]
    assert decision.reasons[0].message == (
        "Monthly installments would total 50000.01, more than 50% of the monthly salary (50000.00)."
    )
    # The same sentence in another format (the console's) from the same figures.
    assert decision.reasons[0].describe(lambda amount: f"Rs {amount:,}") == (
        "Monthly installments would total Rs 50,000.01, more than 50% of the monthly salary "
        "(Rs 50,000.00)."
    )


def test_loans_that_are_no_longer_current_do_not_count_toward_the_emi_rule():
    ended = completed_loan(on_time=35)  # installment 7000.00, ended in 2022
    decision = decide(borrower(salary="17583.18"), [ended], ask(), TODAY)
    assert decision.approved  # 8791.59 ≤ 8791.59


def test_amount_exactly_at_the_approved_limit_passes_and_one_paisa_more_fails():
    existing = [loan_started_today("400000")]
    rich = borrower(salary="1000000")
    at_limit = decide(rich, existing, ask(amount="600000"), TODAY)
    assert at_limit.approved
    over = decide(rich, existing, ask(amount="600000.01"), TODAY)
    assert codes(over) == [ReasonCode.APPROVED_LIMIT_EXCEEDED]
    assert over.reasons[0].message == (
        "Current loans plus this one would total 1000000.01, more than the approved limit "
        "(1000000.00)."
    )
    assert over.reasons[0].describe(lambda amount: f"Rs {amount:,}") == (
        "Current loans plus this one would total Rs 1,000,000.01, more than the approved limit "
        "(Rs 1,000,000.00)."
    )


def test_debt_already_over_the_limit_zeroes_the_score_with_that_reason():
    decision = decide(borrower(), [loan_started_today("1000000.01")], ask(amount="1"), TODAY)
    assert decision.credit.score == 0
    assert decision.reasons[0].message == (
        "Credit score 0 is too low: current loans already exceed the approved limit."
    )


def test_rules_record_each_outcome():
    decision = decide(borrower(salary="10000"), [], ask(), TODAY)
    assert decision.rules == {
        ReasonCode.CREDIT_SCORE_TOO_LOW: True,
        ReasonCode.EMI_OVER_HALF_SALARY: False,
        ReasonCode.APPROVED_LIMIT_EXCEEDED: True,
    }


def test_zero_rate_request_above_the_floor_uses_principal_over_tenure():
    decision = decide(borrower(), [completed_loan(on_time=35)], ask(rate="0"), TODAY)
    assert decision.corrected_interest_rate == Decimal("0")
    assert decision.monthly_installment == Decimal("8333.33")


def test_worked_example_from_the_policy_document():
    loan_a = LoanHistory(
        amount=Decimal(200000),
        tenure=35,
        monthly_installment=Decimal("7000.00"),
        emis_paid_on_time=30,
        start_date=date(2020, 1, 10),
        end_date=add_months(date(2020, 1, 10), 35),
    )
    loan_b = LoanHistory(
        amount=Decimal(300000),
        tenure=12,
        monthly_installment=Decimal("26654.64"),
        emis_paid_on_time=4,
        start_date=date(2026, 2, 1),
        end_date=date(2027, 2, 1),
    )
    customer = borrower(salary="100000", limit="3600000")
    approved = decide(customer, [loan_a, loan_b], ask("500000", "11", 24), TODAY)
    assert approved.credit.score == 68
    assert {f: p.quantize(Decimal("0.01")) for f, p in approved.credit.points.items()} == {
        Factor.REPAYMENT_ON_TIME: Decimal("30.51"),
        Factor.LOANS_TAKEN: Decimal("5.00"),
        Factor.CURRENT_YEAR_ACTIVITY: Decimal("18.75"),
        Factor.APPROVED_VOLUME: Decimal("13.75"),
    }
    assert (approved.approved, approved.monthly_installment) == (True, Decimal("23303.92"))
    refused = decide(customer, [loan_a, loan_b], ask("1500000", "11", 24), TODAY)
    assert refused.monthly_installment == Decimal("69911.76")
    assert codes(refused) == [ReasonCode.EMI_OVER_HALF_SALARY]


@pytest.mark.parametrize(
    ("line", "amount", "referred"),
    [
        (None, "900000", False),  # version 1: no line, never referred
        ("500000", "500000.00", False),  # at the line: not above it
        ("500000", "500000.01", True),  # a paisa above
        ("500000", "2000000", False),  # refused by the rules: nothing to refer
    ],
)
def test_an_approved_application_above_the_line_needs_referral(line, amount, referred):
    policy = replace(POLICY, refer_above_amount=None if line is None else Decimal(line))
    decision = decide(
        borrower(salary="200000", limit="1000000"), [], ask(amount, tenure=60), TODAY, policy
    )
    assert needs_referral(decision, policy) is referred


AGE_CAPPED = replace(POLICY, max_age_at_maturity=65)


def aged(age: int | None) -> Borrower:
    return Borrower(monthly_salary=Decimal(100000), approved_limit=Decimal(1000000), age=age)


@pytest.mark.parametrize(
    ("tenure", "approved"),
    [(96, True), (97, False)],  # 57 + 96 months = 65 years exactly; a month more is over
)
def test_age_at_maturity_may_reach_the_cap_and_not_a_month_more(tenure, approved):
    decision = decide(aged(57), [], ask(tenure=tenure), TODAY, AGE_CAPPED)
    assert decision.approved is approved
    assert decision.rules[ReasonCode.AGE_AT_MATURITY_EXCEEDED] is approved


def test_a_57_year_old_asking_133_months_under_a_cap_of_65_is_offered_a_tenure_within_it():
    decision = decide(aged(57), [], ask(amount="900000", tenure=133), TODAY, AGE_CAPPED)
    assert codes(decision) == [ReasonCode.AGE_AT_MATURITY_EXCEEDED]
    assert decision.reasons[0].message == (
        "Age at maturity would be 68 years 1 month, more than the policy's maximum of 65 years."
    )
    assert decision.reasons[0].as_dict()["code"] == "age_at_maturity_exceeded"
    # No amount passes at 133 months; 20 months (the shortest the installments allow) does.
    assert (decision.max_eligible_amount, decision.min_tenure_months) == (None, 20)


def test_no_tenure_is_offered_when_the_installments_need_more_months_than_the_age_leaves():
    # At 64 under a cap of 65, 12 months at most; 9,00,000 needs 20 months of installments.
    decision = decide(aged(64), [], ask(amount="900000", tenure=12), TODAY, AGE_CAPPED)
    assert codes(decision) == [ReasonCode.EMI_OVER_HALF_SALARY]
    assert (decision.max_eligible_amount, decision.min_tenure_months) == (
        Decimal("562753.92"),
        None,
    )
    whole_years = decide(aged(64), [], ask(tenure=24), TODAY, AGE_CAPPED)
    assert whole_years.reasons[0].message == (
        "Age at maturity would be 66 years, more than the policy's maximum of 65 years."
    )


def test_no_cap_or_no_recorded_age_leaves_the_age_rule_out():
    uncapped = decide(aged(99), [], ask(tenure=360), TODAY)
    assert uncapped.approved
    assert ReasonCode.AGE_AT_MATURITY_EXCEEDED not in uncapped.rules
    assert rules_of(POLICY) == (
        ReasonCode.CREDIT_SCORE_TOO_LOW,
        ReasonCode.EMI_OVER_HALF_SALARY,
        ReasonCode.APPROVED_LIMIT_EXCEEDED,
    )
    # A decision recorded before figures kept the age, replayed under a capped version.
    ageless = decide(aged(None), [], ask(tenure=360), TODAY, AGE_CAPPED)
    assert ageless.approved
    assert ageless.rules[ReasonCode.AGE_AT_MATURITY_EXCEEDED] is True


@pytest.mark.parametrize(
    ("exact", "step", "rounded"),
    [
        ("253239.29", "1000", "253000"),
        ("253000.00", "1000", "253000"),
        ("253239.29", "1", "253239"),
        ("253239.29", "100000", "200000"),
        ("999.99", "1000", None),
        (None, "1000", None),
    ],
)
def test_the_rounded_offer_is_the_exact_one_rounded_down_to_the_step(exact, step, rounded):
    policy = replace(POLICY, counter_offer_step=Decimal(step))
    amount = None if exact is None else Decimal(exact)
    expected = None if rounded is None else Decimal(rounded)
    assert rounded_offer(amount, policy) == expected


@pytest.mark.parametrize(
    ("share", "percent"),
    [("0.4000", "40"), ("0.4050", "40.5"), ("0.0001", "0.01"), ("1", "100"), ("0.5", "50")],
)
def test_a_share_reads_in_percent_and_back(share, percent):
    assert percent_of(Decimal(share)) == percent
    assert share_of(Decimal(percent)) == Decimal(share)


def test_each_rule_is_labelled_with_what_it_says_under_the_policy():
    stricter = replace(
        POLICY,
        minimum_score=20,
        max_emi_share_of_salary=Decimal("0.4000"),
        max_age_at_maturity=65,
    )
    assert [rule_label(code, stricter) for code in ReasonCode] == [
        "Credit score below 20",
        "Installments over 40% of salary",
        "Loans over the approved limit",
        "Older than 65 at the loan's end",
    ]
    assert rule_label(ReasonCode.EMI_OVER_HALF_SALARY, POLICY) == "Installments over 50% of salary"
