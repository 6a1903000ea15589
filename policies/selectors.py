"""Reads of policy versions. A version in force or retired never changes, so each process keeps
the `Policy` of every such version it has read: a decision pays no query for its policy beyond
the active version's id, which it reads in its own statement (loans.selectors)."""

import threading

from django.db.models import QuerySet

from loans.policy import Policy
from policies.errors import PolicyNotFound
from policies.models import PolicyStatus, PolicyVersion
from policies.parameters import PolicyParameters

_settled: dict[int, Policy] = {}
_lock = threading.Lock()


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
    with _lock:
        known = _settled.get(version)
    if known is not None:
        return known
    row = get_version(version)
    policy = policy_of(row)
    if row.status != PolicyStatus.DRAFT:
        with _lock:
            _settled[version] = policy
    return policy


def active_version_id() -> int:
    found = PolicyVersion.objects.filter(status=PolicyStatus.ACTIVE).values_list("pk", flat=True)
    return int(found.get())


def active_policy() -> Policy:
    return policy_version(active_version_id())
