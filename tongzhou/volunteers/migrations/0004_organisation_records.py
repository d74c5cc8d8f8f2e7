"""Volunteers pick an organisation record instead of typing one: each typed entry becomes an
`people.Organisation` at the volunteer's street, one record per normalised name within a street
(the kind chosen at sign-up carries over; a name typed with "none" as its kind is a work unit; a
kind with no name typed is dropped, there is nothing to record)."""

import unicodedata

import django.db.models.deletion
from django.db import migrations, models

KINDS = {"work_unit": "work_unit", "trade_union": "trade_union", "party_branch": "party_organisation"}


def _normalised(name):
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def typed_entries_to_records(apps, schema_editor):
    Volunteer = apps.get_model("volunteers", "Volunteer")
    Organisation = apps.get_model("people", "Organisation")
    found = {}
    for volunteer in Volunteer.objects.exclude(organization_name="").select_related("community__parent").order_by("pk"):
        name = volunteer.organization_name.strip()
        key = _normalised(name)
        if not key:
            continue
        community = volunteer.community
        street = community.parent if community.parent and community.parent.kind == "street" else community
        organisation = found.get((street.pk, key))
        if organisation is None:
            organisation = Organisation.objects.filter(place=street, normalised_name=key).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=name[:100],
                normalised_name=key[:100],
                kind=KINDS.get(volunteer.organization, "work_unit"),
                place=street,
                place_path=street.path,
            )
        found[(street.pk, key)] = organisation
        volunteer.organisation = organisation
        volunteer.save(update_fields=["organisation"])


def records_to_typed_entries(apps, schema_editor):
    Volunteer = apps.get_model("volunteers", "Volunteer")
    back = {value: key for key, value in KINDS.items()}
    for volunteer in Volunteer.objects.exclude(organisation=None).select_related("organisation").order_by("pk"):
        volunteer.organization = back.get(volunteer.organisation.kind, "work_unit")
        volunteer.organization_name = volunteer.organisation.name
        volunteer.save(update_fields=["organization", "organization_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_organisation"),
        ("volunteers", "0003_change_request_approval"),
    ]

    operations = [
        migrations.AddField(
            model_name="volunteer",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="volunteers",
                to="people.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.RunPython(typed_entries_to_records, records_to_typed_entries),
        migrations.RemoveField(model_name="volunteer", name="organization"),
        migrations.RemoveField(model_name="volunteer", name="organization_name"),
    ]
