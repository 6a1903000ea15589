"""What the pages of background work share: the fragment a page polls while the job runs, and
a CSV download of what it reported."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRefresh

from core.csv import csv_lines
from core.jobs import BackgroundJob


def live(
    request: HttpRequest, template: str, context: dict[str, Any], job: BackgroundJob
) -> HttpResponse:
    """The progress fragment; once the job has finished, the whole page again (htmx refreshes
    it), which then shows the results and polls no more."""
    if job.finished:
        return HttpResponseClientRefresh()
    return render(request, template, context)


def csv_download(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """Streamed through core.csv, which neutralizes cells a spreadsheet would run as formulas."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
