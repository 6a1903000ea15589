import pytest

from ingestion import metrics
from ingestion.tests.conftest import customer, ingest, loan

pytestmark = pytest.mark.django_db


def test_a_finished_job_counts_its_rows_by_result_for_metrics(
    customers_file, loans_file, monkeypatch, settings
):
    settings.REDIS_URL = ""
    monkeypatch.setattr(metrics, "_local_ingested_rows", type(metrics._local_ingested_rows)())
    ingest(
        customers_file(customer(1), customer(2)),
        loans_file(loan(1, 5930), loan(99, 5931)),  # customer 99 is unknown: rejected
    )
    assert dict(metrics._local_ingested_rows) == {
        ("customers", "created"): 2,
        ("loans", "created"): 1,
        ("loans", "rejected"): 1,
    }
