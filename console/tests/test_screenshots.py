"""`make screenshots` (console/tests/screenshots.py) shoots every console page: each address it
shoots answers an admin, and each page in console/urls.py has a shot."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, resolve

from console.tests.screenshots import SHOT_AT
from core.auth import Role
from loans.services import record_payment
from loans.tests.factories import LoanFactory
from policies.services import create_draft

pytestmark = pytest.mark.django_db

# The shots of the page a step of the tour leaves open, by the page's URL name.
SHOT_AFTER_A_STEP = {
    "05-application-refused": "application",
    "06-loan": "loan",
    "08-decision": "decision",
    "09-ingestion-job": "job",
    "14-simulation": "simulation",
}
# What no one looks at as a page: a form's target, an htmx fragment, a file.
NOT_PAGES = {
    "sign-out", "register", "export-customers", "check", "book", "export-loans",
    "export-collections", "pay", "payoff", "note", "promise", "reverse-payment",
    "export-decisions", "upload", "job-live", "apply-preview", "rejected-rows", "delete",
    "simulation-live", "simulation-flips", "export-approvals", "approve", "reject",
    "create-person", "person-roles", "person-password", "deactivate", "reactivate",
}  # fmt: skip


def test_every_address_the_screenshots_shoot_answers_an_admin(signed_in):
    loan = LoanFactory.create()
    payment = record_payment(
        loan.pk, Decimal("5000.00"), date(2026, 6, 15), as_of=date(2026, 6, 15), recorded_by="t"
    )
    draft = create_draft(changes={}, based_on=None, created_by="t")
    ids = {"customer": loan.customer_id, "loan": loan.pk, "payment": payment.pk}
    admin = signed_in(Role.ADMIN)
    answered = {}
    for name, address in SHOT_AT.items():
        browser = Client() if name == "01-sign-in" else admin
        answered[name] = browser.get(address.format(**ids, draft=draft.version)).status_code
    assert answered == {name: 404 if name == "27-not-found" else 200 for name in SHOT_AT}


def test_every_page_of_the_console_has_a_shot():
    ids = {"customer": 1, "loan": 1, "payment": 1, "draft": 2}
    shot = {resolve(address.format(**ids).split("?")[0]).url_name for address in SHOT_AT.values()}
    _, console = get_resolver().namespace_dict["console"]
    names = {page.name for page in console.url_patterns if isinstance(page, URLPattern)}
    assert shot | set(SHOT_AFTER_A_STEP.values()) == names - NOT_PAGES
