"""In a real browser on a phone (390 px): staff text a building its slot, a volunteer opens the
building's list and samples three residents into one tube with the network cut, the queue syncs
once back online, the lab's file has that tube positive, and the round page shows the recall and
the untested list shrunk by three."""

import io

import openpyxl
import pytest

from tongzhou.testing.models import Recall, Sample, Tube
from tongzhou.testing.selectors import untested_by_building

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "tongzhou-demo")
    page.click("button[type=submit].btn-lg")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def result_file(barcode, result):
    book = openpyxl.Workbook()
    book.active.append(["管码", "结果", "Ct值", "检测时间"])
    book.active.append([barcode, result, "30.1", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_sampling_offline_then_a_positive_tube_recalls_and_the_list_shrinks(demo, new_page, make_round):
    test_round = make_round()
    building = next(b for b in untested_by_building(test_round) if b.is_building and b.eligible >= 3)
    staff = new_page()
    log_in(staff, "taian_staff")
    staff.goto(f"/testing/{test_round.pk}/")
    untested_before = int(staff.inner_text("#untested-total"))
    staff.click("#notify")
    staff.wait_for_selector(".alert-success")
    assert staff.evaluate("document.documentElement.scrollWidth") <= 390

    phone = new_page()
    log_in(phone, "volunteer")
    phone.goto(f"/testing/{test_round.pk}/sample/?place={building.place_id}")
    phone.wait_for_selector("#net-status.text-bg-success")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.fill("#tube", "TZ-PHONE1")
    phone.context.set_offline(True)
    rows = phone.locator("#matches li[data-person]")
    people = [int(rows.nth(i).get_attribute("data-person")) for i in range(3)]
    for person in people:
        phone.click(f'#matches li[data-person="{person}"] button[type=submit]')
        phone.wait_for_selector(f'#matches li[data-person="{person}"] .sample-note[data-state="queued"]')
    phone.wait_for_selector('#queue-status[data-count="3"]')
    assert phone.inner_text("#tube-count") == "3 / 10"
    assert not Sample.objects.exists()  # nothing reached the server

    with phone.expect_request(lambda r: r.url.endswith("/samples/batch")):
        phone.context.set_offline(False)
        phone.click("#sync-now")
    phone.wait_for_selector('#queue-status[data-count="0"]', state="attached")
    phone.wait_for_selector(f'#matches li[data-person="{people[2]}"] .sample-note[data-state="stored"]')
    tube = Tube.objects.get(barcode="TZ-PHONE1")
    assert tube.filled == 3 and set(tube.samples.values_list("person_id", flat=True)) == set(people)

    staff.goto(f"/testing/{test_round.pk}/")
    assert int(staff.inner_text("#untested-total")) == untested_before - 3
    staff.goto(f"/testing/{test_round.pk}/results/")
    staff.set_input_files(
        "#id_file",
        files=[
            {
                "name": "结果.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": result_file("TZ-PHONE1", "阳性"),
            }
        ],
    )
    staff.click("main button[type=submit]")
    staff.click("#import-confirm")
    staff.wait_for_selector("#import-status:has-text('已导入')")
    assert set(Recall.objects.values_list("person_id", flat=True)) == set(people)

    health = new_page()
    log_in(health, "health_officer")
    health.goto(f"/testing/{test_round.pk}/")
    assert health.locator("#recalls li").count() == 3
    assert "TZ-PHONE1" in health.inner_text("#recalls")
    assert int(health.inner_text("#untested-total")) == untested_before - 3
    assert health.evaluate("document.documentElement.scrollWidth") <= 390
