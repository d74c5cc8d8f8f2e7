from typing import Any

from tongzhou.core.access import get_for_user
from tongzhou.core.imports.models import ImportJob
from tongzhou.core.imports.registry import get_importer


def get_import_job_for_user(*, user: Any, pk: Any, importer: str) -> ImportJob:
    """The job `pk` of `importer` if it imports into a place where `user` holds the importer's
    permission; Http404 otherwise, exactly as for a job that does not exist."""
    return get_for_user(
        ImportJob.objects.filter(importer=importer),
        user=user,
        pk=pk,
        perm=get_importer(importer).permission,
        path_field="place_path",
    )
