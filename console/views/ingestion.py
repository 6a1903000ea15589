"""Ingestion, for the operations role: upload the two spreadsheets; follow a job live; its
counts, its reported rows page by page, and the rejected rows as CSV."""

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from console.forms import ApplyPreviewForm, UploadForm
from console.requests import HtmxHttpRequest
from console.roles import requires
from console.views.background import csv_download, live
from console.views.submit import submit_once
from ingestion.selectors import get_job, job_progress, latest_jobs, preview_tables
from ingestion.services import apply_preview, start_ingestion

JOBS_A_PAGE = 20
PROBLEMS_A_PAGE = 25
PROBLEM_COLUMNS = ("file", "row", "column", "message")


@require_safe
@requires("ingestion")
def ingestion(request: HtmxHttpRequest) -> HttpResponse:
    return _ingestion_page(request, UploadForm())


def _ingestion_page(request: HtmxHttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    jobs = Paginator(latest_jobs(), JOBS_A_PAGE).get_page(request.GET.get("page"))
    return render(request, "console/ingestion.html", {"form": form, "jobs": jobs}, status=status)


@require_POST
@requires("ingestion")
def upload(request: HtmxHttpRequest) -> HttpResponse:
    """Start a job as POST /ingest does, once per rendered form: the Preview button's a dry
    run, whose page shows what the upload would do and offers to apply it."""
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        uploads = form.declared.uploads()
        dry_run = form.cleaned_data["dry_run"]

        def work() -> str:
            return reverse("console:job", args=[start_ingestion(uploads, dry_run).pk])

        submitted = submit_once(request, form, work)
        if submitted is not None:
            return submitted
    return _ingestion_page(request, form, status=400)


@require_safe
@requires("ingestion")
def job(request: HtmxHttpRequest, job_id: int) -> HttpResponse:
    return _job_page(request, job_id, ApplyPreviewForm())


@require_POST
@requires("ingestion")
def apply(request: HtmxHttpRequest, job_id: int) -> HttpResponse:
    """Apply a finished preview: its files, uploaded for real, once per rendered form."""
    form = ApplyPreviewForm(request.POST)
    if form.is_valid():

        def work() -> str:
            return reverse("console:job", args=[apply_preview(job_id).pk])

        submitted = submit_once(request, form, work)
        if submitted is not None:
            return submitted
    return _job_page(request, job_id, form, status=409)


def _job_page(
    request: HtmxHttpRequest, job_id: int, form: ApplyPreviewForm, status: int = 200
) -> HttpResponse:
    found = get_job(job_id)
    context = {
        "form": form,
        "preview": preview_tables(found),
        "job": found,
        "errors": Paginator(found.errors, PROBLEMS_A_PAGE).get_page(request.GET.get("errors")),
        "warnings": Paginator(found.warnings, PROBLEMS_A_PAGE).get_page(
            request.GET.get("warnings")
        ),
    }
    return render(request, "console/job.html", context, status=status)


@require_safe
@requires("ingestion")
def job_live(request: HtmxHttpRequest, job_id: int) -> HttpResponse:
    """The progress fragment the job page polls; once the job has finished, the whole page
    again (HX-Refresh), with its counts and reported rows."""
    found = job_progress(job_id)
    return live(request, "console/partials/job_progress.html", {"job": found}, found)


@require_safe
@requires("ingestion")
def rejected_rows(request: HtmxHttpRequest, job_id: int) -> StreamingHttpResponse:
    """The job's reported errors as CSV, through core.csv (formula cells neutralized)."""
    found = get_job(job_id)
    rows = ([problem.get(name) for name in PROBLEM_COLUMNS] for problem in found.errors)
    return csv_download(f"ingestion-{job_id}-rejected.csv", PROBLEM_COLUMNS, rows)
