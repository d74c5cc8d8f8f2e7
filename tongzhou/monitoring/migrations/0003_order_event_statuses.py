"""Order events on the shared status history (core.transitions.StatusHistory): each event gains
the order's status before and after it, filled for the existing events from their action; an
override (core.transitions.ApprovalRequest) gains the decider's note."""

from django.db import migrations, models

STATUSES = [
    ("active", "Under isolation"),
    ("released", "Released"),
    ("transferred", "Transferred"),
    ("lost", "Lost to follow-up"),
]
# action -> (from, to); extending, shortening and purging keep the status the order had then.
MOVES = {
    "ordered": ("", "active"),
    "extended": ("active", "active"),
    "shortened": ("active", "active"),
    "released": ("active", "released"),
    "transferred": ("active", "transferred"),
    "lost": ("active", "lost"),
}


def fill_statuses(apps, schema_editor):
    OrderEvent = apps.get_model("monitoring", "OrderEvent")
    for action, (old, new) in MOVES.items():
        OrderEvent.objects.filter(action=action).update(from_status=old, to_status=new)
    # A purge happens after the end: the order's final status, before and after.
    for event in OrderEvent.objects.filter(action="purged").select_related("order"):
        event.from_status = event.to_status = event.order.status
        event.save(update_fields=["from_status", "to_status"])


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0002_alerts_inbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderevent",
            name="from_status",
            field=models.CharField(blank=True, choices=STATUSES, max_length=12, verbose_name="from"),
        ),
        migrations.AddField(
            model_name="orderevent",
            name="to_status",
            field=models.CharField(blank=True, choices=STATUSES, max_length=12, verbose_name="to"),
        ),
        migrations.AddField(
            model_name="override",
            name="decision_note",
            field=models.TextField(blank=True, verbose_name="decision note"),
        ),
        migrations.RunPython(fill_statuses, migrations.RunPython.noop),
    ]
