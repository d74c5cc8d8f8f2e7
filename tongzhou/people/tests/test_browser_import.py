"""In a real browser: 泰安巷 staff download nothing, upload a register with one bad row, read the
preview, import the good rows, and find the new resident."""

import pytest

from tongzhou.people.models import Person
from tongzhou.people.tests.factories import row, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def test_upload_preview_and_import(demo, page):
    page.goto("/accounts/login/")
    page.fill("#id_username", "taian_staff")
    page.fill("#id_password", "tongzhou-demo")
    page.click("button[type=submit].btn-lg")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # each role lands where its work is

    page.goto("/residents/import/")
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "居民.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": xlsx([row(0, 姓名="测试甲"), row(1, 姓名="测试乙", 房号="9999")]),
            }
        ],
    )
    page.select_option("#id_place", label="泰安巷社区居民委员会")
    page.click("main button[type=submit]")

    page.wait_for_selector("#import-summary")
    assert "共 2 行：正确 1 行，有错 1 行。" in page.inner_text("#import-summary")
    errors = page.inner_text("#import-errors")
    assert "房号" in errors and "9999" in errors

    page.click("#import-confirm")
    page.wait_for_selector("#import-status:has-text('已导入')")
    assert "已导入 1 名居民。" in page.inner_text("#import-summary")
    assert Person.objects.filter(name="测试甲").exists()
    assert not Person.objects.filter(name="测试乙").exists()

    page.goto("/residents/?q=测试甲")
    page.click("#register >> text=测试甲")
    assert page.inner_text("#person-name") == "测试甲"
