"""Reads of help requests, scoped by place path; each list is one query."""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import scope_for
from tongzhou.assistance.models import OPEN_STATUSES, Category, HelpEvent, HelpRequest, Purchase, Status
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import blind_index_candidates
from tongzhou.core.scope import Scope
from tongzhou.people.models import Person

# Statuses the assignee is working on ("my jobs").
WORKING = (Status.ASSIGNED, Status.IN_PROGRESS, Status.CALL_BACK, Status.WAITING)
AGE_BUCKETS: list[tuple[str, timedelta | None]] = [
    ("under_4h", timedelta(hours=4)),
    ("under_1d", timedelta(days=1)),
    ("under_3d", timedelta(days=3)),
    ("older", None),
]


def _listed(queryset: QuerySet[HelpRequest]) -> QuerySet[HelpRequest]:
    return queryset.select_related("household__place__parent", "assignee")


def open_requests(scope: Scope, *, category: str = "") -> QuerySet[HelpRequest]:
    """New requests in the area, soonest due first: what volunteers may take."""
    queryset = HelpRequest.objects.filter(scope.q("place_path"), status=Status.NEW)
    if category:
        queryset = queryset.filter(category=category)
    return _listed(queryset).order_by("due_at", "id")


def caller_matches(scope: Scope, last4: str, limit: int = 20) -> list[Person]:
    """Current residents in scope whose phone ends with `last4`, with their household: who may be
    on the line. At most `limit`."""
    return list(
        Person.objects.filter(
            scope.q("place_path"), phone_last4=last4, moved_out_on__isnull=True, merged_into__isnull=True
        ).select_related("household")[:limit]
    )


def my_jobs(user: User) -> QuerySet[HelpRequest]:
    return _listed(HelpRequest.objects.filter(assignee=user, status__in=WORKING)).order_by("due_at", "id")


def desk_requests(
    scope: Scope, *, status: str = "", category: str = "", overdue: bool = False, now: datetime | None = None
) -> QuerySet[HelpRequest]:
    """Every request in the area for the desk, filtered; overdue = open and past the due time."""
    queryset = HelpRequest.objects.filter(scope.q("place_path"))
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(category=category)
    if overdue:
        queryset = queryset.filter(status__in=OPEN_STATUSES, due_at__lt=now or timezone.now())
    return _listed(queryset).order_by("due_at", "id")


def open_by_category_and_age(scope: Scope, now: datetime | None = None) -> list[dict[str, Any]]:
    """Open requests per category, counted by how long they have waited. One query."""
    now = now or timezone.now()
    buckets: dict[str, Any] = {}
    lower = now
    for name, age in AGE_BUCKETS:
        if age is None:
            buckets[name] = Count("id", filter=Q(created_at__lte=lower))
        else:
            buckets[name] = Count("id", filter=Q(created_at__lte=lower, created_at__gt=now - age))
            lower = now - age
    rows = (
        HelpRequest.objects.filter(scope.q("place_path"), status__in=OPEN_STATUSES)
        .values("category")
        .annotate(total=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)), **buckets)
        .order_by()
    )
    by_category = {row["category"]: row for row in rows}
    return [
        {"category": category, "label": label, **by_category[category]}
        for category, label in Category.choices
        if category in by_category
    ]


@dataclass
class Visible:
    help_request: HelpRequest
    # Address, phone and full name are shown to the assignee and the desk only.
    full: bool
    manages: bool


def visible_request(user: User, pk: int) -> Visible:
    """The request as `user` may see it, or 404: the desk of its area and its assignee see it in
    full; others who may take requests there see it masked while it is new."""
    help_request = (
        HelpRequest.objects.select_related("household__place__parent", "person", "assignee", "created_by")
        .filter(pk=pk)
        .first()
    )
    if help_request is None:
        raise Http404
    manages = scope_for(user, Perm.HELP_MANAGE).contains(help_request.place_path)
    if manages or help_request.assignee_id == user.pk:
        return Visible(help_request, full=True, manages=manages)
    if help_request.status == Status.NEW and scope_for(user, Perm.HELP_CLAIM).contains(help_request.place_path):
        return Visible(help_request, full=False, manages=False)
    raise Http404


def events_of(help_request: HelpRequest) -> QuerySet[HelpEvent]:
    return help_request.events.order_by("created_at", "id")


def purchases_of(help_request: HelpRequest) -> QuerySet[Purchase]:
    return help_request.purchases.select_related("bought_by").defer("receipt").order_by("created_at", "id")


def requests_of_person(person: Person) -> QuerySet[HelpRequest]:
    return HelpRequest.objects.filter(person=person).order_by("-created_at", "-id")


def help_figures(scope: Scope, now: datetime | None = None) -> dict[str, Any]:
    """The dashboard's help-request counts for the area: open and overdue now, opened and closed
    today, the median time to close over 30 days, and per category over 30 days (chart)."""
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    month = now - timedelta(days=30)
    in_scope = HelpRequest.objects.filter(scope.q("place_path"))
    totals = in_scope.aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
        opened_today=Count("id", filter=Q(created_at__gte=today)),
        closed_today=Count("id", filter=Q(done_at__gte=today)),
    )
    durations = [
        (done - created).total_seconds() / 3600
        for created, done in in_scope.filter(done_at__gte=month).values_list("created_at", "done_at")
        if done is not None
    ]
    per_category = {
        row["category"]: row
        for row in in_scope.filter(Q(created_at__gte=month) | Q(done_at__gte=month))
        .values("category")
        .annotate(
            opened=Count("id", filter=Q(created_at__gte=month)),
            closed=Count("id", filter=Q(done_at__gte=month)),
        )
        .order_by()
    }
    categories = [(c, label) for c, label in Category.choices if c in per_category]
    median = statistics.median(durations) if durations else None
    return {
        **totals,
        # Minutes too: requests done within the hour read "12 min", not "0.0 h".
        "median_hours": median,
        "median_minutes": max(1, round(median * 60)) if median is not None else None,
        "chart": {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            # containLabel: the grid makes room for the rotated category names (none is clipped).
            "grid": {"left": 30, "right": 10, "top": 30, "bottom": 10, "containLabel": True},
            "xAxis": {
                "type": "category",
                "data": [str(label) for _c, label in categories],
                "axisLabel": {"interval": 0, "rotate": 30, "width": 80, "overflow": "truncate"},
            },
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {
                    "name": _("opened"),
                    "type": "bar",
                    "data": [per_category[c]["opened"] for c, _l in categories],
                    "itemStyle": {"color": "#c0392b"},
                },
                {
                    "name": _("closed"),
                    "type": "bar",
                    "data": [per_category[c]["closed"] for c, _l in categories],
                    "itemStyle": {"color": "#27ae60"},
                },
            ],
        },
    }


def requests_of_id_number(id_number: str, limit: int = 10) -> list[HelpRequest]:
    """The help requests of whoever holds this ID number in the register (offered as a claim's
    evidence), newest first; one query."""
    if not id_number:
        return []
    return list(
        HelpRequest.objects.filter(person__id_index__in=blind_index_candidates(id_number)).order_by(
            "-created_at", "-id"
        )[:limit]
    )


def may_open_request(user: User, help_request: HelpRequest) -> bool:
    """Whether `user` may open the request's page (`assistance:detail`): it asks HELP_CLAIM
    somewhere and `visible_request` there."""
    if scope_for(user, Perm.HELP_CLAIM).is_empty:
        return False
    try:
        visible_request(user, help_request.pk)
    except Http404:
        return False
    return True
