"""The monitoring alerts move to the shared inbox (tongzhou.alerts) with their history: open or
closed, who closed them and when. The old free-text outcome becomes the outcome "other" with the
text as the note. Then the old table goes.

Reversing recreates the old table empty and leaves the moved rows in the inbox; running forward
again skips the rows already moved (the once-keys are unique)."""

from datetime import UTC

from django.db import migrations
from django.utils import timezone

SUBJECT = "monitoring.isolationorder"
SEVERITY = {"abnormal": "high", "overdue_staff": "medium", "overdue_health": "high", "release_due": "low"}
ROLE = {
    "abnormal": "health_officer",
    "overdue_staff": "community_staff",
    "overdue_health": "health_officer",
    "release_due": "health_officer",
}
CHUNK = 2000


def _mask(name):
    return name[:1] + "*" * max(len(name) - 1, 1)


def _ancestors(path):
    segments = path.strip("/").split("/")
    return ["/" + "/".join(segments[: i + 1]) + "/" for i in range(len(segments))]


def _place_ids(Place, paths):
    """Each path's place, or its nearest existing ancestor."""
    wanted = {a for path in paths for a in _ancestors(path)}
    known = dict(Place.objects.filter(path__in=wanted).values_list("path", "pk"))
    result = {}
    for path in paths:
        for ancestor in reversed(_ancestors(path)):
            if ancestor in known:
                result[path] = known[ancestor]
                break
    return result


def _details(old):
    if old.kind == "abnormal":
        if old.health_check_id is None:
            return {}
        return {"health_check": old.health_check_id, "temperature": str(old.health_check.temperature)}
    if old.slot is None:
        return {}
    if old.kind == "release_due":
        return {"planned_end_on": timezone.localtime(old.slot).date().isoformat()}
    return {"slot_local": f"{timezone.localtime(old.slot):%m-%d %H:%M}"}


def _once_key(old):
    if old.kind == "abnormal" and old.health_check_id is not None:
        return f"abnormal:{old.health_check_id}"
    if old.kind != "abnormal" and old.slot is not None:
        return f"{old.kind}:{old.order_id}:{old.slot.astimezone(UTC).isoformat()}"
    return f"monitoring.alert:{old.pk}"


def move_alerts(apps, schema_editor):
    Old = apps.get_model("monitoring", "Alert")
    New = apps.get_model("alerts", "Alert")
    Place = apps.get_model("places", "Place")
    rows = Old.objects.select_related("order__key_person__person", "health_check").order_by("pk")
    batch = []
    for old in rows.iterator(chunk_size=CHUNK):
        batch.append(old)
        if len(batch) == CHUNK:
            _write(New, Place, batch)
            batch = []
    _write(New, Place, batch)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _write(New, Place, batch):
    if not batch:
        return
    places = _place_ids(Place, {old.place_path for old in batch})
    New.objects.bulk_create(
        [
            New(
                kind=old.kind,
                place_id=places[old.place_path],
                place_path=old.place_path,
                subject_type=SUBJECT,
                subject_id=old.order_id,
                subject_label=_mask(old.order.key_person.person.name),
                severity=SEVERITY.get(old.kind, "medium"),
                assignee_role=ROLE.get(old.kind, ""),
                details=_details(old),
                once_key=_once_key(old),
                created_at=old.created_at,
                status="closed" if old.closed_at else "open",
                closed_by_id=old.closed_by_id,
                closed_at=old.closed_at,
                outcome="other" if old.closed_at and old.outcome else "",
                note=old.outcome if old.closed_at else "",
            )
            for old in batch
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_initial"),
        ("alerts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(move_alerts, migrations.RunPython.noop),
        migrations.DeleteModel(name="Alert"),
    ]
