"""Drafts of the credit policy and their activation (docs/credit-policy.md)."""

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from core.contract import InvalidInput, parse
from core.errors import ConflictError
from policies.errors import PolicyInUse, PolicyNotADraft, PolicyNotFound
from policies.models import PolicyStatus, PolicyVersion
from policies.parameters import PolicyParameters
from policies.selectors import get_version


def merged(base: dict[str, Any], changes: dict[str, Any]) -> PolicyParameters:
    """`changes` over `base` (weights factor by factor, anything else whole), validated as a
    complete set. Each change is well formed already (400 otherwise); a set they make with the
    base that breaks a rule between parameters (weights adding up to 100, slabs in order, the
    minimum score within them) is a 409 naming each field, as the base's state refuses it."""
    parameters = {**base, **changes}
    if "weights" in changes:
        parameters["weights"] = {**base["weights"], **changes["weights"]}
    try:
        return parse(PolicyParameters, parameters)
    except InvalidInput as inconsistent:
        raise ConflictError(
            "The version would not be a consistent policy.", inconsistent.fields
        ) from None


def create_draft(
    *, changes: dict[str, Any], based_on: int | None, created_by: str
) -> PolicyVersion:
    """A draft with the parameters of `based_on` (the active version when None) and `changes`."""
    base = (
        get_version(based_on)
        if based_on is not None
        else PolicyVersion.objects.get(status=PolicyStatus.ACTIVE)
    )
    return PolicyVersion.objects.create(
        status=PolicyStatus.DRAFT,
        parameters=merged(base.parameters, changes).stored(),
        based_on=base,
        created_by=created_by,
    )


def _locked_draft(version: int) -> PolicyVersion:
    row = PolicyVersion.objects.select_for_update().filter(pk=version).first()
    if row is None:
        raise PolicyNotFound(version)
    if row.status != PolicyStatus.DRAFT:
        raise PolicyNotADraft(version, row.status)
    return row


@transaction.atomic
def update_draft(version: int, *, changes: dict[str, Any]) -> PolicyVersion:
    row = _locked_draft(version)
    row.parameters = merged(row.parameters, changes).stored()
    row.save(update_fields=["parameters"])
    return row


@transaction.atomic
def delete_draft(version: int) -> None:
    """PolicyInUse while anything refers to the draft (its simulations: their reports name it)."""
    try:
        _locked_draft(version).delete()
    except ProtectedError as referred:
        raise PolicyInUse(version) from referred


@transaction.atomic
def activate(version: int, *, activated_by: str) -> PolicyVersion:
    """Make `version` the one active version and retire the one before. Every version's row is
    locked first, in one order, so two activations at once run one after the other."""
    rows = {row.pk: row for row in PolicyVersion.objects.select_for_update().order_by("pk")}
    target = rows.get(version)
    if target is None:
        raise PolicyNotFound(version)
    if target.status == PolicyStatus.ACTIVE:
        return target
    for row in rows.values():
        if row.status == PolicyStatus.ACTIVE:
            row.status = PolicyStatus.RETIRED
            row.save(update_fields=["status"])
    target.status = PolicyStatus.ACTIVE
    target.activated_by = activated_by
    target.activated_at = timezone.now()
    target.save(update_fields=["status", "activated_by", "activated_at"])
    return target
