"""Before the ledger is partitioned (0011): "reversed once" and "arrives once" move from the
unique columns Entry.reverses / Entry.arrives into EntryClaim's unique key (kind, entry), filled
from the entries written so far; the foreign keys into supplies_entry lose their database
constraint (a partitioned table cannot be their target by id alone); a store's entries get an
index by time. Taken back, the columns are one-to-one with their constraints again."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


CLAIMS = """
INSERT INTO supplies_entryclaim (kind, entry_id, by_id)
SELECT 'reversal', reverses_id, id FROM supplies_entry WHERE reverses_id IS NOT NULL
UNION ALL
SELECT 'arrival', arrives_id, id FROM supplies_entry WHERE arrives_id IS NOT NULL
"""


def claims_of_the_ledger(apps, schema_editor):  # type: ignore[no-untyped-def]
    """The claims of the reversals and arrivals written so far (unique already: the columns were)."""
    schema_editor.execute(CLAIMS)


# SQLite makes the table again to alter a column, and its triggers go with it (0002's).
SQLITE_APPEND_ONLY = """
CREATE TRIGGER IF NOT EXISTS supplies_entry_no_update BEFORE UPDATE ON supplies_entry
BEGIN SELECT RAISE(ABORT, 'supplies_entry is append-only: write a reversing entry'); END;
"""


def sqlite_append_only(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_APPEND_ONLY)


class Migration(migrations.Migration):
    dependencies = [
        ("supplies", "0009_funds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Taken back, the last step: the trigger again after the columns are altered back.
        migrations.RunPython(migrations.RunPython.noop, sqlite_append_only, elidable=False),
        migrations.CreateModel(
            name="EntryClaim",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("reversal", "Reversal"), ("arrival", "Arrival")], max_length=8, verbose_name="kind"
                    ),
                ),
            ],
            options={
                "verbose_name": "ledger entry claim",
                "verbose_name_plural": "ledger entry claims",
            },
        ),
        migrations.AlterField(
            model_name="donationline",
            name="entry",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="supplies.entry",
                verbose_name="entry",
            ),
        ),
        migrations.AlterField(
            model_name="entry",
            name="arrives",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="arrivals",
                to="supplies.entry",
                verbose_name="arrival of",
            ),
        ),
        migrations.AlterField(
            model_name="entry",
            name="reverses",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reversals",
                to="supplies.entry",
                verbose_name="reverses",
            ),
        ),
        migrations.AlterField(
            model_name="purchaseline",
            name="entry",
            field=models.OneToOneField(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="supplies.entry",
                verbose_name="entry",
            ),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(fields=["store", "created_at"], name="supplies_entry_store_time"),
        ),
        migrations.AddField(
            model_name="entryclaim",
            name="by",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="supplies.entry",
                verbose_name="by entry",
            ),
        ),
        migrations.AddField(
            model_name="entryclaim",
            name="entry",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="supplies.entry",
                verbose_name="entry",
            ),
        ),
        migrations.AddConstraint(
            model_name="entryclaim",
            constraint=models.UniqueConstraint(fields=("kind", "entry"), name="supplies_entry_claimed_once"),
        ),
        migrations.RunPython(claims_of_the_ledger, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(sqlite_append_only, migrations.RunPython.noop, elidable=False),
    ]
