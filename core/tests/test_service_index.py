"""GET /: a browser goes to the console, an API client learns where the docs are."""

import pytest

INDEX = {
    "service": "Credit approval service",
    "docs": "/api/docs",
    "openapi": "/api/schema",
    "console": "/console/",
    "health": "/health",
}
# What browsers send for a page they navigate to.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.mark.parametrize("accept", [BROWSER, "text/html"])
def test_a_browser_is_sent_to_the_console(api, accept):
    answer = api.get("/", HTTP_ACCEPT=accept)
    assert (answer.status_code, answer["Location"], answer["Vary"]) == (302, "/console/", "Accept")


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/xml"])
def test_an_api_client_is_told_where_the_docs_are(api, accept):
    answer = api.get("/", **({"HTTP_ACCEPT": accept} if accept else {}))
    assert (answer.status_code, answer.json(), answer["Vary"]) == (200, INDEX, "Accept")


def test_it_needs_no_key_even_where_keys_are_required(api, settings):
    settings.API_KEYS = ["a-key-long-enough-123"]
    assert api.get("/").json() == INDEX


def test_another_method_is_a_405_in_the_envelope(api):
    answer = api.post("/", {}, format="json")
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"
