"""In a real browser on a phone: the guard scans online, the network is cut, two more scans are
decided offline from the cached passes and queued, the network returns and the queue syncs, once;
then, offline again, the page itself opens from the service worker's cache."""

import pytest

from tongzhou.alerts.models import Alert
from tongzhou.checkpoints.models import Passage
from tongzhou.checkpoints.services import pass_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "tongzhou-demo")
    page.click("button[type=submit].btn-lg")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # each role lands where its work is


def scan(page, token, temperature, direction="in"):
    page.fill("#token", token)
    page.fill("#temperature", temperature)
    page.click(f"label[for=dir-{direction}]")
    page.click("#check")
    page.wait_for_selector("#answer:not(.d-none)")
    answer = (page.get_attribute("#answer", "class"), page.get_attribute("#answer", "data-reason"))
    page.click("#answer-next")
    return answer


def test_scanning_offline_queues_and_syncs_once(demo, new_page, gate, passes):
    page = new_page()
    log_in(page, "guard")
    page.goto(f"/checkpoints/gates/{gate.pk}/scan/")
    page.wait_for_selector(f'#cache-status[data-count="{len(passes)}"]')
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    classes, reason = scan(page, pass_token(passes[0]), "36.5")
    assert "allowed" in classes and reason == "ok"
    assert Passage.objects.count() == 1

    page.context.set_offline(True)
    classes, reason = scan(page, pass_token(passes[1]), "38.0")
    assert "refused" in classes and reason == "fever"
    classes, reason = scan(page, pass_token(passes[2]), "36.6", direction="out")
    assert "allowed" in classes and reason == "ok"
    classes, reason = scan(page, "TZP1.made-up:code", "36.6")
    assert "refused" in classes and reason == "unknown"
    page.wait_for_selector('#queue-status[data-count="3"]')
    assert Passage.objects.count() == 1  # nothing reached the server

    # Back online, the page syncs on its 'online' event, or else on the button (Chromium does not
    # always fire the event when the network is only emulated).
    with page.expect_request(lambda r: r.url.endswith("/passages/batch")) as sent:
        page.context.set_offline(False)
        page.click("#sync-now")
    page.wait_for_selector('#queue-status[data-count="0"]', state="attached")
    assert Passage.objects.count() == 4
    stored = {p.reason: p for p in Passage.objects.exclude(offline_allowed=None)}
    assert set(stored) == {"fever", "ok", "forged"}
    assert stored["fever"].offline_allowed is False and stored["ok"].offline_allowed is True
    assert Alert.objects.count() == 1
    assert Passage.objects.values("client_uuid").distinct().count() == 4

    # The answer to a sync was lost on the way back: the page sends the same batch again.
    replayed = page.evaluate(
        """([url, body]) => fetch(url, {
            method: "POST",
            headers: {"Content-Type": "application/json",
                      "X-CSRFToken": JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]},
            body,
        }).then(r => r.json()).then(b => b.results.map(r => r.replayed))""",
        [sent.value.url, sent.value.post_data],
    )
    assert replayed == [True, True, True]
    assert Passage.objects.count() == 4 and Alert.objects.count() == 1

    # The page itself opens offline, from the service worker's cache, with its passes.
    page.wait_for_function(
        "caches.open('tongzhou-offline-v1').then(c => c.match(location.pathname)).then(r => !!r)", polling=200
    )
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector(f'#cache-status[data-count="{len(passes)}"]')
    classes, reason = scan(page, pass_token(passes[3]), "36.4")
    assert "allowed" in classes and reason == "ok"
    page.wait_for_selector('#queue-status[data-count="1"]')
    page.context.set_offline(False)
    # Back online, the queued scan goes up by itself; the test ends only when it has (a request
    # still in flight would meet the next test's flush of the database).
    page.wait_for_selector('#queue-status[data-count="0"]', state="attached")
    assert Passage.objects.count() == 5
