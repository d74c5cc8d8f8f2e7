"""Fever alerts move to the shared inbox (tongzhou.alerts) with their history: open or closed,
outcome, note, who closed them and when. Then the old table goes.

Reversing recreates the old table empty and leaves the moved rows in the inbox; running forward
again skips the rows already moved (the once-keys are unique)."""

from django.db import migrations
from django.utils import timezone

CHUNK = 2000


def _write(New, batch):
    if not batch:
        return
    New.objects.bulk_create(
        [
            New(
                kind="fever",
                place_id=old.gate.place_id,
                place_path=old.place_path,
                subject_type="checkpoints.pass" if old.pass_ref_id else "",
                subject_id=old.pass_ref_id,
                subject_label=old.subject[:100],
                severity="high",
                assignee_role="community_staff",
                details={
                    "passage": old.passage_id,
                    "gate": old.gate_id,
                    "gate_name": old.gate.name,
                    "temperature": str(old.temperature),
                    "scanned_at": old.scanned_at.isoformat(),
                    "scanned_local": f"{timezone.localtime(old.scanned_at):%m-%d %H:%M}",
                },
                once_key=f"fever:{old.passage_id}",
                created_at=old.created_at,
                status=old.status,
                closed_by_id=old.closed_by_id,
                closed_at=old.closed_at,
                outcome=old.outcome,
                note=old.outcome_note,
            )
            for old in batch
        ],
        ignore_conflicts=True,
    )


def move_fever_alerts(apps, schema_editor):
    Old = apps.get_model("checkpoints", "FeverAlert")
    New = apps.get_model("alerts", "Alert")
    batch = []
    for old in Old.objects.select_related("gate").order_by("pk").iterator(chunk_size=CHUNK):
        batch.append(old)
        if len(batch) == CHUNK:
            _write(New, batch)
            batch = []
    _write(New, batch)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("checkpoints", "0003_passage_lighter"),
        ("alerts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(move_fever_alerts, migrations.RunPython.noop),
        migrations.DeleteModel(name="FeverAlert"),
    ]
