"""Background work of the import framework. Without a broker (no REDIS_URL) these run in-process,
eagerly, after the commit that enqueued them."""

from celery import shared_task

from tongzhou.core.imports import runner


@shared_task
def check_import(job_id: int) -> None:
    runner.job_check(job_id)


@shared_task
def run_import(job_id: int) -> None:
    runner.job_run(job_id)
