"""Requests made from a daily check before this change said "for a resident under isolation" and
copied the check's notes (symptoms, temperature): rewrite them to the need only."""

from typing import Any

from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

NEED_ONLY = {
    "groceries": "Groceries and daily goods delivered to the door",
    "medicine": "Medicine bought and delivered to the door",
    "paperwork": "Paperwork done on the resident's behalf",
}


def forwards(apps: Any, schema_editor: Any) -> None:
    HelpRequest = apps.get_model("assistance", "HelpRequest")
    with translation.override(settings.LANGUAGE_CODE):
        for category, text in NEED_ONLY.items():
            HelpRequest.objects.filter(source="health_check", category=category).update(summary=gettext(text))


class Migration(migrations.Migration):
    dependencies = [("assistance", "0002_helpevent_reason_evidence")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
