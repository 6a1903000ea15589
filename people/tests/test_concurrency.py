"""Two admins removing each other at the same moment, in threads on PostgreSQL: the admins'
row lock takes them one after the other, so one succeeds and the other is refused, and an
active admin is always left."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from django.db import connection

from core.auth import Role
from people.errors import LastAdmin
from people.selectors import admins
from people.services import create_person, deactivate, set_roles

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-enough-password-42"
ROUNDS = 8


def race(first: Callable[[], object], second: Callable[[], object]) -> list[str]:
    """Both at once; each one's outcome, "done" or "last_admin"."""
    start = threading.Barrier(2)

    def run(action: Callable[[], object]) -> str:
        start.wait()
        try:
            action()
        except LastAdmin as refused:
            return str(refused.code)
        finally:
            connection.close()
        return "done"

    with ThreadPoolExecutor(2) as pool:
        return sorted(pool.map(run, [first, second]))


@pytest.mark.parametrize("removal", ["deactivate", "demote"])
def test_two_admins_removing_each_other_at_once_leave_one(removal):
    for round_ in range(ROUNDS):
        anna, bela = (
            create_person(username=f"{n}-{round_}", roles=[Role.ADMIN], password=PASSWORD, by="t")
            for n in ("anna", "bela")
        )
        if round_:  # only this round's two are admins
            User.objects.exclude(pk__in=[anna.pk, bela.pk]).update(is_active=False)

        def remove(person: User, by: User) -> Callable[[], object]:
            if removal == "deactivate":
                return lambda: deactivate(person.pk, by=by.username)
            return lambda: set_roles(person.pk, roles=[Role.OFFICER], by=by.username)

        outcomes = race(remove(anna, bela), remove(bela, anna))
        assert outcomes == ["done", "last_admin"]
        left = admins().filter(is_active=True).filter(pk__in=[anna.pk, bela.pk])
        assert left.count() == 1
