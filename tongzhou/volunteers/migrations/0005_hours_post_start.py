"""The hours ledger carries its shift's post and start, copied when the entry is written, with a
partial covering index: hours at these posts since that day are one index range, no join (the
welfare proposal list). Existing entries get them from their assignment's shift."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0004_organisation_records"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="hoursentry",
            name="post",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="volunteers.post",
            ),
        ),
        migrations.AddField(
            model_name="hoursentry",
            name="shift_start",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunSQL(
            "UPDATE volunteers_hoursentry SET post_id = s.post_id, shift_start = s.start"
            " FROM volunteers_assignment a JOIN volunteers_shift s ON s.id = a.shift_id"
            " WHERE volunteers_hoursentry.assignment_id = a.id",
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="hoursentry",
            index=models.Index(
                condition=models.Q(("post__isnull", False)),
                fields=["post", "shift_start"],
                include=("volunteer", "hours"),
                name="hours_post_start",
            ),
        ),
    ]
