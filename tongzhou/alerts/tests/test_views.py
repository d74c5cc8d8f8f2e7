"""The inbox page by persona: only the kinds one may see, inside one's places (404 outside, as for
an alert that does not exist), filters, closing from the list and from the alert's page, and a
query count that does not grow with the number of alerts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongzhou.alerts.models import Alert, AlertStatus
from tongzhou.alerts.tests.conftest import REVIEW


def test_staff_see_their_places_alerts_only(demo, client_as, raise_at):
    mine = raise_at("taian_compound")
    theirs = raise_at("songhua_compound")
    html = client_as("taian_staff").get(reverse("alerts:inbox")).content.decode()
    assert f'data-alert="{mine.pk}"' in html and f'data-alert="{theirs.pk}"' not in html
    assert "口罩 × 200" in html
    street = client_as("health_officer").get(reverse("alerts:inbox")).content.decode()
    assert f'data-alert="{mine.pk}"' in street and f'data-alert="{theirs.pk}"' in street


def test_another_communitys_alert_is_not_found_and_not_closed(demo, client_as, raise_at):
    theirs = raise_at("songhua_compound")
    taian = client_as("taian_staff")
    assert taian.get(reverse("alerts:detail", args=[theirs.pk])).status_code == 404
    assert taian.post(reverse("alerts:detail", args=[theirs.pk]), {"outcome": "restocked"}).status_code == 404
    assert taian.get(reverse("alerts:detail", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.closed_by) == (AlertStatus.OPEN, None)


@pytest.mark.parametrize("username", ["volunteer", "guard", "auditor", "building_lead", "outsider"])
def test_who_holds_no_alert_permission_has_no_inbox(demo, client_as, raise_at, username):
    alert = raise_at()
    client = client_as(username)
    assert client.get(reverse("alerts:inbox")).status_code == 404
    assert client.get(reverse("alerts:detail", args=[alert.pk])).status_code == 404
    assert client.post(reverse("alerts:detail", args=[alert.pk]), {"outcome": "restocked"}).status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_anonymous_visitors_go_to_log_in(demo, raise_at):
    alert = raise_at()
    for url in (reverse("alerts:inbox"), reverse("alerts:detail", args=[alert.pk])):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_closing_from_the_list_goes_back_to_the_list(demo, client_as, raise_at):
    alert = raise_at()
    staff = client_as("taian_staff")
    back = reverse("alerts:inbox") + "?kind=test.shortage"
    response = staff.post(reverse("alerts:detail", args=[alert.pk]), {"outcome": "restocked", "back": back})
    assert response.status_code == 302 and response["Location"] == back
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.closed_by) == (AlertStatus.CLOSED, "restocked", demo.taian_staff)
    assert f'data-alert="{alert.pk}"' not in staff.get(reverse("alerts:inbox")).content.decode()
    closed = staff.get(reverse("alerts:inbox"), {"status": "closed"}).content.decode()
    assert f'data-alert="{alert.pk}"' in closed and "Restocked" in closed


def test_the_alerts_page_names_a_bad_outcome_and_keeps_it_open(demo, client_as, raise_at):
    alert = raise_at()
    response = client_as("taian_staff").post(reverse("alerts:detail", args=[alert.pk]), {"outcome": "tested"})
    assert response.status_code == 200 and response.context["form"].errors["outcome"]
    response = client_as("taian_staff").post(reverse("alerts:detail", args=[alert.pk]), {"outcome": "other"})
    assert response.status_code == 200 and response.context["form"].errors["note"]
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_closing_from_the_list_without_an_outcome_says_so_on_the_list(demo, client_as, raise_at):
    alert = raise_at()
    staff = client_as("taian_staff")
    back = reverse("alerts:inbox")
    response = staff.post(
        reverse("alerts:detail", args=[alert.pk]),
        {"outcome": "", "back": back},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == back
    assert f"提醒 #{alert.pk} 未关闭：处置结果：" in html
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_who_may_see_but_not_close_gets_no_form_and_cannot_close(demo, client_as, raise_at):
    alert = raise_at(kind=REVIEW.key)
    staff = client_as("taian_staff")
    page = staff.get(reverse("alerts:detail", args=[alert.pk]))
    assert page.status_code == 200 and 'id="close-form"' not in page.content.decode()
    staff.post(reverse("alerts:detail", args=[alert.pk]), {"outcome": "done"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    client_as("health_officer").post(reverse("alerts:detail", args=[alert.pk]), {"outcome": "done"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED


def test_the_kind_filter(demo, client_as, raise_at):
    shortage = raise_at()
    review = raise_at(kind=REVIEW.key)
    html = client_as("health_officer").get(reverse("alerts:inbox"), {"kind": REVIEW.key}).content.decode()
    assert f'data-alert="{review.pk}"' in html and f'data-alert="{shortage.pk}"' not in html


def test_the_inbox_query_count_does_not_grow(demo, client_as, raise_at, django_assert_num_queries):
    officer = client_as("health_officer")
    raise_at(raised_by=demo.taian_staff)
    raise_at("songhua_compound", kind=REVIEW.key)
    with CaptureQueriesContext(connection) as few:
        assert officer.get(reverse("alerts:inbox"), {"status": "all"}).status_code == 200
    for n in range(30):
        raise_at("taian_compound" if n % 2 else "songhua", raised_by=demo.songhua_staff)
        raise_at("taian", kind=REVIEW.key)
    closed = Alert.objects.filter(kind=REVIEW.key)[:5]
    for alert in closed:
        Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.CLOSED, closed_by=demo.health_officer)
    with django_assert_num_queries(len(few.captured_queries)):
        response = officer.get(reverse("alerts:inbox"), {"status": "all"})
    assert len(response.context["rows"]) == 50
