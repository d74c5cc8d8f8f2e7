"""The help-request workflow through its services: every legal move and every illegal one, who
may make which, what the resident can do, notifications, and the SLA with frozen time."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from tongzhou.assistance.audit import AssistanceAudit
from tongzhou.assistance.models import (
    NEEDS_NOTE,
    TRANSITIONS,
    Category,
    HelpEvent,
    HelpRequest,
    Source,
    Status,
    Urgency,
)
from tongzhou.assistance.selectors import desk_requests, help_figures, open_by_category_and_age
from tongzhou.assistance.services import (
    HelpData,
    allowed_moves,
    help_request_assign,
    help_request_claim,
    help_request_confirm,
    help_request_create,
    help_request_feedback,
    help_request_transition,
    help_requests_auto_confirm,
    sla_hours,
)
from tongzhou.core.messaging import ConsoleBackend
from tongzhou.core.models import AuditEvent
from tongzhou.core.scope import Scope

SHANGHAI = ZoneInfo("Asia/Shanghai")
STATUSES = list(Status.values)


def put(help_request, status, assignee=None):
    """Set up a request in a given state (as earlier moves would have left it)."""
    HelpRequest.objects.filter(pk=help_request.pk).update(status=status, assignee=assignee)
    help_request.refresh_from_db()
    return help_request


def do_move(demo, help_request, to, person):
    """Make a move through the service a real user would use for it."""
    if to == Status.ASSIGNED:
        if help_request.status == Status.NEW:
            return help_request_claim(actor=demo.volunteer, help_request=help_request)
        return help_request_assign(actor=demo.taian_staff, help_request=help_request, assignee=demo.volunteer)
    if to == Status.CONFIRMED:
        return help_request_confirm(person=person, help_request=help_request)
    if to == Status.REOPENED:
        return help_request_feedback(person=person, help_request=help_request, rating=1, comment="没买到")
    return help_request_transition(actor=demo.taian_staff, help_request=help_request, to=to, note="原因")


LEGAL = [(old, new) for old, targets in TRANSITIONS.items() for new in sorted(targets)]
ILLEGAL = [(old, new) for old in STATUSES for new in STATUSES if new not in TRANSITIONS[old]]


@pytest.mark.parametrize(("old", "new"), LEGAL)
def test_every_legal_move_is_made_and_recorded(demo, make_request, taian_person, old, new):
    help_request = put(make_request(), old, assignee=demo.volunteer if old != Status.NEW else None)
    events = HelpEvent.objects.filter(help_request=help_request).count()
    moved = do_move(demo, help_request, new, taian_person)
    assert moved.status == new
    last = HelpEvent.objects.filter(help_request=help_request).order_by("-id").first()
    assert (last.from_status, last.to_status) == (old, new)
    assert HelpEvent.objects.filter(help_request=help_request).count() == events + 1


@pytest.mark.parametrize("old", STATUSES)
def test_every_illegal_move_is_refused_and_changes_nothing(demo, make_request, taian_person, old):
    help_request = put(make_request(), old, assignee=demo.volunteer if old != Status.NEW else None)
    illegal = [new for o, new in ILLEGAL if o == old]
    assert illegal
    for new in illegal:
        if new == Status.ASSIGNED:
            # Taking: only a new request. (The desk may pass a job in progress to someone else;
            # that keeps its status and is tested below.)
            with pytest.raises(ValidationError):
                help_request_claim(actor=demo.volunteer, help_request=help_request)
        else:
            with pytest.raises(ValidationError):
                do_move(demo, help_request, new, taian_person)
        help_request.refresh_from_db()
        assert help_request.status == old, new
    assert HelpEvent.objects.filter(help_request=help_request).count() == 1


def test_done_never_goes_back_to_new(demo, make_request):
    help_request = put(make_request(), Status.DONE, assignee=demo.volunteer)
    with pytest.raises(ValidationError, match="cannot become"):
        help_request_transition(actor=demo.taian_staff, help_request=help_request, to=Status.NEW)
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.DONE


def test_reassigning_a_job_in_progress_keeps_its_status(demo, make_request):
    help_request = put(make_request(), Status.IN_PROGRESS, assignee=demo.volunteer)
    moved = help_request_assign(actor=demo.taian_staff, help_request=help_request, assignee=demo.building_lead)
    assert (moved.status, moved.assignee) == (Status.IN_PROGRESS, demo.building_lead)


def test_the_assignee_runs_their_own_job_but_not_the_desk_moves(demo, make_request):
    help_request = help_request_claim(actor=demo.volunteer, help_request=make_request())
    assert set(allowed_moves(demo.volunteer, help_request)) == {
        Status.NEW,
        Status.IN_PROGRESS,
        Status.CALL_BACK,
        Status.WAITING,
    }
    with pytest.raises(PermissionDenied):
        help_request_transition(actor=demo.volunteer, help_request=help_request, to=Status.CANCELLED, note="不要了")
    help_request = help_request_transition(actor=demo.volunteer, help_request=help_request, to=Status.IN_PROGRESS)
    help_request = help_request_transition(actor=demo.volunteer, help_request=help_request, to=Status.DONE)
    assert help_request.status == Status.DONE and help_request.done_at is not None


def test_someone_else_cannot_move_a_job(demo, make_request):
    help_request = help_request_claim(actor=demo.volunteer, help_request=make_request())
    with pytest.raises(PermissionDenied):
        help_request_transition(actor=demo.building_lead, help_request=help_request, to=Status.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        help_request_transition(actor=demo.songhua_staff, help_request=help_request, to=Status.CANCELLED, note="x")
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.ASSIGNED


@pytest.mark.parametrize("to", sorted(NEEDS_NOTE))
def test_side_paths_must_say_why(demo, make_request, to):
    help_request = put(make_request(), Status.ASSIGNED, assignee=demo.volunteer)
    with pytest.raises(ValidationError) as error:
        help_request_transition(actor=demo.taian_staff, help_request=help_request, to=to, note="  ")
    assert "note" in error.value.message_dict
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.ASSIGNED


def test_releasing_a_job_puts_it_back_for_others(demo, make_request):
    help_request = help_request_claim(actor=demo.volunteer, help_request=make_request())
    released = help_request_transition(actor=demo.volunteer, help_request=help_request, to=Status.NEW)
    assert (released.status, released.assignee, released.claimed_at) == (Status.NEW, None, None)
    assert help_request_claim(actor=demo.building_lead, help_request=released).assignee == demo.building_lead


def test_claiming_is_audited_in_the_residents_own_history(demo, make_request, taian_person):
    help_request = help_request_claim(actor=demo.volunteer, help_request=make_request())
    event = AuditEvent.objects.get(action=AssistanceAudit.HELP_REQUEST_TAKEN, details__help_request=help_request.pk)
    assert (event.actor, event.object_type, event.object_id) == (demo.volunteer, "people.person", str(taian_person.pk))
    assert event.details == {"help_request": help_request.pk, "shown": ["address", "phone"]}


def test_the_second_claim_loses(demo, make_request):
    help_request = make_request()
    help_request_claim(actor=demo.volunteer, help_request=help_request)
    stale = HelpRequest.objects.get(pk=help_request.pk)
    stale.status, stale.assignee = Status.NEW, None  # what the second claimer's page showed
    with pytest.raises(ValidationError, match="Someone else"):
        help_request_claim(actor=demo.building_lead, help_request=stale)
    assert HelpRequest.objects.get(pk=help_request.pk).assignee == demo.volunteer


def test_claims_and_assignments_stay_in_the_area(demo, make_request, songhua_person):
    songhua_request = make_request(person=songhua_person)
    with pytest.raises(PermissionDenied):
        help_request_claim(actor=demo.volunteer, help_request=songhua_request)
    with pytest.raises(PermissionDenied):
        help_request_assign(actor=demo.taian_staff, help_request=songhua_request, assignee=demo.volunteer)
    with pytest.raises(ValidationError, match="cannot take"):
        help_request_assign(actor=demo.songhua_staff, help_request=songhua_request, assignee=demo.volunteer)
    assert HelpRequest.objects.get(pk=songhua_request.pk).status == Status.NEW


def test_the_resident_is_told_at_the_steps_that_matter(demo, make_request, taian_person):
    ConsoleBackend.outbox.clear()
    help_request = help_request_claim(actor=demo.volunteer, help_request=make_request())
    help_request = help_request_transition(actor=demo.volunteer, help_request=help_request, to=Status.IN_PROGRESS)
    help_request_transition(
        actor=demo.volunteer, help_request=help_request, to=Status.DONE, site_url="https://tz.example/"
    )
    to_resident = [m.text for m in ConsoleBackend.outbox if m.to == taian_person.phone]
    assert len(to_resident) == 2
    assert "has been taken by" in to_resident[0]
    assert "is done" in to_resident[1] and "https://tz.example/help/mine/" in to_resident[1]


def test_a_bad_rating_reopens_for_the_desk(demo, make_request, taian_person):
    help_request = put(make_request(), Status.DONE, assignee=demo.volunteer)
    reopened = help_request_feedback(person=taian_person, help_request=help_request, rating=2, comment="菜是坏的")
    assert (reopened.status, reopened.rating, reopened.reopened_count) == (Status.REOPENED, 2, 1)
    assert allowed_moves(demo.volunteer, reopened) == []
    assert Status.IN_PROGRESS in allowed_moves(demo.taian_staff, reopened)
    last = reopened.events.order_by("-id").first()
    assert (last.from_status, last.to_status, last.actor_name, last.reason) == (
        Status.DONE,
        Status.REOPENED,
        "resident",
        "★★ 菜是坏的",
    )


def test_a_good_rating_confirms_and_stays(demo, make_request, taian_person):
    help_request = put(make_request(), Status.DONE, assignee=demo.volunteer)
    rated = help_request_feedback(person=taian_person, help_request=help_request, rating=5, comment="谢谢")
    assert (rated.status, rated.rating, rated.feedback) == (Status.CONFIRMED, 5, "谢谢")


def test_a_resident_acts_only_on_their_own_requests(demo, make_request, songhua_person):
    help_request = put(make_request(), Status.DONE, assignee=demo.volunteer)
    with pytest.raises(PermissionDenied):
        help_request_confirm(person=songhua_person, help_request=help_request)
    with pytest.raises(PermissionDenied):
        help_request_feedback(person=songhua_person, help_request=help_request, rating=1, comment="")
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.DONE


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_ratings_are_one_to_five(demo, make_request, taian_person, rating):
    help_request = put(make_request(), Status.DONE, assignee=demo.volunteer)
    with pytest.raises(ValidationError):
        help_request_feedback(person=taian_person, help_request=help_request, rating=rating, comment="")
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.DONE


def test_due_time_follows_category_and_urgency(demo, make_request):
    with time_machine.travel(datetime(2026, 1, 31, 23, 30, tzinfo=SHANGHAI), tick=False):
        medicine = make_request(category=Category.MEDICINE, urgency=Urgency.URGENT)
        paperwork = make_request(category=Category.PAPERWORK, urgency=Urgency.NORMAL)
    assert medicine.due_at == datetime(2026, 2, 1, 1, 30, tzinfo=SHANGHAI)
    assert paperwork.due_at == datetime(2026, 1, 31, 23, 30, tzinfo=SHANGHAI) + timedelta(hours=120)


def test_the_sla_setting_overrides_per_category(settings):
    settings.TONGZHOU_HELP_SLA_HOURS = {Category.GROCERIES: (1, 6)}
    assert sla_hours(Category.GROCERIES, Urgency.URGENT) == 1
    assert sla_hours(Category.GROCERIES, Urgency.NORMAL) == 6
    assert sla_hours(Category.MEDICINE, Urgency.NORMAL) == 12


def test_overdue_with_frozen_time(demo, make_request):
    scope = Scope.of([demo.places["taian"].path])
    start = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        urgent = make_request(category=Category.MEDICINE, urgency=Urgency.URGENT)  # due 11:00
        normal = make_request(category=Category.MEDICINE, urgency=Urgency.NORMAL)  # due 21:00
    ids = {urgent.pk, normal.pk}

    def overdue_at(moment):
        with time_machine.travel(moment, tick=False):
            return {r.pk for r in desk_requests(scope, overdue=True)} & ids

    assert overdue_at(start + timedelta(hours=1, minutes=59)) == set()
    assert overdue_at(start + timedelta(hours=2, minutes=1)) == {urgent.pk}
    assert overdue_at(start + timedelta(hours=12, minutes=1)) == {urgent.pk, normal.pk}
    # Done before the due time: never overdue again.
    put(urgent, Status.DONE, assignee=demo.volunteer)
    assert overdue_at(start + timedelta(days=3)) == {normal.pk}
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        ages = {a["category"]: a for a in open_by_category_and_age(scope)}
        figures = help_figures(scope)
    assert ages[Category.MEDICINE]["under_4h"] >= 1 and ages[Category.MEDICINE]["overdue"] == 0
    assert figures["overdue"] == 0


def test_auto_confirmation_after_the_configured_hours(demo, make_request, settings):
    settings.TONGZHOU_HELP_AUTO_CONFIRM_HOURS = 48
    start = datetime(2026, 2, 27, 20, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        help_request = help_request_claim(actor=demo.volunteer, help_request=make_request())
        help_request = help_request_transition(actor=demo.volunteer, help_request=help_request, to=Status.IN_PROGRESS)
        help_request_transition(actor=demo.volunteer, help_request=help_request, to=Status.DONE)
    with time_machine.travel(start + timedelta(hours=47, minutes=59), tick=False):
        assert help_requests_auto_confirm() == 0
    with time_machine.travel(start + timedelta(hours=48, minutes=1), tick=False):
        call_command("confirm_done_requests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    help_request.refresh_from_db()
    assert (help_request.status, help_request.auto_confirmed) == (Status.CONFIRMED, True)
    assert help_request.events.order_by("-id").first().actor_name == "system"
    assert help_requests_auto_confirm() == 0


class TestBadInput:
    def data(self, person, **changes):
        values = {"category": Category.GROCERIES, "summary": "米", "person": person}
        values.update(changes)
        return HelpData(**values)

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"category": "spaceship"}, "category"),
            ({"urgency": "whenever"}, "urgency"),
            ({"summary": "   "}, "summary"),
            ({"summary": "米" * 10_000}, "summary"),
            ({"contact_phone": "12345"}, "contact_phone"),
            ({"contact_name": "名" * 51}, "contact_name"),
        ],
    )
    def test_named_field_and_nothing_written(self, demo, taian_person, changes, field):
        before = (HelpRequest.objects.count(), HelpEvent.objects.count(), AuditEvent.objects.count())
        with pytest.raises(ValidationError) as error:
            help_request_create(actor=demo.taian_staff, data=self.data(taian_person, **changes))
        assert field in error.value.message_dict
        assert (HelpRequest.objects.count(), HelpEvent.objects.count(), AuditEvent.objects.count()) == before

    def test_a_caller_needs_an_address_and_a_phone(self, demo):
        with pytest.raises(ValidationError) as error:
            help_request_create(actor=demo.taian_staff, data=HelpData(category=Category.OTHER, summary="x"))
        assert {"household", "contact_name", "contact_phone"} <= set(error.value.message_dict)

    def test_a_caller_not_in_the_register(self, demo):
        household = demo.places["taian_household"]
        help_request = help_request_create(
            actor=demo.building_lead
            if household.place.path.startswith(demo.places["taian_compound"].path)
            else demo.taian_staff,
            data=HelpData(
                category=Category.OTHER,
                summary="帮忙取快递",
                household=household,
                contact_name="王女士",
                contact_phone="138 0000 1234",
            ),
        )
        assert (help_request.person, help_request.contact_phone, help_request.contact_last4) == (
            None,
            "13800001234",
            "1234",
        )

    def test_intake_outside_ones_area_is_refused(self, demo, songhua_person):
        before = HelpRequest.objects.count()
        with pytest.raises(PermissionDenied):
            help_request_create(actor=demo.taian_staff, data=self.data(songhua_person))
        with pytest.raises(PermissionDenied):
            help_request_create(actor=demo.volunteer, data=self.data(songhua_person))
        assert HelpRequest.objects.count() == before

    def test_from_another_module_with_its_reference(self, demo, taian_person):
        help_request = help_request_create(
            actor=None, data=self.data(taian_person), source=Source.HEALTH_CHECK, source_ref="monitoring.check:42"
        )
        assert (help_request.source, help_request.source_ref, help_request.created_by) == (
            Source.HEALTH_CHECK,
            "monitoring.check:42",
            None,
        )
