"""`manage.py flush` (and a transactional test's teardown, which runs it) leaves a service that
works: a policy in force and every role's group, as the migrations first made them."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from core.auth import Role
from policies.models import PolicyStatus, PolicyVersion


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_has_a_policy_in_force_and_the_roles():
    call_command("flush", interactive=False)
    assert list(PolicyVersion.objects.values_list("pk", "status")) == [(1, PolicyStatus.ACTIVE)]
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(map(str, Role))
