"""The demo's key persons under isolation with their checks (called by `tongzhou.demo`)."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from tongzhou.accounts.models import User
from tongzhou.assistance.models import HelpRequest
from tongzhou.core.scope import subtree_q
from tongzhou.monitoring.models import CheckMethod, KeyPerson, OrderKind, Reason, Symptom
from tongzhou.monitoring.services import CheckData, check_record, key_person_register, order_create
from tongzhou.people.models import Person
from tongzhou.places.models import Place


def _key_persons(community: Place, *, officer: User, staff: User, log: Callable[[str], None]) -> None:
    """Three residents of 泰安巷 back from a risk area, under three kinds of order, with a check or
    two; none if the community has key persons already."""
    if KeyPerson.objects.filter(subtree_q(community.path, "place_path")).exists():
        return
    taken = HelpRequest.objects.filter(person__isnull=False).values("person")
    candidates = Person.objects.exclude(phone_index="").exclude(pk__in=taken).order_by("-pk")
    # The one under home isolation lives in 泰安巷3号院, the compound with a gate: the guard is
    # refused when this household asks to go out ("不能外出：请联系社区").
    gated = Place.objects.get(parent__parent=community, name="泰安巷3号院")
    # (the first such resident: the morning's fever at the gate is another household, the last)
    isolated = candidates.filter(subtree_q(gated.path, "place_path")).order_by("pk").first()
    others = candidates.filter(subtree_q(community.path, "place_path"))
    if isolated is not None:
        others = others.exclude(pk=isolated.pk)
    people = [p for p in [isolated, *others[:2]] if p is not None]
    today = timezone.localdate()
    plans = [
        (Reason.RISK_AREA, "武汉市", OrderKind.HOME_ISOLATION, 10),
        (Reason.CLOSE_CONTACT, "", OrderKind.CENTRALIZED, 2),
        (Reason.RELEASED_PATIENT, "", OrderKind.HOME_MONITORING, 5),
    ]
    for person, (reason, area, kind, days_ago) in zip(people, plans, strict=False):
        key_person = key_person_register(
            actor=officer, person=person, reason=reason, risk_area=area, arrived_on=today - timedelta(days=days_ago)
        )
        order = order_create(
            actor=officer,
            key_person=key_person,
            kind=kind,
            starts_on=today - timedelta(days=days_ago),
            facility="南明区集中隔离点" if kind == OrderKind.CENTRALIZED else "",
        )
        if kind == OrderKind.HOME_ISOLATION:
            check_record(actor=staff, order=order, data=CheckData(temperature="36.6"), method=CheckMethod.PHONE)
        elif kind == OrderKind.HOME_MONITORING:
            # An abnormal check: the health officer finds it in the alert inbox.
            check_record(
                actor=staff,
                order=order,
                data=CheckData(temperature="37.8", symptoms=[Symptom.COUGH]),
                method=CheckMethod.PHONE,
            )
    log(f"{community.name}: {len(plans)} key persons under isolation")
