"""The passage log and the control levels fit a phone (390 px) in both languages, with styled
filters; the passage log names the person passing (通行人), not an operator (操作人)."""

import pytest

from tongzhou.checkpoints.services import parse_item, passages_record
from tongzhou.checkpoints.tests.conftest import item
from tongzhou.checkpoints.tests.test_browser_scan import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_passage_log_and_the_levels_fit_a_phone(demo, new_page, live_server, gate, token, language):
    items = [parse_item(item(token, direction="in")), parse_item(item(token, temperature=38.0))]
    passages_record(gate=gate, items=items, actor=demo.guard)
    page = new_page()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    log_in(page, "taian_staff")
    for url in ("/checkpoints/passages/", "/checkpoints/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    page.goto("/checkpoints/passages/")
    assert "form-select" in (page.get_attribute("#id_gate", "class") or "")
    assert "form-control" in (page.get_attribute("#id_q", "class") or "")
    header = page.inner_text("#passages thead")
    assert ("通行人" in header and "操作人" not in header) if language == "zh-hans" else "Who" in header
    # The gate is named in every row even where its own column is hidden.
    assert page.locator("#passages tbody tr").first.inner_text().count(gate.name) >= 1
