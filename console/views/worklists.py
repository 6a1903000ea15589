"""The officers' worklists: collections (the loans past due, most days past due first, with the
amount overdue and the last note or promise)."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from console.forms import CollectionsFilterForm
from console.requests import HtmxHttpRequest
from console.roles import requires
from core import clock
from loans.collections import arrears_of, past_due
from loans.follow_up import last_follow_ups

LOANS_A_PAGE = 25


@require_safe
@requires("customers")
def collections(request: HtmxHttpRequest) -> HttpResponse:
    form = CollectionsFilterForm(request.GET)
    valid = form.is_valid()
    bucket = form.cleaned_data["bucket"] or None if valid else None
    today = clock.today()
    page = Paginator(past_due(today, bucket), LOANS_A_PAGE).get_page(request.GET.get("page"))
    loans = list(page.object_list)
    last = last_follow_ups([loan.pk for loan in loans], today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(row, last.get(row.loan.loan_id)) for row in arrears_of(loans, today)],
        "query": query.urlencode(),
    }
    return render(request, "console/collections.html", context, status=200 if valid else 400)
