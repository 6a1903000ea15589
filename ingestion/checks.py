"""The checks that need the whole file, run once all its rows are staged.

Each rejects the later of two rows that may not both go in, or a row that clashes with what is
stored, and reports it: at most one problem per row, in no particular order (the job sorts all
of a file's). Only rows still valid take part, so a row rejected by one check is not reported
again by the next.
"""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Subquery

from customers.models import Customer, CustomerOrigin
from ingestion.models import StagedCustomer, StagedLoan
from ingestion.staging import Problem, analyze, later_duplicates, reject


def check_customers_file(job_id: int) -> list[Problem]:
    """Reject repeated Customer IDs and phone numbers, customers registered through the API,
    and phones another customer holds."""
    analyze(StagedCustomer)
    valid = StagedCustomer.objects.filter(job_id=job_id, outcome__isnull=True)
    repeated_ids = {
        pk: Problem(
            row, "Customer ID", f"Customer ID {customer_id} already appears at row {first}."
        )
        for pk, row, first, (customer_id,) in later_duplicates(valid, ["customer_id"])
    }
    rejected = reject(StagedCustomer, job_id, repeated_ids)
    repeated_phones = {
        pk: Problem(row, "Phone Number", f"Phone number {phone} already appears at row {first}.")
        for pk, row, first, (phone,) in later_duplicates(valid, ["phone_number"])
    }
    rejected += reject(StagedCustomer, job_id, repeated_phones)
    rejected += reject(StagedCustomer, job_id, _registered_customers(valid))
    rejected += reject(StagedCustomer, job_id, _phones_held_elsewhere(valid))
    return rejected


def _registered(staged: Any) -> Any:
    """Staged rows whose Customer ID is a customer registered through the API."""
    registered = Customer.objects.filter(
        pk=OuterRef("customer_id"), origin=CustomerOrigin.REGISTERED
    )
    return staged.filter(Exists(registered))


def _registered_customers(valid: Any) -> dict[int, Problem]:
    """A file creates and updates its own customers only: never one registered here."""
    return {
        pk: Problem(
            row,
            "Customer ID",
            f"Customer ID {customer_id} is a customer registered through the API; a file may "
            "only create or update customers that files created.",
        )
        for pk, row, customer_id in _registered(valid).values_list("id", "row", "customer_id")
    }


def _phones_held_elsewhere(valid: Any) -> dict[int, Problem]:
    held = Customer.objects.filter(phone_number=OuterRef("phone_number")).exclude(
        pk=OuterRef("customer_id")
    )
    holders = valid.filter(Exists(held)).annotate(holder=Subquery(held.values("pk")[:1]))
    return {
        pk: Problem(row, "Phone Number", f"Phone number {phone} belongs to customer {holder}.")
        for pk, row, phone, holder in holders.values_list("id", "row", "phone_number", "holder")
    }


def check_loans_file(job_id: int) -> list[Problem]:
    """Reject repeated (Customer ID, Loan ID) pairs and loans of unknown customers or of
    customers registered through the API; mark the Loan IDs that rows of two customers share,
    which no loan may then take as its id."""
    analyze(StagedLoan)
    valid = StagedLoan.objects.filter(job_id=job_id, outcome__isnull=True)
    repeated = {
        pk: Problem(
            row,
            "Loan ID",
            f"Loan ID {loan_id} of customer {customer_id} already appears at row {first}.",
        )
        for pk, row, first, (customer_id, loan_id) in later_duplicates(
            valid, ["customer_id", "source_loan_id"]
        )
    }
    rejected = reject(StagedLoan, job_id, repeated)
    customer_exists = Customer.objects.filter(pk=OuterRef("customer_id"))
    unknown = {
        pk: Problem(row, "Customer ID", f"No customer with id {customer_id}.")
        for pk, row, customer_id in valid.filter(~Exists(customer_exists)).values_list(
            "id", "row", "customer_id"
        )
    }
    rejected += reject(StagedLoan, job_id, unknown)
    theirs = {
        pk: Problem(
            row,
            "Customer ID",
            f"Customer ID {customer_id} is a customer registered through the API; their loans "
            "are booked here, never imported.",
        )
        for pk, row, customer_id in _registered(valid).values_list("id", "row", "customer_id")
    }
    rejected += reject(StagedLoan, job_id, theirs)
    _mark_shared_loan_ids(job_id)
    return rejected


def _mark_shared_loan_ids(job_id: int) -> None:
    """A Loan ID held by rows of two customers in the file is ambiguous: neither may claim it.
    Every row counts, rejected ones too (a rejected row's Loan ID is still in the file)."""
    staged = StagedLoan.objects.filter(job_id=job_id)
    shared = (
        staged.filter(source_loan_id__isnull=False)
        .values("source_loan_id")
        .annotate(customers=Count("customer_id", distinct=True))
        .filter(customers__gt=1)
        .values("source_loan_id")
    )
    staged.filter(source_loan_id__in=Subquery(shared)).update(shared_id=True)
