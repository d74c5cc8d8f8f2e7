"""On a phone (390 px): 泰安巷 signs its daily report; the street sees it signed, drills into a
figure, and downloads the .xlsx, which opens with the numbers on the page."""

import io

import openpyxl
import pytest
from django.utils import timezone

from tongzhou.reports.services import snapshot_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "tongzhou-demo")
    page.press("#id_password", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_the_community_signs_and_the_street_checks_and_downloads(demo, new_page):
    day = timezone.localdate().isoformat()
    snapshot_day(day=timezone.localdate())
    taian, er_ge = demo.places["taian"], demo.places["er_ge"]

    community = new_page()
    log_in(community, "taian_staff")
    community.goto(f"/dashboard/daily/{taian.code}/{day}/")
    assert community.evaluate("document.documentElement.scrollWidth") <= 390
    community.click("#sign-button")
    community.wait_for_selector("#signed-badge")

    street = new_page()
    log_in(street, "street_admin")
    street.goto(f"/dashboard/daily/{er_ge.code}/{day}/")
    assert street.evaluate("document.documentElement.scrollWidth") <= 390
    assert street.locator(f"#child-{taian.code} .child-signed").is_visible()
    residents = int(street.locator("#line-residents .figure-value").inner_text())
    assert residents > 0

    street.click("#line-residents .figure-value")
    street.wait_for_selector("#drill-rows")
    assert street.locator("#drill-rows tbody tr").count() == min(residents, 200)
    assert street.evaluate("document.documentElement.scrollWidth") <= 390

    street.goto(f"/dashboard/daily/{er_ge.code}/{day}/")
    with street.expect_download() as info:
        street.click("#download-xlsx")
    path = info.value.path()
    with open(path, "rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    column = 1 + [line for line in rows[1][1:]].index(
        next(h for h in rows[1][1:] if "居民" in str(h) or h == "Residents")
    )
    assert rows[-1][column] == residents
    assert sum(r[column] for r in rows[2:-1]) == residents
