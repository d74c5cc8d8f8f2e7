# The residents' import jobs move to the import framework's core.ImportJob (importer "residents").
# Finished jobs are copied as they are, with their row errors. A job caught checking or importing
# by the upgrade was in a task that no longer exists: it is copied as refused, its file dropped,
# so nothing is left half-done (a write is one transaction: it wrote all its rows or none).

from django.db import migrations

UNFINISHED = ("checking", "importing")


def copy_jobs(apps, schema_editor):
    Old = apps.get_model("people", "ImportJob")
    New = apps.get_model("core", "ImportJob")
    for job in Old.objects.select_related("place").order_by("pk").iterator(chunk_size=100):
        unfinished = job.status in UNFINISHED
        copied = New.objects.create(
            importer="residents",
            place_path=job.place.path,
            place_name=job.place.name[:200],
            created_by_id=job.created_by_id,
            filename=job.filename,
            file=b"" if unfinished else job.file,
            all_or_nothing=job.all_or_nothing,
            status="failed" if unfinished else job.status,
            total=job.total,
            processed=job.processed,
            good=job.good,
            bad=job.bad,
            created=job.created,
            errors=job.errors,
            message="The import was interrupted by an upgrade; upload the file again." if unfinished else job.message,
        )
        New.objects.filter(pk=copied.pk).update(created_at=job.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_import_job"),
        ("core", "0010_import_job"),
    ]

    operations = [
        migrations.RunPython(copy_jobs, migrations.RunPython.noop),
        migrations.DeleteModel(name="ImportJob"),
    ]
