"""The checks that need the whole file, run once all its rows are staged.

Each rejects the later of two rows that may not both go in, or a row that clashes with what is
stored, and reports it: at most one problem per row, in no particular order (the job sorts all
of a file's). Only rows still valid take part, so a row rejected by one check is not reported
again by the next.
"""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Subquery

from customers.models import Customer, CustomerOrigin, served_by_the_service
from ingestion.models import StagedCustomer, StagedLoan
from ingestion.staging import Problem, analyze, later_duplicates, reject


def check_customers_file(job_id: int) -> list[Problem]:
    """Reject repeated Customer IDs and phone numbers, customers registered through the API,
    changes to customers the service has acted for, and phones another customer holds."""
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
    rejected += reject(StagedCustomer, job_id, _changes_to_customers_served(valid))
    rejected += reject(StagedCustomer, job_id, _phones_held_elsewhere(valid))
    return rejected


# What a file row may not change once the service has acted for the customer: who they are
# (name, phone, age) and what it lent on (salary, limit). By staged field, with its header.
_FIXED_ONCE_SERVED = {
    "first_name": "First Name",
    "last_name": "Last Name",
    "phone_number": "Phone Number",
    "age": "Age",
    "monthly_salary": "Monthly Salary",
    "approved_limit": "Approved Limit",
}


def _changes_to_customers_served(valid: Any) -> dict[int, Problem]:
    """A file row may update a customer the files created only while the service has made no
    decision, loan or payment for them: after that the person is who the service dealt with,
    and a file that says otherwise is reported, not applied (the same values pass as
    unchanged)."""
    fields = list(_FIXED_ONCE_SERVED)
    rows = valid.filter(served_by_the_service(OuterRef("customer_id"))).values_list(
        "id", "row", "customer_id", *fields
    )
    staged = {pk: (row, customer_id, values) for pk, row, customer_id, *values in rows}
    stored = {
        pk: values
        for pk, *values in Customer.objects.filter(
            pk__in=[customer_id for _, customer_id, _ in staged.values()]
        ).values_list("pk", *fields)
    }
    problems: dict[int, Problem] = {}
    for pk, (row, customer_id, values) in staged.items():
        changed = [
            _FIXED_ONCE_SERVED[name]
            for name, new, old in zip(fields, values, stored[customer_id], strict=True)
            if new != old
        ]
        if changed:
            problems[pk] = Problem(
                row,
                changed[0],
                f"Customer ID {customer_id} has decisions, loans or payments made by this "
                f"service; a file may not change their {', '.join(changed)}.",
            )
    return problems


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
