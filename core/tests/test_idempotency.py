"""Idempotency-Key on POST /create-loan (and any view decorated with @idempotent): a retry gets
the first response again, a different request with the key gets 422, a retry while the first
still runs waits for it (409 past IDEMPOTENCY_WAIT_SECONDS), errors are never stored."""

import io
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.test import override_settings
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core import idempotency
from core.idempotency import idempotent, scope_of
from core.models import IdempotencyRecord
from core.tasks import purge_expired_idempotency_keys
from customers.tests.factories import CustomerFactory
from loans.models import Loan

pytestmark = pytest.mark.django_db

KEY = "loan-2026-06-15-0001"
# The create-loan fields this feature is about (the body may carry more, e.g. an audit id).
BOOKING_FIELDS = ("loan_id", "customer_id", "loan_approved", "message", "monthly_installment")


@pytest.fixture
def customer():
    return CustomerFactory.create(
        monthly_salary=Decimal("100000"), approved_limit=Decimal("1000000")
    )


def application(customer, amount=100000):
    return {"customer_id": customer.pk, "loan_amount": amount, "interest_rate": 10, "tenure": 12}


def booking(response):
    body = response.json()
    return {field: body[field] for field in BOOKING_FIELDS}


def create_loan(api, body, key=KEY, path="/create-loan", **headers):
    return api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key, **headers)


def test_a_retry_replays_the_first_response_and_books_nothing_more(api, customer):
    first = create_loan(api, application(customer))
    assert first.status_code == 201
    loan = Loan.objects.get()
    assert booking(first) == {
        "loan_id": loan.pk,
        "customer_id": customer.pk,
        "loan_approved": True,
        "message": "Loan approved.",
        "monthly_installment": 8884.88,
    }
    assert "Idempotent-Replayed" not in first.headers

    # The same request written differently (key order, spacing, trailing slash) is the same.
    body = (
        '{ "tenure": 12, "interest_rate": 10, "loan_amount": 100000, '
        f'"customer_id": {customer.pk} }}'
    )
    retry = api.generic(
        "POST", "/create-loan/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    assert retry.status_code == 201
    assert retry.content == first.content
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.headers["Content-Type"] == "application/json"
    assert Loan.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert (record.scope, record.key, record.response_status) == (
        "POST /create-loan anonymous",
        KEY,
        201,
    )
    assert record.response_body == first.content.decode()
    assert record.expires_at - record.created_at == timedelta(hours=24)


def test_a_refusal_is_a_response_like_any_other_and_is_replayed(api, customer):
    first = create_loan(api, application(customer, amount=5_000_000))
    assert first.status_code == 200
    assert first.json()["loan_id"] is None
    retry = create_loan(api, application(customer, amount=5_000_000))
    assert (retry.status_code, retry.content) == (200, first.content)
    assert retry.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_with_a_different_request_is_422(api, customer):
    assert create_loan(api, application(customer)).status_code == 201
    other = create_loan(api, application(customer, amount=200000))
    assert other.status_code == 422
    assert other.json() == {
        "error": {
            "code": "idempotency_key_reused",
            "message": "This Idempotency-Key was used with a different request; "
            "use a new key for a new request.",
            "fields": {},
        }
    }
    assert "Idempotent-Replayed" not in other.headers
    assert Loan.objects.count() == 1


def raw_application(api, customer, amount_text, key=KEY):
    """A create-loan body with the amount spelled exactly as given."""
    body = (
        f'{{"customer_id": {customer.pk}, "loan_amount": {amount_text},'
        ' "interest_rate": 10, "tenure": 12}'
    )
    return api.generic(
        "POST", "/create-loan", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_numbers_are_compared_by_value_not_spelling(api, customer):
    first = raw_application(api, customer, "100000")
    assert first.status_code == 201
    for spelling in ("100000.0", "1e5", "1.00000E+5", "100000.000"):
        again = raw_application(api, customer, spelling)
        assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true"), spelling
        assert again.content == first.content
    assert Loan.objects.count() == 1


def test_a_number_and_the_same_digits_as_text_are_different_requests(api, customer):
    assert raw_application(api, customer, "100000").status_code == 201
    assert raw_application(api, customer, '"100000"').status_code == 422
    assert raw_application(api, customer, "100000.01").status_code == 422
    assert Loan.objects.count() == 1


def test_keys_are_per_client_and_per_endpoint(api, customer):
    keys = ["client-one-0123456789abcdef", "client-two-0123456789abcdef"]
    with override_settings(API_KEYS=keys):
        one = create_loan(api, application(customer), HTTP_X_API_KEY=keys[0])
        two = create_loan(api, application(customer), HTTP_X_API_KEY=keys[1])
        again = create_loan(api, application(customer), HTTP_X_API_KEY=keys[1])
    assert (one.status_code, two.status_code, again.status_code) == (201, 201, 201)
    assert one.json()["loan_id"] != two.json()["loan_id"]
    assert again.content == two.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Loan.objects.count() == 2
    scopes = sorted(IdempotencyRecord.objects.values_list("scope", flat=True))
    assert len(scopes) == 2
    assert all(scope.startswith("POST /create-loan ") for scope in scopes)
    assert "POST /create-loan anonymous" not in scopes


def test_scope_is_method_path_without_trailing_slash_and_client():
    assert scope_of("post", "/loans/7/payments/", "ab12cd34ef56") == (
        "POST /loans/7/payments ab12cd34ef56"
    )
    assert scope_of("POST", "/create-loan", None) == "POST /create-loan anonymous"
    assert scope_of("POST", "/", None) == "POST / anonymous"


@pytest.mark.parametrize(
    "key", ["", "x" * 256, "clé", "tab\there", "new\x7fline", " edge", "edge ", "line\n"]
)
def test_an_invalid_key_is_400_and_runs_nothing(api, customer, key):
    response = create_loan(api, application(customer), key=key)
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "validation_error",
            "message": "The Idempotency-Key header is not valid.",
            "fields": {
                "Idempotency-Key": [
                    "Must be 1 to 255 printable ASCII characters, no space first or last."
                ]
            },
        }
    }
    assert Loan.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize("key", ["a", "x" * 255, "order 42 / retry ~!@#$%^&*()"])
def test_any_printable_ascii_key_up_to_255_is_accepted(api, customer, key):
    assert create_loan(api, application(customer), key=key).status_code == 201
    assert IdempotencyRecord.objects.get().key == key


def test_an_expired_record_is_forgotten_and_the_request_runs_as_new(api, customer):
    first = create_loan(api, application(customer))
    past = timezone.now() - timedelta(hours=1)
    IdempotencyRecord.objects.update(created_at=past - timedelta(hours=24), expires_at=past)

    # Even a different request: the old one is gone.
    second = create_loan(api, application(customer, amount=200000))
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers
    assert second.json()["loan_id"] != first.json()["loan_id"]
    assert Loan.objects.count() == 2
    record = IdempotencyRecord.objects.get()
    assert record.response_body == second.content.decode()
    assert record.expires_at > timezone.now()


def test_validation_errors_are_not_stored_and_the_key_stays_usable(api, customer):
    invalid = create_loan(api, {**application(customer), "tenure": 0})
    assert invalid.status_code == 400
    assert invalid.json()["error"]["fields"] == {
        "tenure": ["Ensure this value is greater than or equal to 1."]
    }
    assert IdempotencyRecord.objects.count() == 0

    valid = create_loan(api, application(customer))
    assert valid.status_code == 201
    assert "Idempotent-Replayed" not in valid.headers
    assert Loan.objects.count() == 1


def test_a_404_is_not_stored_so_the_retry_runs_again(api, customer):
    body = {**application(customer), "customer_id": customer.pk + 1}
    missing = create_loan(api, body)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "customer_not_found"
    assert IdempotencyRecord.objects.count() == 0
    CustomerFactory.create(pk=customer.pk + 1)
    found = create_loan(api, body)
    assert found.status_code == 201
    assert "Idempotent-Replayed" not in found.headers


def test_malformed_json_with_a_key_is_the_usual_400(api):
    response = api.generic(
        "POST", "/create-loan", "{", content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"
    assert IdempotencyRecord.objects.count() == 0


def test_without_the_header_nothing_is_stored(api, customer):
    assert api.post("/create-loan", application(customer), format="json").status_code == 201
    assert api.post("/create-loan", application(customer), format="json").status_code == 201
    assert Loan.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 0


# A view with a URL argument, as the payments endpoint will be.
class PaymentLikeApi(APIView):
    calls: list[int] = []
    answer = 201

    @idempotent
    def post(self, request: Request, loan_id: int) -> Response:
        self.calls.append(loan_id)
        Loan.objects.filter(pk=loan_id).update(emis_paid_on_time=1)
        return Response({"loan_id": loan_id, "paid": Decimal("10.50")}, status=self.answer)


@pytest.fixture
def payment_view(monkeypatch):
    monkeypatch.setattr(PaymentLikeApi, "calls", [])
    return PaymentLikeApi.as_view()


def pay(view, loan_id, key=KEY, amount="10.50"):
    request = APIRequestFactory().post(
        f"/loans/{loan_id}/payments", {"amount": amount}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    response = view(request, loan_id=loan_id)
    response.render()
    return response


def test_the_decorator_passes_url_arguments_and_scopes_by_path(payment_view):
    first = pay(payment_view, 7)
    again = pay(payment_view, 7)
    other_loan = pay(payment_view, 8)
    assert first.content == again.content == b'{"loan_id":7,"paid":10.50}'
    assert other_loan.content == b'{"loan_id":8,"paid":10.50}'
    assert (first.status_code, again.status_code, other_loan.status_code) == (201, 201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert PaymentLikeApi.calls == [7, 8]
    assert sorted(IdempotencyRecord.objects.values_list("scope", flat=True)) == [
        "POST /loans/7/payments anonymous",
        "POST /loans/8/payments anonymous",
    ]


def test_a_5xx_the_handler_returns_is_not_stored_and_rolls_back(payment_view, monkeypatch):
    from loans.tests.factories import LoanFactory

    loan = LoanFactory.create(emis_paid_on_time=0)
    monkeypatch.setattr(PaymentLikeApi, "answer", 503)
    assert pay(payment_view, loan.pk).status_code == 503
    assert IdempotencyRecord.objects.count() == 0
    loan.refresh_from_db()
    assert loan.emis_paid_on_time == 0
    monkeypatch.setattr(PaymentLikeApi, "answer", 201)
    assert pay(payment_view, loan.pk).status_code == 201
    assert PaymentLikeApi.calls == [loan.pk, loan.pk]
    loan.refresh_from_db()
    assert loan.emis_paid_on_time == 1


def test_an_exception_in_the_handler_is_a_500_and_stores_nothing(api, customer, monkeypatch):
    from approvals import api as loans_api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(loans_api, "apply_for_loan", broken)
    response = create_loan(api, application(customer))
    assert response.status_code == 500
    assert IdempotencyRecord.objects.count() == 0


class _Busy(Exception):
    sqlstate = "55P03"


def failing_claim(error):
    def claim(*args, **kwargs):
        raise error

    return claim


def test_a_lock_timeout_while_claiming_the_key_is_409(api, customer, monkeypatch):
    error = OperationalError("canceling statement due to lock timeout")
    error.__cause__ = _Busy()
    monkeypatch.setattr(idempotency, "_claim", failing_claim(error))
    response = create_loan(api, application(customer))
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "idempotency_in_progress",
            "message": "A request with this Idempotency-Key is still being processed; retry later.",
            "fields": {},
        }
    }


def test_sqlite_database_is_locked_while_claiming_is_409(api, customer, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's lock error")
    monkeypatch.setattr(
        idempotency, "_claim", failing_claim(OperationalError("database is locked"))
    )
    assert create_loan(api, application(customer)).status_code == 409


def test_other_database_errors_while_claiming_are_not_409(api, customer, monkeypatch):
    monkeypatch.setattr(idempotency, "_claim", failing_claim(OperationalError("disk I/O error")))
    response = create_loan(api, application(customer))
    assert (response.status_code, response["Retry-After"]) == (503, "1")
    assert response.json()["error"]["code"] == "service_unavailable"


def expiring(key, expires):
    return IdempotencyRecord.objects.create(
        scope="POST /create-loan anonymous",
        key=key,
        request_fingerprint="0" * 64,
        response_status=201,
        response_body="{}",
        expires_at=expires,
    )


def test_purge_deletes_only_expired_records(customer):
    now = timezone.now()
    expiring("old", now - timedelta(seconds=1))
    expiring("live", now + timedelta(hours=1))
    out = io.StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["live"]
    assert out.getvalue() == "Deleted 1 expired idempotency record(s).\n"


def test_beat_purges_expired_records_daily(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["purge-expired-idempotency-keys"]
    assert (schedule["task"], schedule["schedule"]) == (purge_expired_idempotency_keys.name, 86400)
    expiring("old", timezone.now() - timedelta(seconds=1))
    assert purge_expired_idempotency_keys.apply().get() == 1
    assert not IdempotencyRecord.objects.exists()


def test_the_admin_lists_records_read_only(admin_client, api, customer):
    create_loan(api, application(customer))
    record = IdempotencyRecord.objects.get()
    assert admin_client.get("/admin/core/idempotencyrecord/").status_code == 200
    assert admin_client.get(f"/admin/core/idempotencyrecord/{record.pk}/change/").status_code == 200
    assert admin_client.get("/admin/core/idempotencyrecord/add/").status_code == 403
    assert admin_client.get(f"/admin/core/idempotencyrecord/{record.pk}/delete/").status_code == 403


# PostgreSQL: a retry really waits on the first request's uncommitted record.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_retry_while_the_first_is_running_waits_then_answers_409(api, customer, settings):
    settings.IDEMPOTENCY_WAIT_SECONDS = 1
    holding, release = threading.Event(), threading.Event()

    def first_request_still_running() -> None:
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    scope="POST /create-loan anonymous",
                    key=KEY,
                    request_fingerprint="0" * 64,
                    expires_at=timezone.now() + timedelta(hours=24),
                )
                holding.set()
                release.wait(30)
                transaction.set_rollback(True)  # the first request fails after all
        finally:
            connection.close()

    holder = threading.Thread(target=first_request_still_running)
    holder.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        busy = create_loan(api, application(customer))
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join(30)
    assert busy.status_code == 409
    assert busy.json()["error"]["code"] == "idempotency_in_progress"
    assert 0.9 <= waited < 5
    assert Loan.objects.count() == 0
    # The first rolled back: nothing was kept, so the retry runs as the first.
    retry = create_loan(api, application(customer))
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry.headers
    assert Loan.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_lock_wait_applies_to_the_claim_only(api, customer, settings, monkeypatch):
    """The handler runs with the connection's usual lock_timeout, not the key's wait."""
    from approvals import services as loans_api  # create-loan's service calls decisions'
    from decisions import services

    settings.IDEMPOTENCY_WAIT_SECONDS = 1
    seen = []

    def spy(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            seen.append(cursor.fetchone()[0])
        return services.create_loan(*args, **kwargs)

    monkeypatch.setattr(loans_api, "create_loan", spy)
    assert create_loan(api, application(customer)).status_code == 201
    assert seen == ["0"]
