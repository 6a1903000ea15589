"""Reads of policy versions. A version in force or retired never changes, so each process keeps
the `Policy` of every such version it has read (the `local` cache, without expiry): a decision
pays no query for its policy beyond the active version's id, which it reads in its own
statement (decisions.selectors)."""

from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.db.models import QuerySet

from credit.policy import Policy, percent_of
from policies.errors import PolicyNotFound
from policies.models import PolicyStatus, PolicyVersion
from policies.parameters import PolicyParameters, in_percent, label


def versions() -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.order_by("-id")


def get_version(version: int) -> PolicyVersion:
    found = PolicyVersion.objects.filter(pk=version).first()
    if found is None:
        raise PolicyNotFound(version)
    return found


def policy_of(row: PolicyVersion) -> Policy:
    return PolicyParameters.model_validate(row.parameters).to_policy(row.version)


def policy_version(version: int) -> Policy:
    """The rules' parameters of `version`: from memory once it is settled (not a draft)."""
    key = f"policy:{version}"
    known: Policy | None = caches["local"].get(key)
    if known is not None:
        return known
    row = get_version(version)
    policy = policy_of(row)
    if row.status != PolicyStatus.DRAFT:
        caches["local"].set(key, policy, timeout=None)
    return policy


def active_version_id() -> int:
    found = PolicyVersion.objects.filter(status=PolicyStatus.ACTIVE).values_list("pk", flat=True)
    return int(found.get())


def active_policy() -> Policy:
    return policy_version(active_version_id())


@dataclass(frozen=True)
class Difference:
    """One parameter of two versions side by side, named by its label (parameters.label)."""

    parameter: str
    left: str
    right: str

    @property
    def label(self) -> str:
        return label(self.parameter)

    @property
    def changed(self) -> bool:
        return self.left != self.right


def _flat(parameters: dict[str, Any]) -> dict[str, str]:
    """A version's parameters one line each, as people read them: the weights by factor, the
    slabs by position, a share in percent."""
    validated = PolicyParameters.model_validate(parameters)
    flat = {f"weights.{factor}": str(points) for factor, points in validated.weights}
    for name, value in validated:
        if name not in ("weights", "rate_floors"):
            shown = "—" if value is None else str(value)
            flat[name] = f"{percent_of(value)}%" if in_percent(name) else shown
    for index, slab in enumerate(validated.rate_floors):
        flat[f"rate_floors.{index + 1}"] = f"score ≥ {slab.min_score}: rate ≥ {slab.min_rate}%"
    return flat


def warnings_of(row: PolicyVersion) -> list[str]:
    """What in the version passes every rule but is likely not what was meant."""
    return list(PolicyParameters.model_validate(row.parameters).warnings().values())


def differences(left: PolicyVersion, right: PolicyVersion) -> list[Difference]:
    """Every parameter of two versions, in the declaration's order, with both values."""
    ours, theirs = _flat(left.parameters), _flat(right.parameters)
    names = list(ours) + [name for name in theirs if name not in ours]
    return [Difference(name, ours.get(name, "—"), theirs.get(name, "—")) for name in names]
