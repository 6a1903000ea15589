"""An unreachable database is a 503 with Retry-After on every path, whichever layer meets it:
the API's envelope, the people's HTML page (core.errors.outage_response). Here in this process
against a real unreachable database; tests/test_outage_walk.py walks every pattern."""

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client, RequestFactory

from core.errors import server_error_view
from tests.processes import free_port

SESSION = "s" * 32  # any session id a browser may still hold


@pytest.fixture
def database_unreachable(django_db_blocker, tmp_path):
    """The default database where none answers: a port nothing listens on, or a file in no
    folder. Every query of the test's requests fails to connect, as in an outage."""
    original = connections["default"]
    settings = dict(original.settings_dict)
    if connection.vendor == "postgresql":
        settings.update(HOST="127.0.0.1", PORT=str(free_port()))
    else:
        settings["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    connections["default"] = original.__class__(settings, "default")
    with django_db_blocker.unblock():
        yield
    connections["default"].close()
    connections["default"] = original


@pytest.fixture
def browser():
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = SESSION
    return client


def assert_outage_page(response):
    assert (response.status_code, response["Retry-After"]) == (503, "1")
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert b"The service is unavailable" in response.content


@pytest.mark.usefixtures("database_unreachable")
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/console/"),
        ("get", "/console/customers/1/"),
        ("post", "/console/loans/1/payments/"),
        ("get", "/console/sign-in/"),
        ("post", "/console/sign-in/"),
        ("get", "/console/no-such-page"),
        ("get", "/admin/"),
        ("post", "/admin/login/"),
    ],
)
def test_a_page_with_the_database_unreachable_is_the_outage_page(browser, method, path):
    response = getattr(browser, method)(path, {"username": "asha", "password": "x" * 12})
    assert response.status_code == 503
    assert_outage_page(response)
    assert "HX-Refresh" not in response


@pytest.mark.usefixtures("database_unreachable")
def test_signing_in_without_a_session_is_the_outage_page_too():
    response = Client(raise_request_exception=False).post(
        "/console/sign-in/", {"username": "asha", "password": "x" * 12}
    )
    assert_outage_page(response)


@pytest.mark.usefixtures("database_unreachable")
def test_try_again_asks_for_the_page_again_or_after_a_form_for_the_dashboard(browser):
    page = browser.get("/console/decisions/?since=2026-01-01").content.decode()
    assert 'href="/console/decisions/?since=2026-01-01">Try again</a>' in page
    form = browser.post("/console/loans/1/payments/").content.decode()
    assert 'href="/console/">Try again</a>' in form


@pytest.mark.usefixtures("database_unreachable")
def test_an_htmx_request_reloads_the_page_to_show_it(browser):
    response = browser.get("/console/customers/", headers={"HX-Request": "true"})
    assert_outage_page(response)
    assert response["HX-Refresh"] == "true"


OUTAGE = {
    "error": {
        "code": "service_unavailable",
        "message": "The database is unavailable; retry shortly.",
        "fields": {},
    }
}


@pytest.mark.usefixtures("database_unreachable")
@pytest.mark.parametrize("path", ["/view-loan/1", "/metrics", "/api/schema"])
def test_the_api_and_metrics_with_a_key_answer_the_envelope(path):
    response = Client(raise_request_exception=False).get(path, headers={"X-API-Key": "k" * 20})
    assert (response.status_code, response["Retry-After"]) == (503, "1")
    assert response.json() == OUTAGE


@pytest.mark.usefixtures("database_unreachable")
def test_health_says_unavailable_with_retry_after():
    response = Client().get("/health")
    assert (response.status_code, response["Retry-After"]) == (503, "1")
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_an_outage_outside_any_view_is_a_503_too():
    """handler500, for a middleware's own query (say a session saved after the view)."""
    request = RequestFactory().get("/console/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error_view(request)
    assert_outage_page(response)
    api = RequestFactory().get("/view-loan/1")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error_view(api)
    assert (response.status_code, response["Retry-After"]) == (503, "1")


def test_any_other_error_outside_a_view_stays_a_500():
    request = RequestFactory().get("/view-loan/1")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error_view(request)
    assert response.status_code == 500
    assert "Retry-After" not in response
