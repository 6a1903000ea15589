"""Every URL pattern the project declares (config/urls.py, resolved recursively: the API, the
console, the admin), asked with every method, through Django's own request handling, in this
process, under the settings and services the environment names (DATABASE_URL, REDIS_URL,
DJANGO_SETTINGS_MODULE): `python -m tests.walk`. One JSON line per request on stdout.

With WALK_SETUP=1 the database is reachable: the walker migrates it, signs a superuser in and
makes one of everything through the API (a customer, a loan, decisions, a payment, a draft
policy, a simulation, an ingestion job), so every id in a path names a row. Otherwise any id
will do, and the session cookie is any 32 characters, as a browser left signed in would send.

tests/test_outage_walk.py runs this in processes of their own, with the database or Redis
unreachable, and reads the lines."""

import io
import json
import os
import re
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import django

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
KEY = "walk-client-key-0123456789abcdef"
PASSWORD = "a-long-enough-password-42"  # the walker's own user
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


@dataclass(frozen=True)
class Route:
    """One declared pattern: its full route as written, and a path that it matches."""

    route: str
    name: str
    path: str


def _fill_route(route: str, ids: dict[str, str]) -> str:
    return _CONVERTER.sub(lambda match: ids.get(match["name"], "1"), route)


def _fill_regex(regex: str, ids: dict[str, str]) -> str:
    """A regex pattern's named groups by their plausible value, or the first word of an
    alternation (the admin's app labels), or "1"; the catch-all's, a path no pattern names."""
    if regex == "^":
        return "no-such-page"

    def value(match: re.Match[str]) -> str:
        if match["name"] in ids:
            return ids[match["name"]]
        words = match["body"].split("|")
        return words[0] if all(word.isidentifier() for word in words) else "1"

    return _GROUP.sub(value, regex).lstrip("^").rstrip("$").replace("\\", "")


def routes(ids: dict[str, str], objects: dict[str, str]) -> list[Route]:
    """Every pattern, each path filled with `ids` by the names of its parameters (an admin page
    with `objects`' row of its model). A pattern without a name (the API's trailing-slash twins)
    takes its view's."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    found: list[tuple[str, str, str, Any]] = []

    def walk(patterns: list[Any], route: str, path: str, namespace: str) -> None:
        for pattern in patterns:
            written = str(pattern.pattern)
            if isinstance(pattern.pattern, RoutePattern):
                part = _fill_route(written, ids)
            else:
                part = _fill_regex(written, ids)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route + written, path + part, inner)
            elif isinstance(pattern, URLPattern):
                model_admin = getattr(pattern.callback, "model_admin", None)
                if model_admin is not None:  # an admin page of one model: one of its rows
                    part = part.replace("1", objects.get(model_admin.model._meta.label, "1"))
                name = f"{namespace}{pattern.name}" if pattern.name else ""
                found.append((route + written, name, "/" + path + part, pattern.callback))

    walk(get_resolver().url_patterns, "", "", "")
    names = {callback: name for _, name, _, callback in found if name}
    return [Route(route, name or names.get(view, ""), path) for route, name, path, view in found]


# What a client would plausibly add to a path: query parameters, and bodies for what creates.
def queries(ids: dict[str, str]) -> dict[str, dict[str, str]]:
    return {
        "loan-payoff": {"on": "2026-06-15"},
        "collections": {"bucket": "SMA-1"},
        "view-loans": {"status": "active"},
        "decision-replay": {"policy": ids["version"]},
        "customer-decisions": {"page": "1"},
        "console:customers": {"q": "Walk"},
        "console:application": {"decision": ids["decision_id"]},
        "console:decisions": {"customer": ids["customer_id"], "kind": "application"},
        "console:decision": {"policy": ids["version"]},
        "console:payoff": {"on": "2026-06-15"},
        "console:collections": {"bucket": "SMA-1"},
        "console:draft": {"based_on": "1"},
        "console:compare": {"left": "1", "right": ids["version"]},
    }


APPLICATION = {"loan_amount": "1000", "interest_rate": "12", "tenure": "12"}


def bodies(ids: dict[str, str], files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    """JSON bodies for the API's routes, form fields for the console's."""
    customer = {
        "first_name": "Walk",
        "last_name": "Er",
        "age": 30,
        "monthly_income": 50000,
        "phone_number": 9000000000 + secrets.randbelow(999_999_999),
    }
    application = {"customer_id": int(ids["customer_id"]), **APPLICATION}
    simulation = {"policy": int(ids["version"]), "from": "2026-01-01", "to": "2026-12-31"}
    form_key = {"form_key": "8c4c9cf4-6a7e-4d0a-9d3e-0d9a2f1e2b3c"}
    return {
        "register": customer,
        "check-eligibility": application,
        "create-loan": application,
        "loan-payments": {"amount": "100"},
        "payment-reversal": {"reason": "Cheque returned"},
        "loan-notes": {"text": "Walked past"},
        "loan-promises": {"promised_on": "2099-12-31", "promised_amount": "100"},
        "policies": {"minimum_score": 45},
        "policy": {"minimum_score": 46},
        "policy-simulations": simulation,
        "approval-reject": {"reason": "walked"},
        "ingest": {"files": files},
        "console:sign-in": {"username": "walker", "password": PASSWORD},
        "console:register": {**customer, **form_key},
        "console:check": {**APPLICATION, **form_key},
        "console:book": {**APPLICATION, **form_key},
        "console:pay": {"amount": "100", "paid_on": "2026-06-15", **form_key},
        "console:reverse-payment": {"reason": "Cheque returned", **form_key},
        "console:upload": {"files": files, **form_key},
        "console:simulations": {**simulation, **form_key},
        "console:reject": {"reason": "walked"},
        "admin:login": {"username": "walker", "password": PASSWORD},
    }


def ask(client: Any, method: str, path: str, query: dict[str, str], body: Any) -> Any:
    """A browser's form on the people's paths (and an upload), JSON elsewhere; always with the
    API key, which the people's paths ignore."""
    headers = {"X-API-Key": KEY}
    body = dict(body or {})
    if path.startswith(("/console/", "/admin/")) or "files" in body:
        files = body.pop("files", {})
        fields = {**body, **files}
        return client.generic(method, path, **_form(method, query, fields), headers=headers)
    payload = json.dumps(body)
    return client.generic(
        method,
        path + _query(query),
        payload,
        content_type="application/json",
        headers=headers,
    )


def _query(query: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(query) if query else ""


def _form(method: str, query: dict[str, str], data: dict[str, Any]) -> dict[str, Any]:
    """A GET's query string, or a multipart body as a browser's form sends it."""
    from django.test.client import MULTIPART_CONTENT, encode_multipart

    if method == "GET":
        return {"data": "", "QUERY_STRING": _query(query).lstrip("?")}
    boundary = "WalkBoundary"
    uploads = {name: _upload(name, content) for name, content in data.items()}
    return {
        "data": encode_multipart(boundary, uploads),
        "content_type": MULTIPART_CONTENT.replace("BoUnDaRyStRiNg", boundary),
        "QUERY_STRING": _query(query).lstrip("?"),
    }


def _upload(name: str, content: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    if isinstance(content, bytes):
        return SimpleUploadedFile(f"{name}.xlsx", content)
    return str(content)


def workbooks() -> dict[str, bytes]:
    """The two spreadsheets of an upload, a row each, in the original files' format."""
    import openpyxl

    from ingestion.samples import CUSTOMER_HEADERS, LOAN_HEADERS

    customer = (1.0, "Walk", "Er", 30.0, 9123456780.0, 50000.0, 1800000.0)
    loan = (1.0, 1.0, 100000.0, 12.0, 10.5, 8815.0, 4.0, date(2025, 1, 10), date(2026, 1, 10))
    books = {}
    for name, headers, row in (
        ("customers", CUSTOMER_HEADERS, customer),
        ("loans", LOAN_HEADERS, loan),
    ):
        workbook = openpyxl.Workbook()
        workbook.active.append(headers)
        workbook.active.append(row)
        content = io.BytesIO()
        workbook.save(content)
        books[name] = content.getvalue()
    return books


def make_one_of_everything(client: Any, files: dict[str, bytes]) -> dict[str, str]:
    """Through the API, as a client would: the ids every path names."""
    ids = {"customer_id": "1", "version": "1", "decision_id": "1"}

    def call(method: str, path: str, name: str) -> Any:
        response = ask(client, method, path, {}, bodies(ids, files).get(name))
        assert response.status_code < 300, (path, response.status_code, response.content)
        return json.loads(response.content)

    ids["customer_id"] = str(call("POST", "/register", "register")["customer_id"])
    ids["loan_id"] = str(call("POST", "/create-loan", "create-loan")["loan_id"])
    ids["decision_id"] = str(call("POST", "/check-eligibility", "check-eligibility")["decision_id"])
    call("POST", f"/loans/{ids['loan_id']}/payments", "loan-payments")
    ids["version"] = str(call("POST", "/policies", "policies")["version"])
    simulation = call("POST", "/policy-simulations", "policy-simulations")
    ids["simulation_id"] = str(simulation["simulation_id"])
    ids["job_id"] = str(call("POST", "/ingest", "ingest")["job_id"])
    # The policy pages walk a draft of their own, without a simulation: deleting a draft that
    # has one is a 500 until issue 18's item 3 answers it with a 409.
    ids["version"] = str(call("POST", "/policies", "policies")["version"])
    return ids


def admin_objects() -> dict[str, str]:
    """A row of each model the admin shows, by the model's label."""
    from django.contrib import admin

    found = {}
    for model in admin.site._registry:
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            found[model._meta.label] = str(first)
    return found


def main() -> None:
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    client = Client(raise_request_exception=False)
    anonymous = os.environ.get("WALK_ANONYMOUS") == "1"
    ids = {"customer_id": "1", "loan_id": "1", "decision_id": "1", "version": "1"}
    ids |= {"simulation_id": "1", "job_id": "1"}
    objects: dict[str, str] = {}
    files = workbooks()
    if os.environ.get("WALK_SETUP") == "1":
        call_command("migrate", verbosity=0)
        ids = make_one_of_everything(client, files)
        objects = admin_objects()
        walker = User.objects.create_superuser("walker", password=PASSWORD)
    elif not anonymous:
        client.cookies["sessionid"] = secrets.token_hex(16)
    extra = {"rest": "no-such-page", "url": "no-such-page/", **ids}
    for route in routes(extra, objects):
        for method in METHODS:
            if os.environ.get("WALK_SETUP") == "1" and not anonymous:
                client.force_login(walker)  # a walked sign-out does not end the walk
            query = queries(ids).get(route.name, {})
            body = bodies(ids, files).get(route.name) if method != "GET" else None
            started = time.monotonic()
            response = ask(client, method, route.path, query, body)
            print(
                json.dumps(
                    {
                        "route": route.route,
                        "name": route.name,
                        "path": route.path,
                        "method": method,
                        "status": response.status_code,
                        "retry_after": response.get("Retry-After"),
                        "content_type": response.get("Content-Type", ""),
                        "code": _code(response),
                        "seconds": round(time.monotonic() - started, 3),
                    }
                ),
                flush=True,
            )
    sys.stdout.flush()


def _code(response: Any) -> str:
    if not response.get("Content-Type", "").startswith("application/json"):
        return ""
    try:
        return str(json.loads(response.content)["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""


if __name__ == "__main__":
    main()
