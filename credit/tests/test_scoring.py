from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from credit.dates import add_months
from credit.scoring import Factor, LoanHistory
from credit.tests.history import completed_loan, loan_started_today
from credit.tests.history import score_of as credit_score

TODAY = date(2026, 6, 15)
LIMIT = Decimal("1000000")


def points(history, limit=LIMIT):
    result = credit_score(history, limit, TODAY)
    return result.score, {factor: result.points[factor] for factor in Factor}


def test_thin_file_scores_40_from_no_debt_and_no_activity():
    score, breakdown = points([])
    assert score == 40
    assert breakdown == {
        Factor.REPAYMENT_ON_TIME: 0,
        Factor.LOANS_TAKEN: 0,
        Factor.CURRENT_YEAR_ACTIVITY: 25,
        Factor.APPROVED_VOLUME: 15,
    }


def test_spotless_completed_loan_earns_full_repayment_points():
    score, breakdown = points([completed_loan(on_time=35)])
    assert score == 80
    assert breakdown[Factor.REPAYMENT_ON_TIME] == 35
    assert breakdown[Factor.LOANS_TAKEN] == 5


def test_each_completed_loan_adds_a_fifth_of_the_count_factor_up_to_five():
    assert points([completed_loan(35)] * 3)[0] == 90
    assert points([completed_loan(35)] * 5)[0] == 100
    assert points([completed_loan(35)] * 7)[0] == 100


def test_repayment_factor_is_the_share_of_due_installments_paid_on_time():
    score, breakdown = points([completed_loan(on_time=14)])
    assert breakdown[Factor.REPAYMENT_ON_TIME] == 14
    assert score == 59


def test_only_installments_already_due_are_counted():
    # Started 2026-01-15: five installments fell due by 2026-06-15, all paid on time.
    running = LoanHistory(
        amount=Decimal("100000"),
        tenure=12,
        monthly_installment=Decimal("8791.59"),
        emis_paid_on_time=5,
        start_date=date(2026, 1, 15),
        end_date=date(2027, 1, 15),
    )
    score, breakdown = points([running])
    assert breakdown[Factor.REPAYMENT_ON_TIME] == 35
    assert breakdown[Factor.LOANS_TAKEN] == 0
    assert breakdown[Factor.CURRENT_YEAR_ACTIVITY] == Decimal("18.75")
    assert breakdown[Factor.APPROVED_VOLUME] == Decimal("13.5")
    assert score == 67  # 35 + 0 + 18.75 + 13.5 = 67.25


def test_loans_started_this_year_take_a_quarter_each_of_the_activity_factor():
    assert points([loan_started_today("1")])[1][Factor.CURRENT_YEAR_ACTIVITY] == Decimal("18.75")
    assert points([loan_started_today("1")] * 4)[1][Factor.CURRENT_YEAR_ACTIVITY] == 0
    assert points([loan_started_today("1")] * 6)[1][Factor.CURRENT_YEAR_ACTIVITY] == 0


def test_volume_factor_falls_with_current_amounts_against_the_limit():
    assert points([loan_started_today("600000")])[1][Factor.APPROVED_VOLUME] == 6
    assert points([loan_started_today("1000000")])[1][Factor.APPROVED_VOLUME] == 0


def test_current_loans_over_the_approved_limit_make_the_score_zero():
    at_limit = credit_score([loan_started_today("1000000")], LIMIT, TODAY)
    over = credit_score([loan_started_today("1000000.01")], LIMIT, TODAY)
    assert (at_limit.score, at_limit.current_debt_over_limit) == (19, False)
    assert (over.score, over.current_debt_over_limit) == (0, True)


def test_zero_limit_with_no_current_debt_keeps_the_volume_points():
    assert points([], limit=Decimal(0))[0] == 40
    assert credit_score([loan_started_today("1")], Decimal(0), TODAY).score == 0


def test_half_a_point_rounds_up():
    # 35 × 1/2 = 17.5 repayment + 5 loans taken + 25 + 15 = 62.5 → 63
    assert points([completed_loan(on_time=1, tenure=2)])[0] == 63


# Properties: the directions the contract fixes, over arbitrary histories.
loans = st.builds(
    lambda start_days, tenure, paid_share, amount: _loan(start_days, tenure, paid_share, amount),
    st.integers(min_value=0, max_value=6000),
    st.integers(min_value=1, max_value=240),
    st.floats(min_value=0, max_value=1),
    st.integers(min_value=1, max_value=2_000_000),
)


def _loan(start_days: int, tenure: int, paid_share: float, amount: int) -> LoanHistory:
    start = date.fromordinal(date(2010, 1, 1).toordinal() + start_days)
    return LoanHistory(
        amount=Decimal(amount),
        tenure=tenure,
        monthly_installment=Decimal("1000.00"),
        emis_paid_on_time=int(tenure * paid_share),
        start_date=start,
        end_date=add_months(start, tenure),
    )


limits = st.integers(min_value=0, max_value=10_000_000).map(Decimal)


@given(st.lists(loans, max_size=8), limits)
def test_score_is_an_integer_from_0_to_100(history, limit):
    assert 0 <= credit_score(history, limit, TODAY).score <= 100


@given(st.lists(loans, min_size=1, max_size=8), limits, st.data())
def test_a_better_on_time_record_never_lowers_the_score(history, limit, data):
    index = data.draw(st.integers(min_value=0, max_value=len(history) - 1))
    loan = history[index]
    better = loan._replace(emis_paid_on_time=loan.tenure)
    improved = [*history[:index], better, *history[index + 1 :]]
    assert credit_score(improved, limit, TODAY).score >= credit_score(history, limit, TODAY).score


@given(st.lists(loans, max_size=8), limits, st.integers(min_value=1, max_value=5_000_000))
def test_borrowing_more_this_year_never_raises_the_score(history, limit, amount):
    more = [*history, loan_started_today(str(amount))]
    assert credit_score(more, limit, TODAY).score <= credit_score(history, limit, TODAY).score


@given(st.lists(loans, max_size=8), limits, st.integers(min_value=1, max_value=5_000_000))
def test_more_current_volume_never_raises_the_score(history, limit, extra):
    bigger = [
        loan._replace(amount=loan.amount + extra) if loan.is_current(TODAY) else loan
        for loan in history
    ]
    assert credit_score(bigger, limit, TODAY).score <= credit_score(history, limit, TODAY).score
