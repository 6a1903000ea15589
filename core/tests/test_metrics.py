"""GET /metrics: Prometheus text with requests, latency, decisions and ingested rows."""

import os

import pytest
import redis
from django.test import override_settings
from prometheus_client.parser import text_string_to_metric_families

from customers.tests.factories import CustomerFactory
from ingestion.metrics import INGESTED_ROWS_KEY, record_ingested_rows

pytestmark = pytest.mark.django_db


def samples(api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = api.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(found, name, **labels) -> float:
    return float(found.get((name, tuple(sorted(labels.items()))), 0.0))


def test_requests_are_counted_by_route_method_and_status(api):
    before = samples(api)
    api.get("/view-loan/123456")
    api.get("/view-loan/654321/")
    api.get("/nowhere/at/all")
    after = samples(api)
    route = {"endpoint": "/view-loan/<id:loan_id>", "method": "GET"}
    assert (
        value(after, "credit_http_requests_total", status="404", **route)
        - value(before, "credit_http_requests_total", status="404", **route)
        == 2
    )
    assert (
        value(after, "credit_http_request_duration_seconds_count", **route)
        - value(before, "credit_http_request_duration_seconds_count", **route)
        == 2
    )
    assert value(after, "credit_http_request_duration_seconds_bucket", le="+Inf", **route) >= 2
    unmatched = {"endpoint": "unmatched", "method": "GET", "status": "404"}
    assert value(after, "credit_http_requests_total", **unmatched) >= 1


def test_decisions_are_counted_by_outcome_and_reason(api):
    rich = CustomerFactory.create(monthly_salary=100000, approved_limit=3600000)
    poor = CustomerFactory.create(monthly_salary=10000, approved_limit=300000)
    before = samples(api)
    for customer in (rich, poor):
        api.post(
            "/check-eligibility",
            {"customer_id": customer.pk, "loan_amount": 500000, "interest_rate": 14, "tenure": 12},
            format="json",
        )
    after = samples(api)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("credit_decisions_total", outcome="approved") == 1
    assert grew("credit_decisions_total", outcome="rejected") == 1
    assert grew("credit_decision_reasons_total", reason="emi_over_half_salary") == 1
    assert grew("credit_decision_reasons_total", reason="approved_limit_exceeded") == 1


@override_settings(REDIS_URL="")
def test_ingested_rows_are_counted_by_kind_and_result(api):
    before = samples(api)
    record_ingested_rows("customers", "created", 300)
    record_ingested_rows("loans", "rejected", 2)
    record_ingested_rows("loans", "rejected", 1)
    after = samples(api)
    assert (
        value(after, "credit_ingested_rows_total", kind="customers", result="created")
        - value(before, "credit_ingested_rows_total", kind="customers", result="created")
        == 300
    )
    assert (
        value(after, "credit_ingested_rows_total", kind="loans", result="rejected")
        - value(before, "credit_ingested_rows_total", kind="loans", result="rejected")
        == 3
    )


@pytest.mark.redis
def test_ingested_rows_counted_in_redis_are_shared(api):
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    with override_settings(REDIS_URL=os.environ["REDIS_URL"]):
        client.delete(INGESTED_ROWS_KEY)
        try:
            record_ingested_rows("loans", "created", 7)
            assert client.hget(INGESTED_ROWS_KEY, "loans:created") == b"7"
            found = samples(api)
            assert value(found, "credit_ingested_rows_total", kind="loans", result="created") == 7
        finally:
            client.delete(INGESTED_ROWS_KEY)


@override_settings(REDIS_URL="redis://127.0.0.1:1/15")
def test_an_unreachable_redis_never_breaks_counting_or_scraping(api):
    record_ingested_rows("loans", "created", 1)
    assert "credit_ingested_rows" in api.get("/metrics").content.decode()


def test_metrics_answers_a_wrong_method_in_the_envelope(api):
    response = api.post("/metrics")
    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")
    assert response.json()["error"]["code"] == "method_not_allowed"
