"""Background work of the volunteers module. Without Redis it runs in-process after commit."""

from celery import shared_task

# The services are imported inside the task: the services module enqueues it itself.


@shared_task
def solve_roster(roster_id: int) -> None:
    """Idempotent by the roster: a run replaces the roster's assignments on its unpublished shifts
    in one transaction, so a second run (a killed worker's task handed out again) solves again and
    leaves one set of assignments."""
    from tongzhou.volunteers.services import roster_solve

    roster_solve(roster_id)
