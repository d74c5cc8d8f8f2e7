"""The shared status mechanism (core.transitions.move), tried on help requests: only the moves in
the table, compare-and-set against a stale read, and one history row per move."""

import pytest
from django.core.exceptions import ValidationError

from tongzhou.assistance.models import HelpEvent, HelpRequest, Status
from tongzhou.core.transitions import MovedMeanwhile, MoveNotAllowed, check_move, move


def test_a_move_in_the_table_changes_the_status_and_writes_its_history(demo, make_request):
    help_request = make_request()
    moved = move(help_request, to=Status.CALL_BACK, actor=demo.taian_staff, reason="无人接听", evidence="两次来电记录")
    assert moved.status == Status.CALL_BACK
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.CALL_BACK
    event = HelpEvent.objects.filter(help_request=help_request).order_by("-id").first()
    assert (event.actor, event.from_status, event.to_status, event.reason, event.evidence) == (
        demo.taian_staff,
        Status.NEW,
        Status.CALL_BACK,
        "无人接听",
        "两次来电记录",
    )
    assert event.created_at is not None


def test_a_move_not_in_the_table_is_refused_and_changes_nothing(demo, make_request):
    help_request = make_request()
    events = HelpEvent.objects.count()
    assert help_request.can_move(Status.CALL_BACK) and not help_request.can_move(Status.DONE)
    with pytest.raises(MoveNotAllowed, match="cannot become"):
        move(help_request, to=Status.DONE, actor=demo.taian_staff)
    with pytest.raises(ValidationError):  # a MoveNotAllowed is a ValidationError, for forms and views
        check_move(help_request, Status.CONFIRMED)
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.NEW
    assert HelpEvent.objects.count() == events


def test_a_move_from_a_stale_read_loses_cleanly(demo, make_request):
    help_request = make_request()
    stale = HelpRequest.objects.get(pk=help_request.pk)
    move(help_request, to=Status.CALL_BACK, actor=demo.taian_staff, reason="无人接听")
    events = HelpEvent.objects.count()
    # New -> cancelled is in the table, but the row is not new any more.
    with pytest.raises(MovedMeanwhile):
        move(stale, to=Status.CANCELLED, actor=demo.street_admin, reason="重复")
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.CALL_BACK
    assert HelpEvent.objects.count() == events


def test_staying_put_is_a_move_only_when_asked_for(demo, make_request):
    help_request = make_request()
    with pytest.raises(MoveNotAllowed):
        move(help_request, to=Status.NEW, actor=demo.taian_staff)
    move(help_request, to=Status.NEW, actor=demo.taian_staff, allow_stay=True, reason="改派", changes={"rating": 3})
    event = HelpEvent.objects.filter(help_request=help_request).order_by("-id").first()
    assert (event.from_status, event.to_status, event.reason) == (Status.NEW, Status.NEW, "改派")
    assert HelpRequest.objects.get(pk=help_request.pk).rating == 3
