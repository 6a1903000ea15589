"""The console's pages, under /console/ (config/urls.py)."""

from django.urls import path, re_path

from console.views import (
    approvals,
    customers,
    dashboard,
    decisions,
    errors,
    ingestion,
    loans,
    papers,
    people,
    policies,
    worklists,
)
from console.views.auth import SignInView, SignOutView

app_name = "console"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("sign-in/", SignInView.as_view(), name="sign-in"),
    path("sign-out/", SignOutView.as_view(), name="sign-out"),
    # Officers: customers, applications, loans and payments.
    path("customers/", customers.customers, name="customers"),
    path("customers/register/", customers.register, name="register"),
    path(
        "customers/export.<str:file_format>",
        customers.export_customers,
        name="export-customers",
    ),
    path("customers/<id:customer_id>/", customers.customer, name="customer"),
    path("customers/<id:customer_id>/apply/", customers.application, name="application"),
    path("customers/<id:customer_id>/apply/check/", customers.check, name="check"),
    path("customers/<id:customer_id>/apply/book/", customers.book, name="book"),
    path("loans/", worklists.loans, name="loans"),
    path("loans/export.<str:file_format>", worklists.export_loans, name="export-loans"),
    path("collections/", worklists.collections, name="collections"),
    path(
        "collections/export.<str:file_format>",
        worklists.export_collections,
        name="export-collections",
    ),
    path("loans/<id:loan_id>/", loans.loan, name="loan"),
    path("loans/<id:loan_id>/payments/", loans.pay, name="pay"),
    path("loans/<id:loan_id>/payoff/", loans.payoff, name="payoff"),
    path("loans/<id:loan_id>/notes/", loans.write_note, name="note"),
    path("loans/<id:loan_id>/promises/", loans.take_promise, name="promise"),
    path("loans/<id:loan_id>/sanction-letter/", papers.sanction_letter, name="sanction-letter"),
    path("loans/<id:loan_id>/statement/", papers.statement, name="statement"),
    path("loans/<id:loan_id>/schedule/", papers.schedule, name="schedule"),
    path("loans/<id:loan_id>/payments/<id:payment_id>/receipt/", papers.receipt, name="receipt"),
    path(
        "loans/<id:loan_id>/payments/<id:payment_id>/reversal/",
        loans.reverse_paid,
        name="reverse-payment",
    ),
    # The audit trail.
    path("decisions/", decisions.decisions, name="decisions"),
    path(
        "decisions/export.<str:file_format>",
        decisions.export_decisions,
        name="export-decisions",
    ),
    path("decisions/<id:decision_id>/", decisions.decision, name="decision"),
    # Operations: ingestion.
    path("ingestion/", ingestion.ingestion, name="ingestion"),
    path("ingestion/upload/", ingestion.upload, name="upload"),
    path("ingestion/<id:job_id>/", ingestion.job, name="job"),
    path("ingestion/<id:job_id>/live/", ingestion.job_live, name="job-live"),
    path("ingestion/<id:job_id>/apply/", ingestion.apply, name="apply-preview"),
    path("ingestion/<id:job_id>/rejected.csv", ingestion.rejected_rows, name="rejected-rows"),
    # Risk: policy versions and simulations.
    path("policies/", policies.policies, name="policies"),
    path("policies/compare/", policies.compare, name="compare"),
    path("policies/draft/", policies.draft, name="draft"),
    path("policies/<id:version>/", policies.policy, name="policy"),
    path("policies/<id:version>/edit/", policies.edit, name="edit"),
    path("policies/<id:version>/delete/", policies.delete, name="delete"),
    path("policies/<id:version>/activate/", policies.activation, name="activate"),
    path("simulations/", policies.simulations, name="simulations"),
    path("simulations/<id:simulation_id>/", policies.simulation, name="simulation"),
    path("simulations/<id:simulation_id>/live/", policies.simulation_live, name="simulation-live"),
    path(
        "simulations/<id:simulation_id>/flips.csv",
        policies.simulation_flips,
        name="simulation-flips",
    ),
    # Four eyes: the approvals queue.
    path("approvals/", approvals.queue, name="approvals"),
    path(
        "approvals/export.<str:file_format>",
        approvals.export_approvals,
        name="export-approvals",
    ),
    path("approvals/<id:approval_id>/approve/", approvals.approve_request, name="approve"),
    path("approvals/<id:approval_id>/reject/", approvals.reject_request, name="reject"),
    # Admins: who signs in, with which roles.
    path("people/", people.people_page, name="people"),
    path("people/create/", people.create, name="create-person"),
    path("people/<id:person_id>/roles/", people.change_roles, name="person-roles"),
    path("people/<id:person_id>/password/", people.change_password, name="person-password"),
    path("people/<id:person_id>/deactivate/", people.deactivate_person, name="deactivate"),
    path("people/<id:person_id>/reactivate/", people.reactivate_person, name="reactivate"),
    re_path(r"^(?P<rest>.*)$", errors.unknown_page),
]
