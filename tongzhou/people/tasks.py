"""Background work of the register. Without Redis these run in-process (eagerly) after commit."""

from celery import shared_task

# The services are imported inside the tasks: the services module enqueues these tasks itself.


@shared_task
def check_import(job_id: int) -> None:
    from tongzhou.people.services import import_job_check

    import_job_check(job_id)


@shared_task
def run_import(job_id: int) -> None:
    from tongzhou.people.services import import_job_run

    import_job_run(job_id)
