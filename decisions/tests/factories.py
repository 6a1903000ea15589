from datetime import date

import factory

from decisions.models import PolicySimulation
from policies.models import PolicyVersion


class SimulationFactory(factory.django.DjangoModelFactory[PolicySimulation]):
    """A simulation of version 1 over June 2026, with the version's parameters as they are."""

    class Meta:
        model = PolicySimulation

    policy = factory.LazyFunction(lambda: PolicyVersion.objects.get(pk=1))
    parameters = factory.LazyAttribute(lambda simulation: simulation.policy.parameters)
    date_from = date(2026, 6, 1)
    date_to = date(2026, 6, 30)
