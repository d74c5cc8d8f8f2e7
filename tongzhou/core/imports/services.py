"""Starting and confirming an import job: the writes a view or an API call makes."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongzhou.core.access import require
from tongzhou.core.imports import tasks
from tongzhou.core.imports.base import Target
from tongzhou.core.imports.models import ImportJob, ImportStatus
from tongzhou.core.imports.reading import MAX_FILE_BYTES, too_large_message
from tongzhou.core.imports.registry import get_importer


def import_job_start(
    *, actor: Any, importer: str, place: Target, filename: str, data: bytes, all_or_nothing: bool
) -> ImportJob:
    """Keep the upload (encrypted) and check it in the background. The actor must hold the
    importer's permission at `place` (PermissionDenied); a file over the size limit is a
    ValidationError on "file"."""
    require(actor, get_importer(importer).permission, place.path)
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError({"file": too_large_message()})
    with transaction.atomic():
        job = ImportJob.objects.create(
            importer=importer,
            place_path=place.path,
            place_name=place.name[:200],
            created_by=actor,
            filename=filename[:200],
            file=data,
            all_or_nothing=all_or_nothing,
        )
        transaction.on_commit(lambda: tasks.check_import.delay(job.pk))
    return job


@transaction.atomic
def import_job_confirm(*, actor: Any, job: ImportJob) -> ImportJob:
    """Import the checked file: the good rows, or nothing unless all are good (the job's choice).
    ValidationError when the job is not waiting for confirmation or `actor` may not import there."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    try:
        require(actor, get_importer(job.importer).permission, job.place_path)
    except PermissionDenied:
        raise ValidationError(_("This import cannot be started now.")) from None
    if job.status != ImportStatus.CHECKED:
        raise ValidationError(_("This import cannot be started now."))
    if job.all_or_nothing and job.bad:
        raise ValidationError(_("Some rows are bad and you chose all or nothing: fix the file and upload it again."))
    job.status = ImportStatus.IMPORTING
    job.processed = 0
    job.save(update_fields=["status", "processed", "updated_at"])
    transaction.on_commit(lambda: tasks.run_import.delay(job.pk))
    return job
