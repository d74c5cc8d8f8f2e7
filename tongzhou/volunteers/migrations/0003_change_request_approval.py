"""Shift change requests on the shared approval request (core.transitions.ApprovalRequest): who
asked (filled from the assignment's volunteer), when it was decided, and the decider's note."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_requested_by(apps, schema_editor):
    ChangeRequest = apps.get_model("volunteers", "ChangeRequest")
    if schema_editor.connection.vendor == "postgresql":
        # Check the new foreign keys now, so the column can be made NOT NULL in this transaction
        # (no pending trigger events).
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for change in ChangeRequest.objects.filter(requested_by__isnull=True).select_related("assignment__volunteer"):
        change.requested_by_id = change.assignment.volunteer.user_id
        change.save(update_fields=["requested_by"])


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0002_posts_shifts_rosters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="changerequest",
            name="requested_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requested by",
            ),
        ),
        migrations.RunPython(fill_requested_by, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="changerequest",
            name="requested_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requested by",
            ),
        ),
        migrations.AddField(
            model_name="changerequest",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
        ),
        migrations.AddField(
            model_name="changerequest",
            name="decision_note",
            field=models.TextField(blank=True, verbose_name="decision note"),
        ),
        migrations.AlterField(
            model_name="changerequest",
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
            model_name="changerequest",
            name="status",
            field=models.CharField(
                choices=[("pending", "Waiting for approval"), ("approved", "Approved"), ("rejected", "Rejected")],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
    ]
