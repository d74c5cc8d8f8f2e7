"""How the Celery tasks are run: each on a named queue, acknowledged late, one at a time, and never
delayed beyond the broker's visibility timeout (delayed work waits in the database for beat)."""

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings

from tongzhou.celery import DelayTooLong, app, delay_limit, refuse_long_delays
from tongzhou.core.imports import runner
from tongzhou.core.imports.models import ImportJob, ImportStatus
from tongzhou.people.models import Person
from tongzhou.people.tests.factories import row, xlsx

SOURCE = Path(settings.BASE_DIR) / "tongzhou"


def _task_functions() -> list[tuple[str, ast.FunctionDef, ast.expr]]:
    """(task name, function, decorator) of every @shared_task in the project's tasks modules, read
    from the source: the app's registry holds only the modules imported so far."""
    found = []
    for path in sorted(SOURCE.rglob("tasks.py")):
        module = ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts)
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if isinstance(target, ast.Name) and target.id == "shared_task":
                        found.append((f"{module}.{node.name}", node, decorator))
    return found


def our_tasks() -> set[str]:
    return {name for name, _function, _decorator in _task_functions()}


def test_every_task_has_its_queue_and_beat_jobs_go_to_theirs():
    tasks = our_tasks()
    assert "tongzhou.core.outbox.tasks.send_outbox" in tasks and len(tasks) >= 10
    assert tasks == set(settings.TONGZHOU_TASK_QUEUES), "a task without a queue, or a queue for no task"
    queues = set(settings.TONGZHOU_TASK_QUEUES.values())
    assert queues == {"messages", "imports", "reports", "solver", "default"}
    # A worker without -Q (one host) consumes them all.
    assert {q.name for q in app.conf.task_queues} == queues
    for name, queue in settings.TONGZHOU_TASK_QUEUES.items():
        assert app.amqp.router.route({}, name)["queue"].name == queue
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in tasks


def test_tasks_are_acknowledged_when_done_one_at_a_time():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    timeout = app.conf.broker_transport_options["visibility_timeout"]
    assert timeout == settings.CELERY_VISIBILITY_TIMEOUT == delay_limit() >= 30 * 60
    # A task is stopped before the broker would hand it to a second worker.
    assert app.conf.task_time_limit < timeout
    for name, _function, decorator in _task_functions():
        options = {k.arg: k.value for k in decorator.keywords} if isinstance(decorator, ast.Call) else {}
        assert "acks_late" not in options or ast.literal_eval(options["acks_late"]) is True, name


def test_every_task_says_why_it_is_idempotent():
    for name, function, _decorator in _task_functions():
        assert "dempotent" in (ast.get_docstring(function) or ""), name


def _delays(tree: ast.AST) -> list[tuple[int, str, ast.expr]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in ("countdown", "eta"):
                    found.append((node.lineno, keyword.arg, keyword.value))
    return found


def long_delays(source: str, limit: int) -> list[str]:
    """Calls in `source` with a countdown above `limit` seconds, or an ETA or countdown that is not
    a number written in the call (it cannot be checked here)."""
    problems = []
    for line, name, value in _delays(ast.parse(source)):
        if name == "countdown" and isinstance(value, ast.Constant) and isinstance(value.value, int | float):
            if value.value > limit:
                problems.append(f"line {line}: countdown={value.value}")
        elif name in ("countdown", "eta"):
            problems.append(f"line {line}: {name}={ast.unparse(value)}")
    return problems


def test_the_scan_finds_a_long_countdown_and_any_eta():
    source = "t.apply_async(countdown=60)\nt.retry(countdown=7200)\nt.apply_async(eta=when)\nt.delay(1)\n"
    assert long_delays(source, 3600) == ["line 2: countdown=7200", "line 3: eta=when"]


def test_no_task_is_published_with_a_delay_beyond_the_visibility_timeout():
    problems = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        problems += [f"{path.relative_to(SOURCE)} {p}" for p in long_delays(path.read_text(), delay_limit())]
    assert problems == [], "keep delayed work in the database and let beat release it"


def test_a_task_published_beyond_the_visibility_timeout_is_refused():
    now = datetime.now(UTC)
    soon = {"task": "x", "eta": (now + timedelta(seconds=60)).isoformat()}
    refuse_long_delays(headers=soon)  # within the limit: published
    refuse_long_delays(headers={"task": "x", "eta": None})
    late = {"task": "x", "eta": (now + timedelta(seconds=delay_limit() + 60)).isoformat()}
    with pytest.raises(DelayTooLong):
        refuse_long_delays(headers=late)


def test_an_import_task_run_again_writes_nothing_twice_nor_undoes_a_later_step(demo):
    place = demo.places["taian"]
    job = ImportJob.objects.create(
        importer="residents",
        place_path=place.path,
        place_name=place.name,
        created_by=demo.taian_staff,
        filename="r.xlsx",
        file=xlsx([row(0), row(1)]),
    )
    runner.job_check(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)  # confirmed
    runner.job_check(job.pk)  # the check task handed out again: the job stays confirmed
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.IMPORTING
    before = Person.objects.count()
    runner.job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created, Person.objects.count()) == (ImportStatus.DONE, 2, before + 2)
    runner.job_run(job.pk)  # the run task handed out again: the job is done, nothing is written
    job.refresh_from_db()
    assert (job.status, job.created, job.bad, Person.objects.count()) == (ImportStatus.DONE, 2, 0, before + 2)
