"""In a real browser (Debian's chromium through Playwright): log in as 泰安巷 staff on a phone-sized
screen, walk the place tree down to a household, switch to English and back."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.expected_errors = []  # substrings of errors a test causes on purpose
    yield page
    context.close()
    unexpected = [e for e in errors if not any(expected in e for expected in page.expected_errors)]
    assert unexpected == [], f"the browser reported errors: {unexpected}"


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "tongzhou-demo")
    page.click("button[type=submit].btn-lg")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # each role lands where its work is


def test_walk_the_tree_to_a_household_and_switch_language(demo, page):
    log_in(page, "taian_staff")
    assert page.locator("h1").inner_text() == "工作台"
    assert page.locator("canvas").count() >= 1  # the ECharts chart drew

    # Phone layout: the menu sits behind the toggler.
    page.click(".navbar-toggler")
    page.click("text=地点")
    assert page.locator("#place-name").inner_text() == "泰安巷社区居民委员会"
    assert "松花巷" not in page.content()

    page.click("#children >> text=第一网格")
    page.click("#children >> text=泰安巷3号院")
    page.click("#children >> text=1栋")
    page.click("#children >> text=1单元")
    breadcrumb = page.locator(".breadcrumb").inner_text()
    for name in ("二戈街道", "泰安巷社区居民委员会", "第一网格", "泰安巷3号院", "1栋", "1单元"):
        assert name in breadcrumb
    page.click("#households >> text=701")
    assert page.locator("#household-title").inner_text() == "701户"

    page.click(".navbar-toggler")
    # The menu slides open first (a click during the slide can miss under load).
    page.wait_for_selector(".navbar-collapse.show button[data-language=en]")
    # The switch posts a form and reloads: wait for the new page, not the old one still showing.
    page.click("button[data-language=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("#household-title").inner_text() == "Household 701"
    assert page.locator("html").get_attribute("lang") == "en"

    page.click(".navbar-toggler")
    page.wait_for_selector(".navbar-collapse.show button[data-language=zh-hans]")
    page.click("button[data-language=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.locator("#household-title").inner_text() == "701户"

    # The breadcrumb leads back up, to the community but no further than the user's scope.
    page.click(".breadcrumb >> text=泰安巷社区居民委员会")
    assert page.locator("#place-name").inner_text() == "泰安巷社区居民委员会"
    assert page.locator(".breadcrumb a", has_text="二戈街道").count() == 0


def test_songhua_page_is_not_found_for_taian_staff(demo, page):
    log_in(page, "taian_staff")
    # The browser logs the 404 of the page itself, at a moment of its choosing.
    page.expected_errors.append("the server responded with a status of 404")
    response = page.goto(f"/places/{demo.places['songhua'].pk}/")
    assert response.status == 404
