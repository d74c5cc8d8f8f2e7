"""Welfare's figures of the daily report (tongzhou/welfare/figures.py): people covered, claims
filed, waiting and paid with the amount, visits done and due; each drill-down lists the rows it
counted, and a claim's drill-down shows no health data."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tongzhou.core.figures import Day, figure
from tongzhou.reports.models import Snapshot
from tongzhou.reports.services import snapshot_day
from tongzhou.welfare.models import ClaimStatus, Enrollment, Visit
from tongzhou.welfare.services.campaigns import campaign_create, visit_record
from tongzhou.welfare.services.claims import ClaimData, claim_file, claim_move
from tongzhou.welfare.services.plans import gift_request_create, gift_request_decide

KEYS = (
    "welfare_covered",
    "claims_filed",
    "claims_waiting",
    "claims_approved",
    "claims_rejected",
    "claims_paid",
    "claims_paid_yuan",
    "visits_done",
    "visits_due",
)


@pytest.fixture
def enrolled(make_plan: Any, make_worker: Any, officers: Any) -> list[Enrollment]:
    """Two gate guards gifted places in a plan, with the waiting period behind them."""
    plan = make_plan(waiting_days=7)
    workers = [make_worker("门卫甲", hours=48), make_worker("门卫乙", hours=24)]
    gift = gift_request_create(actor=officers["taian_welfare"], plan=plan, volunteers=workers)
    gift_request_decide(actor=officers["taian_welfare2"], gift=gift, approve=True)
    Enrollment.objects.update(covered_from=timezone.localdate() - timedelta(days=5))
    return list(Enrollment.objects.order_by("pk"))


def _claim(enrollment: Enrollment, amount: str) -> ClaimData:
    return ClaimData(
        coverage="accident",
        event_on=timezone.localdate() - timedelta(days=1),
        description="夜班摔伤",
        amount=Decimal(amount),
    )


def test_welfare_figures_count_and_drill_down_the_same_rows(
    demo: Any, enrolled: list[Enrollment], officers: Any, union: Any, settings: Any
) -> None:
    settings.TONGZHOU_REPORT_CUTOFF = "23:59"
    officer = officers["taian_welfare"]
    paid = claim_file(actor=officer, enrollment=enrolled[0], data=_claim(enrolled[0], "800.50"))
    for to in (ClaimStatus.CHECKED, ClaimStatus.APPROVED, ClaimStatus.PAID):
        paid = claim_move(actor=officer, claim=paid, to=to)
    claim_file(actor=officer, enrollment=enrolled[1], data=_claim(enrolled[1], "300"))
    campaign = campaign_create(
        actor=officer,
        place=demo.places["taian"],
        name="春节慰问门岗",
        organisation=union,
        targets=[(e.volunteer, 2) for e in enrolled],
    )
    visit_record(
        actor=officer, visit=Visit.objects.filter(campaign=campaign).order_by("pk").first(), visited_by="王主任"
    )

    today = timezone.localdate()
    snapshot_day(day=today)
    values = Snapshot.objects.get(day=today, place=demo.places["taian"]).values
    assert [values[k] for k in KEYS] == [2, 2, 1, 1, 0, 1, 800.5, 1, 1]
    for key in KEYS:
        fig = figure(key)
        assert fig is not None
        rows = list(fig.drill(Day.of(today), demo.places["er_ge"].path))
        assert sum(fig.value_of(r) for r in rows) == pytest.approx(values[key]), key
        text = " ".join(str(c.value(r)) for r in rows for c in fig.columns)
        assert "夜班摔伤" not in text and "门卫甲" not in text  # no health data, names masked
    # 松花巷 has none of it: the figures are its own rows, not the street's.
    assert all(not Snapshot.objects.get(day=today, place=demo.places["songhua"]).values[k] for k in KEYS)
    # A late run for yesterday rebuilds the dated figures (nothing then) and names the one it cannot.
    yesterday = today - timedelta(days=1)
    snapshot_day(day=yesterday)
    late = Snapshot.objects.get(day=yesterday, place=demo.places["taian"])
    assert late.values["claims_paid"] == 0 and late.values["welfare_covered"] == 0  # enrolled today
    assert "claims_waiting" in late.missing and "claims_paid" not in late.missing
