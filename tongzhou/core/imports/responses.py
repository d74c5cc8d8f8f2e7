"""The framework's downloads, for an app's (permission-checked) views to return."""

import csv
import io

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongzhou.core.exports import spreadsheet_row
from tongzhou.core.imports.base import Importer, template_workbook
from tongzhou.core.imports.models import ImportJob
from tongzhou.core.imports.registry import get_importer

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
