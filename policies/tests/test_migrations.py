"""Migration 0006 writes counter_offer_step and max_age_at_maturity into the versions made
before them, with the values an absent key was read as: recorded decisions and their replay
stay as they were, and the versions stay immutable afterwards."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from core.remember import forget_everything
from credit.policy import LoanRequest
from customers.tests.factories import CustomerFactory
from decisions.models import CreditDecision
from decisions.replay import replay
from decisions.services import check_eligibility
from policies.models import PolicyStatus, PolicyVersion

pytestmark = pytest.mark.django_db

FIRST = importlib.import_module("policies.migrations.0002_version_one_and_immutable_versions")
ADDING = importlib.import_module(
    "policies.migrations.0006_versions_state_counter_offer_step_and_age_cap"
)


def test_older_versions_get_the_defaults_and_decisions_and_replays_do_not_change():
    old = PolicyVersion.objects.create(status=PolicyStatus.RETIRED, parameters=FIRST.VERSION_ONE)
    customer = CustomerFactory.create(age=64, monthly_salary=Decimal(40000))
    request = LoanRequest(Decimal(500000), Decimal(10), 120)
    made = check_eligibility(customer.pk, request, as_of=date(2026, 6, 15), requested_by="t")
    recorded = CreditDecision.objects.filter(pk=made.decision_id).values().get()
    before = replay(made.decision_id, policy_version=old.pk)

    ADDING.fill_in(PolicyVersion, connection)
    forget_everything()

    old.refresh_from_db()
    assert old.parameters == {
        **FIRST.VERSION_ONE,
        "counter_offer_step": "1000",
        "max_age_at_maturity": None,
    }
    assert CreditDecision.objects.filter(pk=made.decision_id).values().get() == recorded
    after = replay(made.decision_id, policy_version=old.pk)
    assert after == before
    assert after.matches


def test_the_versions_are_immutable_again_afterwards():
    old = PolicyVersion.objects.create(status=PolicyStatus.RETIRED, parameters=FIRST.VERSION_ONE)
    ADDING.fill_in(PolicyVersion, connection)
    old.parameters = {**old.parameters, "minimum_score": 0}
    with pytest.raises(DatabaseError), transaction.atomic():
        old.save(update_fields=["parameters"])
