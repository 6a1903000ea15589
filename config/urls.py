"""Every API path answers with and without a trailing slash, without redirecting; `/admin`
redirects to the admin, whose own pages all end in a slash; `/` sends a browser to the console
and tells an API client where the docs are."""

from collections.abc import Callable

from django.contrib import admin
from django.http import HttpResponseBase
from django.urls import URLPattern, include, path, re_path, register_converter
from django.views.generic import RedirectView

from approvals.api import (
    ApprovalApi,
    ApprovalsApi,
    ApproveApi,
    CreateLoanApi,
    PolicyActivationApi,
    RejectApi,
)
from core.api import DocsApi, HealthApi, SchemaApi, ServiceIndexApi, metrics_view
from core.converters import IdConverter
from core.errors import not_found_view
from customers.api import RegisterApi
from decisions.api import CheckEligibilityApi
from decisions.audit_api import CustomerDecisionsApi, DecisionApi, DecisionReplayApi
from decisions.simulations_api import SimulationApi, SimulationFlipsApi, SimulationsApi
from ingestion.api import IngestApi, IngestStatusApi
from loans.api import ViewCustomerLoansApi, ViewLoanApi
from loans.follow_up_api import LoanNotesApi, LoanPromisesApi
from loans.servicing_api import (
    LoanPaymentsApi,
    LoanPayoffApi,
    LoanScheduleApi,
    PaymentReversalApi,
)
from loans.worklists_api import CollectionsApi, LoansApi
from policies.api import PoliciesApi, PolicyApi

register_converter(IdConverter, "id")


def endpoint(route: str, view: Callable[..., HttpResponseBase], name: str) -> list[URLPattern]:
    return [path(route, view, name=name), path(f"{route}/", view)]


urlpatterns = [
    *endpoint("register", RegisterApi.as_view(), "register"),
    *endpoint("check-eligibility", CheckEligibilityApi.as_view(), "check-eligibility"),
    *endpoint("create-loan", CreateLoanApi.as_view(), "create-loan"),
    *endpoint("view-loan/<id:loan_id>", ViewLoanApi.as_view(), "view-loan"),
    *endpoint("view-loans/<id:customer_id>", ViewCustomerLoansApi.as_view(), "view-loans"),
    *endpoint("loans/<id:loan_id>/schedule", LoanScheduleApi.as_view(), "loan-schedule"),
    *endpoint("loans/<id:loan_id>/payments", LoanPaymentsApi.as_view(), "loan-payments"),
    *endpoint("loans/<id:loan_id>/payoff", LoanPayoffApi.as_view(), "loan-payoff"),
    *endpoint("loans/<id:loan_id>/notes", LoanNotesApi.as_view(), "loan-notes"),
    *endpoint("loans/<id:loan_id>/promises", LoanPromisesApi.as_view(), "loan-promises"),
    *endpoint("collections", CollectionsApi.as_view(), "collections"),
    *endpoint("loans", LoansApi.as_view(), "loans"),
    *endpoint(
        "loans/<id:loan_id>/payments/<id:payment_id>/reversal",
        PaymentReversalApi.as_view(),
        "payment-reversal",
    ),
    *endpoint(
        "customers/<id:customer_id>/decisions",
        CustomerDecisionsApi.as_view(),
        "customer-decisions",
    ),
    *endpoint("decisions/<id:decision_id>", DecisionApi.as_view(), "decision"),
    *endpoint("decisions/<id:decision_id>/replay", DecisionReplayApi.as_view(), "decision-replay"),
    *endpoint("policies", PoliciesApi.as_view(), "policies"),
    *endpoint("policies/<id:version>", PolicyApi.as_view(), "policy"),
    *endpoint("policies/<id:version>/activate", PolicyActivationApi.as_view(), "policy-activate"),
    *endpoint("policy-simulations", SimulationsApi.as_view(), "policy-simulations"),
    *endpoint(
        "policy-simulations/<id:simulation_id>", SimulationApi.as_view(), "policy-simulation"
    ),
    *endpoint(
        "policy-simulations/<id:simulation_id>/flips.csv",
        SimulationFlipsApi.as_view(),
        "policy-simulation-flips",
    ),
    *endpoint("approvals", ApprovalsApi.as_view(), "approvals"),
    *endpoint("approvals/<id:approval_id>", ApprovalApi.as_view(), "approval"),
    *endpoint("approvals/<id:approval_id>/approve", ApproveApi.as_view(), "approval-approve"),
    *endpoint("approvals/<id:approval_id>/reject", RejectApi.as_view(), "approval-reject"),
    *endpoint("health", HealthApi.as_view(), "health"),
    *endpoint("ingest", IngestApi.as_view(), "ingest"),
    *endpoint("ingest/<id:job_id>", IngestStatusApi.as_view(), "ingest-status"),
    *endpoint("metrics", metrics_view, "metrics"),
    *endpoint("api/schema", SchemaApi.as_view(), "schema"),
    *endpoint("api/docs", DocsApi.as_view(url_name="schema"), "docs"),
    # After the hot endpoints: Django tries the patterns in order for every request.
    path("", ServiceIndexApi.as_view(), name="index"),
    path("admin", RedirectView.as_view(url="/admin/", permanent=True)),
    path("admin/", admin.site.urls),
    path("console/", include("console.urls")),
    # Anything else gets the JSON 404 envelope, in DEBUG too (never Django's HTML page).
    re_path(r"^", not_found_view),
]

handler400 = "core.errors.bad_request_view"
handler403 = "core.errors.permission_denied_view"
handler404 = "core.errors.not_found_view"
handler500 = "core.errors.server_error_view"
