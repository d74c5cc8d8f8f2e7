"""Samples carry their round's first day (`round_on`), filled from the round for the rows there,
and the unique keys take it: a person once per round (round, person, round_on) and a phone's
sample once (client_uuid, round_on). As strong as before: the round fixes the day, and a replay
carries the same round. The partition key of 0008."""

from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def fill_round_on(apps, schema_editor):  # type: ignore[no-untyped-def]
    Round = apps.get_model("testing", "Round")
    Sample = apps.get_model("testing", "Sample")
    Sample.objects.using(schema_editor.connection.alias).filter(round_on__isnull=True).update(
        round_on=Subquery(Round.objects.filter(pk=OuterRef("round_id")).values("starts_on")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("testing", "0006_results_purged")]

    operations = [
        migrations.AddField(
            model_name="sample",
            name="round_on",
            field=models.DateField(null=True, verbose_name="round's first day"),
        ),
        migrations.RunPython(fill_round_on, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="sample",
            name="round_on",
            field=models.DateField(verbose_name="round's first day"),
        ),
        migrations.AddConstraint(
            model_name="sample",
            constraint=models.UniqueConstraint(fields=("client_uuid", "round_on"), name="sample_stored_once"),
        ),
        migrations.AlterField(
            model_name="sample",
            name="client_uuid",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.RemoveConstraint(model_name="sample", name="sampled_once_per_round"),
        migrations.AddConstraint(
            model_name="sample",
            constraint=models.UniqueConstraint(
                condition=Q(("retest", False)),
                fields=("round", "person", "round_on"),
                name="sampled_once_per_round",
            ),
        ),
    ]
