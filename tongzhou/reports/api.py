"""The daily report for a district's own system to pull: GET /api/v1/reports/daily/{place}/{date}."""

from datetime import date
from typing import Any

from ninja import Router, Schema

from tongzhou.accounts.access import ScopedRequest, api_perm
from tongzhou.core.db_router import replica_reads
from tongzhou.core.permissions import Perm
from tongzhou.reports.documents import report_json
from tongzhou.reports.selectors import daily_report, get_report_place_for_user

router = Router(tags=["reports"])


class PlaceRef(Schema):
    code: str | None
    name: str
    kind: str


class ChildOut(Schema):
    code: str | None
    name: str
    figures: dict[str, int | float | None]
    signed: bool


class DailyOut(Schema):
    place: PlaceRef
    day: date
    as_of: str | None
    communities: int
    figures: dict[str, int | float | None]
    adjusted: dict[str, int | float | None]
    not_reproducible: dict[str, str]
    flags: dict[str, str]
    children: list[ChildOut]
    version: int | None
    signed_at: str | None


@router.get(
    "/daily/{place}/{day}",
    response=DailyOut,
    summary="The daily report of a place (community, street, district, city) for a day",
    description="Figures are the sums of the place's communities' snapshots taken at the cut-off; "
    "`adjusted` are the figures with the place's own adjustments; `not_reproducible` names the "
    "figures a late run could not rebuild, with the reason. `place` is the official code.",
)
@replica_reads
@api_perm(Perm.REPORT_VIEW)
def daily(request: ScopedRequest, place: str, day: date) -> dict[str, Any]:
    found = get_report_place_for_user(user=request.user, code=place, perm=Perm.REPORT_VIEW)
    return report_json(daily_report(found, day))
