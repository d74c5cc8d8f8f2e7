"""The framework's downloads, for an app's (permission-checked) views to return."""

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tongzhou.core.exports import spreadsheet_row
from tongzhou.core.forms import form_errors
from tongzhou.core.imports.base import Importer, Target, template_workbook
from tongzhou.core.imports.models import ImportJob
from tongzhou.core.imports.registry import get_importer
from tongzhou.core.imports.services import import_job_confirm, import_job_start

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_HEADER = ["行 row", "列 column", "原因 reason"]


def write_errors_csv(out: io.TextIOBase | io.StringIO, errors: list[tuple[int, str, str]] | list[list[object]]) -> None:
    """Row, column, reason: one line per row error, under a bilingual header."""
    writer = csv.writer(out)
    writer.writerow(ERRORS_HEADER)
    writer.writerows(spreadsheet_row(error) for error in errors)


def template_response(importer: type[Importer]) -> HttpResponse:
    response = HttpResponse(template_workbook(importer), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{importer.template_filename}"'
    return response


def errors_csv_response(job: ImportJob) -> HttpResponse:
    """The job's row errors as a CSV that Excel opens (UTF-8 with a byte-order mark)."""
    out = io.StringIO()
    write_errors_csv(out, job.errors)
    response = HttpResponse(("\ufeff" + out.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


def job_page(request: HttpRequest, job: ImportJob, *, job_url: str, errors_url: str = "") -> HttpResponse:
    """The job's page (or, for htmx's poll, its progress part): status, progress, the preview's
    row errors and the confirm button."""
    importer = get_importer(job.importer)
    template = "core/imports/_progress.html" if request.headers.get("HX-Request") else "core/imports/job.html"
    context = {
        "job": job,
        "importer": importer,
        "errors": job.errors[:500],
        "job_url": job_url,
        "errors_url": errors_url if job.errors else "",
        "done_message": importer.done_message(job.created),
    }
    return render(request, template, context)


def upload_page(request: HttpRequest, importer: type[Importer], form: Form, *, template_url: str) -> HttpResponse:
    return render(
        request, "core/imports/upload.html", {"form": form, "importer": importer, "template_url": template_url}
    )


def upload_view(
    request: HttpRequest,
    importer: type[Importer],
    form: Form,
    *,
    place: Target | None,
    job_view: str,
    template_url: str,
) -> HttpResponse:
    """An upload view's body: on a good POST keep the file and start its check at `place` (None:
    the place the form's own `place` field chose), then redirect to the job's page (the view
    named `job_view`); otherwise, or on a refused start, the upload page with the form's errors.
    `form` has a `file` and an `all_or_nothing` field."""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_start(
                actor=request.user,
                importer=importer.name,
                place=place if place is not None else form.cleaned_data["place"],
                filename=upload.name,
                data=upload.read(),
                all_or_nothing=form.cleaned_data["all_or_nothing"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect(job_view, pk=job.pk)
    return upload_page(request, importer, form, template_url=template_url)


def job_view(request: HttpRequest, job: ImportJob, *, job_view: str, errors_view: str) -> HttpResponse:
    """A job view's body for a job the user may see: a POST confirms the import (a refusal goes
    to the messages) and redirects back to the view named `job_view`; a GET is the job's page
    with the errors CSV at the view named `errors_view`."""
    if request.method == "POST":
        actor: Any = request.user
        try:
            job = import_job_confirm(actor=actor, job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(job_view, pk=job.pk)
    return job_page(
        request, job, job_url=reverse(job_view, args=[job.pk]), errors_url=reverse(errors_view, args=[job.pk])
    )
