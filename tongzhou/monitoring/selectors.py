"""Reads of the monitoring module. Today's list and its counts read the active orders' two
denormalized times (`next_due_at`, `last_check_at`), never the checks: a constant number of
queries whatever the size of the street or the number of checks."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from tongzhou.alerts.selectors import open_alert_count
from tongzhou.core.access import get_for_user, scope_of
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import blind_index_candidates
from tongzhou.core.scope import Scope
from tongzhou.monitoring.models import (
    AlertKind,
    HealthCheck,
    IsolationOrder,
    KeyPerson,
    OrderEvent,
    OrderKind,
    OrderStatus,
    Override,
    OverrideStatus,
)
from tongzhou.people.models import Person

STATES = ("overdue", "due", "done")


def _day_start(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def today_orders(scope: Scope, *, state: str = "", now: datetime | None = None) -> QuerySet[IsolationOrder]:
    """Active orders in the area with their state now: overdue (a check time passed more than the
    grace ago), due (a check time passed, within the grace) or done (nothing due yet), most
    urgent first."""
    now = now or timezone.now()
    grace = now - timedelta(minutes=settings.TONGZHOU_CHECK_GRACE_MINUTES)
    queryset = (
        IsolationOrder.objects.filter(scope.q("place_path"), status=OrderStatus.ACTIVE)
        .annotate(
            state=Case(
                When(next_due_at__lte=grace, then=Value("overdue")),
                When(next_due_at__lte=now, then=Value("due")),
                default=Value("done"),
                output_field=CharField(),
            )
        )
        .select_related("key_person__person__household")
        .order_by("next_due_at", "id")
    )
    if state == "overdue":
        queryset = queryset.filter(next_due_at__lte=grace)
    elif state == "due":
        queryset = queryset.filter(next_due_at__gt=grace, next_due_at__lte=now)
    elif state == "done":
        queryset = queryset.filter(next_due_at__gt=now)
    return queryset


def today_page(
    scope: Scope, *, state: str = "", page: int | str | None = None, per_page: int = 50, now: datetime | None = None
) -> Page[IsolationOrder]:
    """One page of today's list in two steps: the page's ids from a narrow sort of (next check, id)
    (an index walk for a whole street), then those orders with their resident and household and
    their latest check attempt (`latest_temperature`, `latest_abnormal`, `latest_reached`,
    `latest_at`: a subquery per row of the page, on the (order, done_at) index). A
    single query would sort the wide joined rows of the whole area, spilling to disk at 50,000."""
    ids = today_orders(scope, state=state, now=now).select_related(None).values_list("pk", flat=True)
    result = Paginator(ids, per_page).get_page(page)
    page_ids = list(result.object_list)
    latest = HealthCheck.objects.filter(order=OuterRef("pk")).order_by("-done_at", "-id")
    rows = (
        today_orders(scope, now=now)
        .filter(pk__in=page_ids)
        .annotate(
            latest_temperature=Subquery(latest.values("temperature")[:1]),
            latest_abnormal=Subquery(latest.values("abnormal")[:1]),
            latest_reached=Subquery(latest.values("reached")[:1]),
            latest_at=Subquery(latest.values("done_at")[:1]),
        )
        .in_bulk()
    )
    return Page([rows[pk] for pk in page_ids if pk in rows], result.number, result.paginator)  # type: ignore[arg-type]


def today_counts(scope: Scope, now: datetime | None = None) -> dict[str, int]:
    """Due now, overdue, checked today, not checked for 1 / 2 / 3+ days (since the last check, or
    the order if none), waiting for release. One query."""
    now = now or timezone.now()
    grace = now - timedelta(minutes=settings.TONGZHOU_CHECK_GRACE_MINUTES)
    day = timedelta(days=1)
    counts: dict[str, int] = (
        IsolationOrder.objects.filter(scope.q("place_path"), status=OrderStatus.ACTIVE)
        .annotate(last=Coalesce("last_check_at", "created_at"))
        .aggregate(
            active=Count("id"),
            isolated=Count("id", filter=~Q(kind=OrderKind.HOME_MONITORING)),
            monitored=Count("id", filter=Q(kind=OrderKind.HOME_MONITORING)),
            overdue=Count("id", filter=Q(next_due_at__lte=grace)),
            due=Count("id", filter=Q(next_due_at__gt=grace, next_due_at__lte=now)),
            checked_today=Count("id", filter=Q(last_check_at__gte=_day_start(now))),
            unchecked_1=Count("id", filter=Q(last__lt=now - day, last__gte=now - 2 * day)),
            unchecked_2=Count("id", filter=Q(last__lt=now - 2 * day, last__gte=now - 3 * day)),
            unchecked_3=Count("id", filter=Q(last__lt=now - 3 * day)),
            awaiting_release=Count("id", filter=Q(planned_end_on__lte=timezone.localdate(now))),
        )
    )
    return counts


def pending_overrides(scope: Scope) -> QuerySet[Override]:
    return (
        Override.objects.filter(scope.q("order__place_path"), status=OverrideStatus.PENDING)
        .select_related("order__key_person__person", "requested_by")
        .order_by("created_at")
    )


def key_persons(scope: Scope) -> QuerySet[KeyPerson]:
    return KeyPerson.objects.filter(scope.q("place_path")).select_related("person").order_by("-created_at", "-id")


def checks_of(order: IsolationOrder) -> QuerySet[HealthCheck]:
    return order.checks.select_related("checked_by").order_by("-done_at", "-id")


def events_of(order: IsolationOrder) -> QuerySet[OrderEvent]:
    return order.events.select_related("actor", "approved_by").order_by("created_at", "id")


def orders_of_person(person: Person) -> QuerySet[IsolationOrder]:
    return (
        IsolationOrder.objects.filter(key_person__person=person)
        .prefetch_related("events")
        .order_by("-starts_on", "-id")
    )


def active_order_of(person: Person) -> IsolationOrder | None:
    return IsolationOrder.objects.filter(key_person__person=person, status=OrderStatus.ACTIVE).first()


def is_key_person(person: Person) -> bool:
    """Whether `person` was ever registered as a key person (their isolation page is worth a link)."""
    return KeyPerson.objects.filter(person=person).exists()


def monitoring_figures(scope: Scope, now: datetime | None = None) -> dict[str, Any]:
    """For the dashboard: under isolation by kind, new and released today, overdue, alerts open."""
    now = now or timezone.now()
    today = _day_start(now)
    grace = now - timedelta(minutes=settings.TONGZHOU_CHECK_GRACE_MINUTES)
    orders = IsolationOrder.objects.filter(scope.q("place_path"))
    by_kind = dict(orders.filter(status=OrderStatus.ACTIVE).values_list("kind").annotate(n=Count("id")).order_by())
    totals = orders.aggregate(
        new_today=Count("id", filter=Q(created_at__gte=today)),
        released_today=Count("id", filter=Q(status=OrderStatus.RELEASED, ended_at__gte=today)),
        overdue=Count("id", filter=Q(status=OrderStatus.ACTIVE, next_due_at__lte=grace)),
    )
    return {
        "by_kind": [(label, by_kind.get(kind, 0)) for kind, label in OrderKind.choices],
        "active": sum(by_kind.values()),
        "alerts_open": open_alert_count(scope, AlertKind.values),
        **totals,
    }


# Accessors: 404 outside the user's places exactly as for a record that does not exist.


def get_key_person_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> KeyPerson:
    return get_for_user(
        KeyPerson.objects.select_related("person__household", "registered_by"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="place_path",
        write=write,
    )


def get_order_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> IsolationOrder:
    return get_for_user(
        IsolationOrder.objects.select_related("key_person__person__household"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="place_path",
        write=write,
    )


def get_check_for_user(*, user: Any, pk: Any, perm: Perm) -> HealthCheck:
    return get_for_user(
        HealthCheck.objects.select_related("order"), user=user, pk=pk, perm=perm, path_field="order__place_path"
    )


def get_override_for_user(*, user: Any, pk: Any, perm: Perm, write: bool = False) -> Override:
    return get_for_user(
        Override.objects.select_related("order"),
        user=user,
        pk=pk,
        perm=perm,
        path_field="order__place_path",
        write=write,
    )


def orders_of_id_number(id_number: str, limit: int = 10) -> list[IsolationOrder]:
    """The isolation orders of whoever holds this ID number in the register (a worker enrolled in a
    protection plan by ID number, offered as a claim's evidence), newest first; one query."""
    if not id_number:
        return []
    return list(
        IsolationOrder.objects.filter(key_person__person__id_index__in=blind_index_candidates(id_number)).order_by(
            "-starts_on", "-id"
        )[:limit]
    )


def may_open_order(user: Any, order: IsolationOrder) -> bool:
    """Whether `user` may open the order's page (`monitoring:order`, HEALTH_VIEW at its place)."""
    return scope_of(user, Perm.HEALTH_VIEW).contains(order.place_path)


def under_isolation(id_indexes: Iterable[bytes | str]) -> set[Any]:
    """Which of these blind indexes of ID numbers belong to someone under an active isolation order
    now (for other modules that know a person only by ID, e.g. welfare's campaigns). One query;
    nothing about the order itself leaves the module."""
    wanted = [value for value in id_indexes if value]
    if not wanted:
        return set()
    return set(
        IsolationOrder.objects.filter(status=OrderStatus.ACTIVE, key_person__person__id_index__in=wanted)
        .values_list("key_person__person__id_index", flat=True)
        .distinct()
    )
