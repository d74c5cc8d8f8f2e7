"""Control changes on the shared approval request (core.transitions.ApprovalRequest): one spelling
of the state ("applied" becomes "approved", data kept), and the decider's note is `decision_note`
(renamed, data kept)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def applied_to_approved(apps, schema_editor):
    ControlChange = apps.get_model("checkpoints", "ControlChange")
    ControlChange.objects.filter(status="applied").update(status="approved")


def approved_to_applied(apps, schema_editor):
    ControlChange = apps.get_model("checkpoints", "ControlChange")
    ControlChange.objects.filter(status="approved").update(status="applied")


class Migration(migrations.Migration):
    dependencies = [
        ("checkpoints", "0004_alerts_inbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="controlchange", old_name="note", new_name="decision_note"),
        migrations.AlterField(
            model_name="controlchange",
            name="decision_note",
            field=models.TextField(blank=True, verbose_name="decision note"),
        ),
        migrations.AlterField(
            model_name="controlchange",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="decided by",
            ),
        ),
        migrations.AlterField(
            model_name="controlchange",
            name="status",
            field=models.CharField(
                choices=[("pending", "Waiting for approval"), ("approved", "Approved"), ("rejected", "Rejected")],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(applied_to_approved, approved_to_applied),
    ]
