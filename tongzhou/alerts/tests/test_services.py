"""Raising and closing alerts: outcomes from the kind's list only, closed exactly once, by someone
who holds the kind's permission over the alert's place; raising again with the same key is one
alert; the registry refuses two kinds under one key."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from tongzhou.alerts.kinds import AlertKind, register
from tongzhou.alerts.models import Alert, AlertStatus
from tongzhou.alerts.selectors import get_alert_for_user
from tongzhou.alerts.services import NewAlert, alert_close, alert_raise, alerts_close_for_subject, alerts_raise
from tongzhou.alerts.tests.conftest import REVIEW, SHORTAGE
from tongzhou.core.permissions import Perm


def test_an_alert_is_raised_open_with_the_kinds_defaults(demo, raise_at):
    alert = raise_at(raised_by=demo.taian_staff)
    assert (alert.status, alert.severity, alert.assignee_role) == (AlertStatus.OPEN, "high", "community_staff")
    assert alert.place == demo.places["taian_compound"] and alert.place_path == demo.places["taian_compound"].path
    assert (alert.kind_label, alert.raised_by) == ("Shortage", demo.taian_staff)


def test_it_closes_with_an_outcome_from_the_kinds_list(demo, raise_at):
    alert = raise_at()
    closed = alert_close(actor=demo.taian_staff, alert=alert, outcome="restocked", note="补货200只")
    assert (closed.status, closed.outcome, closed.note, closed.closed_by) == (
        AlertStatus.CLOSED,
        "restocked",
        "补货200只",
        demo.taian_staff,
    )
    assert closed.closed_at is not None and closed.outcome_label == "Restocked"


@pytest.mark.parametrize("outcome", ["", "tested", "rechecked_normal", "RESTOCKED"])
def test_an_outcome_not_in_the_kinds_list_is_refused(demo, raise_at, outcome):
    alert = raise_at()
    with pytest.raises(ValidationError) as error:
        alert_close(actor=demo.taian_staff, alert=alert, outcome=outcome)
    assert "outcome" in error.value.message_dict
    alert.refresh_from_db()
    assert (alert.status, alert.closed_by) == (AlertStatus.OPEN, None)


def test_other_needs_a_note(demo, raise_at):
    alert = raise_at()
    with pytest.raises(ValidationError) as error:
        alert_close(actor=demo.taian_staff, alert=alert, outcome="other", note="  ")
    assert "note" in error.value.message_dict
    assert alert_close(actor=demo.taian_staff, alert=alert, outcome="other", note="已调拨").status == "closed"


def test_closing_twice_is_refused_and_the_first_close_stands(demo, raise_at):
    alert = raise_at()
    stale = Alert.objects.get(pk=alert.pk)
    alert_close(actor=demo.taian_staff, alert=alert, outcome="restocked")
    with pytest.raises(ValidationError, match="closed already"):
        alert_close(actor=demo.health_officer, alert=stale, outcome="other", note="again")
    alert.refresh_from_db()
    assert (alert.outcome, alert.closed_by) == ("restocked", demo.taian_staff)


@pytest.mark.parametrize("username", ["songhua_staff", "volunteer", "guard", "auditor", "outsider"])
def test_only_who_holds_the_permission_over_the_place_closes(demo, raise_at, username):
    alert = raise_at()
    with pytest.raises(PermissionDenied):
        alert_close(actor=demo.users[username], alert=alert, outcome="restocked")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_the_kinds_closing_permission_is_not_its_viewing_one(demo, raise_at):
    alert = raise_at(kind=REVIEW.key)
    with pytest.raises(PermissionDenied):  # staff see it (HEALTH_VIEW) but do not hold ISOLATION_ORDER
        alert_close(actor=demo.taian_staff, alert=alert, outcome="done")
    assert alert_close(actor=demo.health_officer, alert=alert, outcome="done").status == AlertStatus.CLOSED


def test_raising_again_with_the_same_key_is_the_same_alert(demo, raise_at):
    first = raise_at(once_key="shortage:1")
    assert raise_at(once_key="shortage:1").pk == first.pk
    batch = [
        NewAlert(kind=SHORTAGE.key, place_path=demo.places["taian"].path, once_key=key)
        for key in ("shortage:1", "shortage:2", "shortage:2", "shortage:3")
    ]
    new = alerts_raise(alerts=batch)
    assert sorted(a.once_key for a in new) == ["shortage:2", "shortage:3"]  # a key twice in a batch: once
    assert Alert.objects.count() == 3
    assert alerts_raise(alerts=batch) == []
    assert Alert.objects.get(once_key="shortage:3").place == demo.places["taian"]


def test_an_undeclared_kind_is_refused(demo):
    with pytest.raises(ValueError, match="Unknown alert kind"):
        alert_raise(kind="nobody.declared", place=demo.places["taian"])
    assert not Alert.objects.exists()


def test_a_subjects_end_closes_its_open_alerts(demo, raise_at):
    alert = raise_at()
    other = raise_at(kind=REVIEW.key)
    closed = alerts_close_for_subject(
        kind=SHORTAGE.key, subject_type="test.item", subject_id=1, closed_by=demo.taian_staff, outcome="restocked"
    )
    assert closed == 1
    alert.refresh_from_db()
    other.refresh_from_db()
    assert (alert.status, other.status) == (AlertStatus.CLOSED, AlertStatus.OPEN)


def test_two_kinds_under_one_key_are_refused():
    register(SHORTAGE)  # the same declaration again is harmless
    with pytest.raises(ImproperlyConfigured):
        register(AlertKind(key=SHORTAGE.key, label="x", outcomes=(("a", "A"),), view_perm=Perm.HEALTH_VIEW))
    with pytest.raises(ImproperlyConfigured):
        register(AlertKind(key="test.empty", label="x", outcomes=(), view_perm=Perm.HEALTH_VIEW))


def test_the_accessor_answers_404_outside_the_users_places_and_locks_inside(demo, raise_at):
    mine, theirs = raise_at(), raise_at("songhua_compound")
    with transaction.atomic():
        assert get_alert_for_user(user=demo.taian_staff, pk=mine.pk, perm=Perm.HEALTH_CHECK, write=True) == mine
    assert get_alert_for_user(user=demo.health_officer, pk=theirs.pk) == theirs
    refused = [
        (demo.taian_staff, theirs.pk, None),
        (demo.taian_staff, theirs.pk, Perm.HEALTH_CHECK),
        (demo.taian_staff, mine.pk, Perm.PEOPLE_VIEW),  # a permission that neither shows nor closes the kind
        (demo.taian_staff, "junk", None),
        (demo.volunteer, mine.pk, None),
        (AnonymousUser(), mine.pk, None),
    ]
    for user, pk, perm in refused:
        with pytest.raises(Http404):
            get_alert_for_user(user=user, pk=pk, perm=perm)
