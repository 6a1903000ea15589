import pytest
import requests

import demo_api
from loans.models import Loan


@pytest.mark.django_db(transaction=True)
def test_demo_walks_a_live_server_through_every_endpoint(live_server, capsys, monkeypatch):
    monkeypatch.setattr("sys.argv", ["demo_api.py", live_server.url])
    assert demo_api.main() == 0
    printed = capsys.readouterr().out
    for step in (
        "POST /register",
        "POST /check-eligibility",
        "POST /create-loan",
        "GET /view-loan/",
    ):
        assert f">>> {step}" in printed
    assert printed.count("<<< 201") == 2  # registered, and the loan booked
    loan = Loan.objects.get()
    assert f">>> GET /view-loans/{loan.customer_id}" in printed
    assert '"loan_approved":true' in printed
    # Money as the service sent it, two decimals and all (not 85000.0 or 12.0 from floats).
    assert '"monthly_income":85000.00,"approved_limit":3100000.00' in printed
    assert '"interest_rate":10.50,"corrected_interest_rate":12.00' in printed
    assert '"loan_amount":250000.00,"interest_rate":12.00' in printed
    sent = requests.get(f"{live_server.url}/view-loan/{loan.pk}", timeout=10).text
    assert sent in printed.splitlines()
