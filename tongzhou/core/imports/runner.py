"""The background half of an import job: check the file, then write it. Called by the Celery
tasks (in-process without a broker); never enqueues anything itself.

Both are safe to run again (a task handed out a second time after a killed worker): each acts only
on a job in the status its task was queued for, and the write commits the rows and the job's
`done` together, so a second run either finds the job done or finds nothing of the first written."""

from collections.abc import Callable

from django.db import transaction

from tongzhou.core.imports.base import Checked, check, write
from tongzhou.core.imports.models import ImportJob, ImportStatus
from tongzhou.core.imports.reading import ImportFileError
from tongzhou.core.imports.registry import get_importer

MAX_STORED_ERRORS = 5000


def _progress(job_id: int) -> Callable[[int, int], object]:
    """A progress callback that records how many rows are done, for the job page's bar."""

    def record(done: int, total: int) -> object:
        return ImportJob.objects.filter(pk=job_id).update(processed=done)

    return record


def _stored(checked: Checked) -> list[list[object]]:
    return [[e.row, e.column, e.message] for e in checked.errors[:MAX_STORED_ERRORS]]


def job_check(job_id: int) -> None:
    """Check every row of the job's file; record the row errors. Nothing is written. A job no
    longer `checking` (checked already, and perhaps confirmed since) is left as it is."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportStatus.CHECKING:
        return
    importer = get_importer(job.importer)(place_path=job.place_path, actor=job.created_by)
    try:
        checked = check(importer, job.file, job.filename, _progress(job.pk))
    except ImportFileError as error:
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKING).update(
            status=ImportStatus.FAILED, message=str(error), file=b"", processed=0
        )
        return
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKING).update(
        status=ImportStatus.CHECKED,
        total=checked.total,
        processed=checked.total,
        good=len(checked.good),
        bad=len(checked.bad_rows),
        errors=_stored(checked),
    )


def job_run(job_id: int) -> None:
    """Write the job's good rows (checked again: the database may have changed since the preview).
    The rows and the job's `done` are committed in one transaction that holds the job's row: a
    worker killed in the middle leaves nothing written and the job `importing`, so the task run
    again writes every row once; a run that finds the job done (or waits for one that finishes
    it) returns without writing."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportStatus.IMPORTING:
        return
    importer = get_importer(job.importer)(place_path=job.place_path, actor=job.created_by)
    try:
        with transaction.atomic():
            if not ImportJob.objects.select_for_update().filter(pk=job.pk, status=ImportStatus.IMPORTING).exists():
                return
            checked = check(importer, job.file, job.filename)
            created = write(importer, checked, all_or_nothing=job.all_or_nothing, progress=_progress(job.pk))
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.DONE,
                created=created,
                processed=created,
                good=len(checked.good),
                bad=len(checked.bad_rows),
                errors=_stored(checked),
                file=b"",
            )
    except ImportFileError as error:
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.IMPORTING).update(
            status=ImportStatus.FAILED, message=str(error), file=b""
        )
