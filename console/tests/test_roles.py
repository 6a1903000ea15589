"""Each page answers the roles of the API endpoints behind it: any other role gets the 403 page
and no link to it; admin (and a superuser) gets everything."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from console.tests.conftest import form_key
from core.auth import Role
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# One page of each area, and the navigation link that leads to the area.
AREAS = {
    "customers": ("/console/customers/", '<a href="/console/customers/"'),
    "decisions": ("/console/decisions/", '<a href="/console/decisions/"'),
    "ingestion": ("/console/ingestion/", '<a href="/console/ingestion/"'),
    "policies": ("/console/policies/", '<a href="/console/policies/"'),
    "simulations": ("/console/simulations/", '<a href="/console/simulations/"'),
}
OPEN_TO = {
    Role.OFFICER: {"customers", "decisions"},
    Role.RISK: {"decisions", "policies", "simulations"},
    Role.OPERATIONS: {"ingestion"},
    Role.APPROVER: {"customers", "decisions"},  # an officer's, and the queue's
    Role.ADMIN: set(AREAS),
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_opens_its_pages_and_sees_only_their_links(signed_in, role):
    client = signed_in(role)
    dashboard = client.get("/console/").content.decode()
    for area, (path, link) in AREAS.items():
        answer = client.get(path)
        if area in OPEN_TO[role]:
            assert answer.status_code == 200, path
            assert link in dashboard, area
        else:
            assert answer.status_code == 403, path
            assert "Not for your role" in answer.content.decode()
            assert link not in dashboard, area


def test_an_officer_gets_403_on_the_policies_page(officer):
    answer = officer.get("/console/policies/")
    page = answer.content.decode()
    assert answer.status_code == 403
    assert "This page is for other roles than yours (officer)." in page


def test_a_superuser_is_an_admin():
    root = User.objects.create_superuser("root", password="x-long-password-1")
    client = Client()
    client.force_login(root)
    assert client.get("/console/policies/").status_code == 200


def test_a_person_without_a_role_reaches_no_page(signed_in):
    client = signed_in(name="nobody")
    for path in ("/console/", "/console/customers/"):
        answer = client.get(path)
        assert answer.status_code == 403
        assert "you have no role yet" in answer.content.decode()


def test_links_inside_pages_follow_the_roles_too(signed_in):
    customer = CustomerFactory.create()
    client = signed_in(Role.OFFICER, Role.RISK, name="both")
    client.post(
        f"/console/customers/{customer.pk}/apply/check/",
        {"loan_amount": "1000", "interest_rate": "12", "tenure": "12", "form_key": form_key()},
    )
    risk = signed_in(Role.RISK, name="risk-only")
    listing = risk.get("/console/decisions/").content.decode()
    assert f'<a href="/console/customers/{customer.pk}/">' not in listing
    both = client.get("/console/decisions/").content.decode()
    assert f'<a href="/console/customers/{customer.pk}/">' in both


def test_an_unknown_console_page_is_the_styled_404(officer):
    answer = officer.get("/console/no-such-page/")
    assert answer.status_code == 404
    assert "There is no page at /console/no-such-page/." in answer.content.decode()


def test_an_unknown_customer_is_the_styled_404(officer):
    answer = officer.get("/console/customers/999999/")
    assert answer.status_code == 404
    assert "No customer with id 999999." in answer.content.decode()
