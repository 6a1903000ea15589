"""usual_application, the fast path for well-formed applications, against the serializer."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from loans.api import LARGEST_ID, LoanApplicationInput, usual_application
from loans.policy import LoanRequest

FIELDS = ("customer_id", "loan_amount", "interest_rate", "tenure")
NUMBERS = st.one_of(
    st.integers(min_value=-5, max_value=400),
    st.integers(min_value=LARGEST_ID - 2, max_value=LARGEST_ID + 2),
    st.integers(min_value=10**12 - 2, max_value=10**12 + 2),
    st.decimals(allow_nan=True, allow_infinity=True, places=None),
    st.decimals(min_value=-1, max_value=10**13, places=2),
    st.decimals(min_value=0, max_value=101, places=3),
    st.sampled_from(
        [Decimal("1E+5"), Decimal("-0.00"), Decimal("100.00"), Decimal("100.001"), Decimal("0")]
    ),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.text(max_size=6),
)
# Each field usually well-formed, so that all four often are and the fast path answers.
LIKELY = {
    "customer_id": st.integers(min_value=1, max_value=LARGEST_ID),
    "loan_amount": st.decimals(min_value=Decimal("0.01"), max_value=10**12, places=2),
    "interest_rate": st.decimals(min_value=0, max_value=100, places=2) | st.integers(0, 100),
    "tenure": st.integers(min_value=1, max_value=360),
}


def mostly_likely(field: str) -> st.SearchStrategy[object]:
    """Three times in four a well-formed value, else anything."""
    return st.sampled_from([True, True, True, False]).flatmap(
        lambda likely: LIKELY[field] if likely else NUMBERS
    )


APPLICATIONS = st.fixed_dictionaries({field: mostly_likely(field) for field in FIELDS})


@settings(max_examples=3000, deadline=None)
@given(APPLICATIONS)
def test_whatever_the_fast_path_accepts_the_serializer_accepts_with_the_same_values(data):
    fast = usual_application(data)
    if fast is None:
        return
    serializer = LoanApplicationInput(data=data)
    assert serializer.is_valid(), serializer.errors
    assert fast == (serializer.validated_data["customer_id"], serializer.to_loan_request())
    # Same digits too, not only equal values: 10.5 is written back as 10.50.
    assert str(fast[1].amount) == str(serializer.validated_data["loan_amount"])
    assert str(fast[1].interest_rate) == str(serializer.validated_data["interest_rate"])


def test_the_fast_path_takes_the_usual_json_application():
    data = {"customer_id": 7, "loan_amount": 200000, "interest_rate": Decimal("10.5"), "tenure": 24}
    request = LoanRequest(amount=Decimal("200000.00"), interest_rate=Decimal("10.50"), tenure=24)
    answer = usual_application(data)
    assert answer == (7, request)
    # Quantized like the serializer: the digits, not only the value, are 200000.00 and 10.50.
    assert answer is not None
    assert (str(answer[1].amount), str(answer[1].interest_rate)) == ("200000.00", "10.50")


def test_the_fast_path_leaves_anything_unusual_to_the_serializer():
    usual = {"customer_id": 7, "loan_amount": 200000, "interest_rate": 10, "tenure": 24}
    for field, value in [
        ("customer_id", True),
        ("customer_id", "7"),
        ("loan_amount", 0),
        ("loan_amount", Decimal("1.005")),
        ("loan_amount", 10**12),
        ("interest_rate", Decimal("100.01")),
        ("interest_rate", 10.5),
        ("tenure", 361),
    ]:
        assert usual_application({**usual, field: value}) is None, (field, value)
    assert usual_application({k: v for k, v in usual.items() if k != "tenure"}) is None
    assert usual_application([usual]) is None
