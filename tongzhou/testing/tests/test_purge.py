"""Results are health data with monitoring's retention: after it, a closed round keeps its tubes
(for its figures and later pool advice) but no longer says who was in them."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from tongzhou.alerts.models import Alert
from tongzhou.core.models import AuditEvent
from tongzhou.testing.models import Exemption, ExemptReason, Recall, Result, Round, RoundStatus, Sample, Tube
from tongzhou.testing.services import TubeResult, exemption_set, results_purge, results_record, sample_take


def test_a_closed_round_past_retention_forgets_who_was_sampled(demo, make_round, residents, settings):
    old = make_round(pool_size=5)
    recent = make_round(pool_size=5)
    for person in residents[:5]:
        sample_take(actor=demo.volunteer, test_round=old, person=person, barcode="TZ-OLD")
        sample_take(actor=demo.volunteer, test_round=recent, person=person, barcode="TZ-NEW")
    exemption_set(actor=demo.taian_staff, test_round=old, person=residents[6], reason=ExemptReason.AWAY)
    results_record(actor=None, results=[TubeResult(Tube.objects.get(barcode="TZ-OLD"), Result.POSITIVE)])
    assert Recall.objects.filter(round=old).count() == 5 and Alert.objects.get(subject_id=old.pk).details

    days = settings.TONGZHOU_HEALTH_RETENTION_DAYS
    Round.objects.filter(pk=old.pk).update(
        status=RoundStatus.CLOSED,
        starts_on=timezone.localdate() - timedelta(days=days + 3),
        ends_on=timezone.localdate() - timedelta(days=days + 2),
    )
    assert results_purge() == {"rounds": 1, "samples": 5, "recalls": 5}
    assert not Sample.objects.filter(round=old).exists() and not Recall.objects.filter(round=old).exists()
    assert not Exemption.objects.filter(round=old).exists()
    assert Alert.objects.get(subject_id=old.pk).details == {}
    tube = Tube.objects.get(barcode="TZ-OLD")
    assert tube.result == Result.POSITIVE and tube.filled == 5  # the figures stay
    assert Sample.objects.filter(round=recent).count() == 5  # the open round is untouched
    assert Round.objects.get(pk=old.pk).purged_at is not None
    assert AuditEvent.objects.filter(action="test_results_purged", object_id=str(old.pk)).count() == 1
    call_command("purge_test_results")  # purged once: nothing more
    assert AuditEvent.objects.filter(action="test_results_purged").count() == 1
