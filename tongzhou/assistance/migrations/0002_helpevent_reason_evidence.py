"""Help events on the shared status history (core.transitions.StatusHistory): the note becomes
the reason (renamed, data kept), and an evidence column is added."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="helpevent", old_name="note", new_name="reason"),
        migrations.AlterField(
            model_name="helpevent",
            name="reason",
            field=models.TextField(blank=True, verbose_name="reason"),
        ),
        migrations.AddField(
            model_name="helpevent",
            name="evidence",
            field=models.TextField(blank=True, verbose_name="evidence"),
        ),
    ]
