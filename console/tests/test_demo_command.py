"""console_demo (make demo) on a database that already holds data: it never prints demo users
over a book that is not the demo's."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection

from customers.tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded default only"),
]


@pytest.fixture(autouse=True)
def _debug(settings):
    settings.DEBUG = True


def test_other_data_stops_it_with_what_to_do():
    CustomerFactory.create()
    with pytest.raises(CommandError) as refused:
        call_command("console_demo", customers=10, stdout=io.StringIO())
    assert str(refused.value) == (
        "This database already holds other data (1 customer), so the demo would show it "
        "instead of its sample book. make demo keeps its own SQLite file (demo.sqlite3) unless "
        "DATABASE_URL names another: unset DATABASE_URL, or point it at a new file, e.g. "
        "DATABASE_URL=sqlite:///demo-2.sqlite3 make demo."
    )
    assert User.objects.count() == 0


def test_run_again_on_its_own_book_it_keeps_the_book_and_renews_the_password():
    call_command("console_demo", customers=10, stdout=io.StringIO())
    customers = CustomerFactory._meta.model.objects.count()
    again = io.StringIO()
    call_command("console_demo", customers=10, stdout=again)
    assert CustomerFactory._meta.model.objects.count() == customers
    password = again.getvalue().splitlines()[-1].removeprefix("  password: ")
    assert User.objects.get(username="demo-officer").check_password(password)
