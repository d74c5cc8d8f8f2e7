"""Supplies and the median on the daily report: stock and issued per key item are sums of ledger
entries (the drill-down lists them), days left is derived from the two at every level, a past
day's stock is rebuilt from the entries up to its cut-off, and the median time to done is read
from the summed buckets. The drill-down explains its figure in Chinese."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tongzhou.core.figures import Day, figure, ratios
from tongzhou.reports.models import Snapshot
from tongzhou.reports.selectors import daily_report
from tongzhou.reports.services import snapshot_day
from tongzhou.supplies.models import ItemKind, StoreKind
from tongzhou.supplies.services.catalogue import item_create, store_create
from tongzhou.supplies.services.ledger import entry_reverse, stock_issue, stock_receive


def _url(place: Any, suffix: str = "") -> str:
    return f"/dashboard/daily/{place.code}/{timezone.localdate().isoformat()}/{suffix}"


def test_stock_issued_and_days_left_from_the_ledger(demo: Any, settings: Any) -> None:
    settings.TONGZHOU_REPORT_CUTOFF = "23:59"
    taian, songhua, street = demo.places["taian"], demo.places["songhua"], demo.places["er_ge"]
    mask = item_create(actor=None, name="医用外科口罩", kind=ItemKind.MASK, unit="只")
    room = store_create(actor=None, place=taian, name="泰安巷库房", kind=StoreKind.STOREROOM)
    other = store_create(actor=None, place=songhua, name="松花巷库房", kind=StoreKind.STOREROOM)
    warehouse = store_create(actor=None, place=street, name="街道仓库", kind=StoreKind.WAREHOUSE)
    stock_receive(actor=None, store=room, item=mask, quantity=1000)
    stock_receive(actor=None, store=other, item=mask, quantity=200)
    stock_receive(actor=None, store=warehouse, item=mask, quantity=5000)
    stock_issue(actor=None, store=room, item=mask, quantity=300)
    mistake = stock_issue(actor=None, store=room, item=mask, quantity=50)
    entry_reverse(actor=None, entry=mistake[0])
    stock_issue(actor=None, store=other, item=mask, quantity=70)
    today = timezone.localdate()
    snapshot_day(day=today)
    values = Snapshot.objects.get(day=today, place=taian).values
    assert (values["stock_mask"], values["issued_mask"]) == (700, 300)  # the reversed issue is net out
    stock, issued = figure("stock_mask"), figure("issued_mask")
    assert stock is not None and issued is not None
    rows = list(stock.drill(Day.of(today), taian.path))
    assert len(rows) == 4 and sum(stock.value_of(r) for r in rows) == 700
    assert sum(issued.value_of(r) for r in issued.drill(Day.of(today), taian.path)) == 300
    days_left = next(r for r in ratios() if r.key == "days_left_mask")
    assert days_left.of(values) == round(7 * 700 / 300, 1)
    # The street's days left is its own stock over its own use, not a sum of days; its warehouse is
    # under no community, so it is not in the sums (which are the communities' by construction).
    line = next(x for x in daily_report(street, today).lines if x.key == "days_left_mask")
    assert line.value == round(7 * (700 + 130) / (300 + 70), 1) and str(line.suffix).strip()
    # Yesterday nothing had arrived: a late run rebuilds that from the ledger, and says nothing is missing.
    yesterday = today - timedelta(days=1)
    snapshot_day(day=yesterday)
    late = Snapshot.objects.get(day=yesterday, place=taian)
    assert late.late and late.values["stock_mask"] == 0 and "stock_mask" not in late.missing


def test_the_median_time_to_done_is_on_the_report_and_the_drill_down_is_in_chinese(
    demo: Any, client_as: Any, settings: Any
) -> None:
    settings.TONGZHOU_REPORT_CUTOFF = "23:59"
    snapshot_day(day=timezone.localdate())
    client = client_as("street_admin")
    page = client.get(_url(demo.places["er_ge"]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="line-help_median_hours"' in page and "办结用时中位数" in page
    assert 'id="line-help_done_hours_0"' in page and "0–1 小时办结" in page
    drill = client.get(_url(demo.places["taian"], "figure/help_done_hours_0/"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert drill.status_code == 200
    assert "按登记到办结的小时数分组" in drill.content.decode()
    english = client.get(_url(demo.places["taian"], "figure/help_done_hours_0/"), HTTP_ACCEPT_LANGUAGE="en")
    assert "by the hours from being recorded to done" in english.content.decode()
