"""Background work of the import framework. Without a broker (no REDIS_URL) these run in-process,
eagerly, after the commit that enqueued them."""

from celery import shared_task

from tongzhou.core.imports import runner


@shared_task
def check_import(job_id: int) -> None:
    """Idempotent by the job: it writes nothing but the job's own check results, and only while the
    job is `checking`, so a second run checks again or finds the job checked and leaves it."""
    runner.job_check(job_id)


@shared_task
def run_import(job_id: int) -> None:
    """Idempotent by the job: the rows and the job's `done` are committed together under the job's
    row lock, so a run after a killed one writes every row once, and a run after a finished one
    returns."""
    runner.job_run(job_id)
