"""Read-only welfare API: a plan's enrollment counts for the welfare officer of its place, and the
logged-in person's own enrollments and claims (their status, never anyone else's).

GET /api/v1/welfare/plans/{plan_id}/counts, /api/v1/welfare/me/enrollments,
/api/v1/welfare/me/claims[?status=]. Out of scope answers 404, bad parameters 422 (ErrorOut)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from tongzhou.accounts.access import ACCESS_ATTR, ScopedRequest, api_perm
from tongzhou.core.pagination import BoundedLimitOffset
from tongzhou.core.permissions import Perm
from tongzhou.welfare import selectors

router = Router(tags=["welfare"])


class OrganisationCount(Schema):
    organisation: str
    enrolled: int


class PlanCountsOut(Schema):
    plan_id: int
    name: str
    places_total: int
    places_taken: int
    places_left: int
    enrolled: int
    by_source: dict[str, int]
    by_organisation: list[OrganisationCount]


class EnrollmentOut(Schema):
    id: int
    plan_id: int
    plan: str
    sponsor: str
    covered_from: date
    covered_until: date
    post: str
    source: str


class ClaimOut(Schema):
    id: int
    plan: str
    coverage: str
    event_on: date
    amount: Decimal
    status: str
    status_label: str
    submitted_at: datetime
    updated_at: datetime


class ClaimFilter(Schema):
    status: Literal["submitted", "checked", "approved", "rejected", "paid"] | None = None


@router.get(
    "/plans/{plan_id}/counts",
    response=PlanCountsOut,
    url_name="welfare_plan_counts",
    summary="A protection plan's enrollment counts: places, by source and by member unit",
)
@api_perm(Perm.WELFARE_MANAGE)
def plan_counts(request: ScopedRequest, plan_id: int) -> dict[str, Any]:
    plan = selectors.get_plan_for_user(user=request.user, pk=plan_id)
    return {"plan_id": plan.pk, "name": plan.name, **selectors.plan_counts(plan)}


@router.get(
    "/me/enrollments",
    response=list[EnrollmentOut],
    url_name="welfare_my_enrollments",
    summary="My own enrollments in protection plans",
)
@paginate(BoundedLimitOffset)
def my_enrollments(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": e.pk,
            "plan_id": e.plan_id,
            "plan": e.plan.name,
            "sponsor": e.plan.sponsor.name,
            "covered_from": e.covered_from,
            "covered_until": e.plan.ends_on,
            "post": e.post_label,
            "source": e.source,
        }
        for e in selectors.my_enrollments(request.auth)  # type: ignore[attr-defined]
    ]


@router.get(
    "/me/claims",
    response=list[ClaimOut],
    url_name="welfare_my_claims",
    summary="My own claims and where each stands",
)
@paginate(BoundedLimitOffset)
def my_claims(request: HttpRequest, filters: Query[ClaimFilter]) -> list[dict[str, Any]]:
    rows = selectors.my_claims(request.auth)  # type: ignore[attr-defined]
    if filters.status:
        rows = rows.filter(status=filters.status)
    return [
        {
            "id": c.pk,
            "plan": c.enrollment.plan.name,
            "coverage": c.coverage,
            "event_on": c.event_on,
            "amount": c.amount,
            "status": c.status,
            "status_label": str(c.get_status_display()),
            "submitted_at": c.created_at,
            "updated_at": c.updated_at,
        }
        for c in rows
    ]


# Each is the caller's own, whatever their roles: any logged-in person (the API's own log-in).
for _endpoint in (my_enrollments, my_claims):
    setattr(_endpoint, ACCESS_ATTR, "logged-in")
