"""The declaration's labels, the share typed in percent, and the warnings of a set of parameters
that passes every rule but is likely not what was meant."""

import importlib

import pytest

from policies.parameters import PolicyParameters, in_percent, label, percent_refusal

VERSION_ONE = importlib.import_module(
    "policies.migrations.0002_version_one_and_immutable_versions"
).VERSION_ONE


def version_one(**changes):
    return PolicyParameters.model_validate({**VERSION_ONE, **changes})


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("max_emi_share_of_salary", "Installments as a share of salary"),
        ("minimum_score", "Minimum score"),
        ("weights.loans_taken", "Weight: loans taken"),
        ("rate_floors.2", "Slab 2"),
        ("rate_floors", "Rate slabs"),
        ("weights", "Score weights"),
        ("based_on", "based_on"),  # not a parameter: its own name
        ("refer_above_amount", "Loans above this amount wait for a second person"),
    ],
)
def test_a_parameter_is_named_by_its_label(name, shown):
    assert label(name) == shown


def test_every_parameter_has_a_label_of_its_own():
    labels = [field.title for field in PolicyParameters.model_fields.values()]
    assert None not in labels
    assert len(set(labels)) == len(labels)


def test_only_the_share_of_salary_is_typed_in_percent_and_refused_in_percent():
    assert [name for name in PolicyParameters.model_fields if in_percent(name)] == [
        "max_emi_share_of_salary"
    ]
    assert percent_refusal("max_emi_share_of_salary") == (
        "Must be more than 0% and at most 100%, with at most 2 decimals."
    )


def test_version_one_warns_of_nothing():
    assert version_one().warnings() == {}


def test_a_minimum_above_a_slabs_start_warns_that_its_lowest_scores_are_refused():
    assert version_one(minimum_score=20).warnings() == {
        "rate_floors.2.min_score": (
            "Slab 3 starts at 10, below the minimum score (20): scores 10–19 are refused."
        )
    }


def test_a_minimum_above_a_whole_slab_warns_that_it_is_never_used():
    assert version_one(minimum_score=35).warnings() == {
        "rate_floors.1.min_score": (
            "Slab 2 starts at 30, below the minimum score (35): scores 30–34 are refused."
        ),
        "rate_floors.2.min_score": "Slab 3 (scores 10–29) is never used: the minimum score is 35.",
    }


def test_a_minimum_at_a_slabs_start_warns_of_nothing():
    assert (
        version_one(minimum_score=30, rate_floors=VERSION_ONE["rate_floors"][:2]).warnings() == {}
    )
