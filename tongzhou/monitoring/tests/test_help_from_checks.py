"""A daily check's needs become help requests that carry the need only: the volunteer or building
lead who takes one learns nothing of the isolation, the temperature, the symptoms or the notes;
the link back to the check is for health roles."""

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tongzhou.assistance.models import HelpRequest, Source
from tongzhou.monitoring.models import CheckMethod
from tongzhou.monitoring.services import CheckData, check_record

NOTE = "电话随访，自述咳嗽，要布洛芬"
# Words of the check (and of the order behind it) in both languages.
CHECK_WORDS = (
    "37.8",
    "咳嗽",
    "Cough",
    "cough",
    "发热",
    "Fever",
    "自述",
    "布洛芬",
    "隔离",
    "isolation",
    "健康监测",
    "health check",
    "体温",
    "°C",
    "monitoring",
)


@pytest.fixture(autouse=True)
def _no_language_leak() -> Iterator[None]:
    """The requests here activate zh-hans in this thread: give the next test its language back."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def check_with_needs(demo, make_order):
    order = make_order()
    return check_record(
        actor=demo.taian_staff,
        order=order,
        data=CheckData(temperature="37.8", symptoms=["cough", "fever"], needs=["medicine"], notes=NOTE),
        method=CheckMethod.PHONE,
    )


def _pages(client: Client, help_request: HelpRequest, language: str) -> dict[str, str]:
    def get(url: str) -> str:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        return response.content.decode()

    return {
        "list": get(reverse("assistance:jobs")),
        "detail": get(reverse("assistance:detail", args=[help_request.pk])),
    }


def _assert_clean(pages: dict[str, str], help_request: HelpRequest) -> None:
    for name, html in pages.items():
        assert f"#{help_request.pk}" in html, name  # the page does show the request
        for word in CHECK_WORDS:
            assert word not in html, (name, word)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("username", ["volunteer", "building_lead"])
def test_the_taker_sees_the_need_and_nothing_of_the_check(demo, client_as, check_with_needs, username, language):
    help_request = HelpRequest.objects.get(source=Source.HEALTH_CHECK)
    assert help_request.category == "medicine"
    for word in CHECK_WORDS:
        assert word not in help_request.summary
    client = client_as(username)
    _assert_clean(_pages(client, help_request, language), help_request)  # open, masked

    assert client.post(reverse("assistance:claim", args=[help_request.pk])).status_code == 302
    help_request.refresh_from_db()
    assert help_request.assignee == demo.users[username]
    pages = _pages(client, help_request, language)  # taken: mine, in full
    assert f'data-request="{help_request.pk}"' in pages["list"].split('id="open-requests"')[0]
    _assert_clean(pages, help_request)
    assert 'id="source"' in pages["detail"]
    assert reverse("monitoring:check", args=[check_with_needs.pk]) not in pages["detail"]
    assert client.get(reverse("monitoring:check", args=[check_with_needs.pk])).status_code == 404


def test_health_roles_follow_the_link_back_to_the_check(demo, client_as, check_with_needs):
    help_request = HelpRequest.objects.get(source=Source.HEALTH_CHECK)
    url = reverse("monitoring:check", args=[check_with_needs.pk])
    for username in ("taian_staff", "health_officer"):
        client = client_as(username)
        detail = client.get(reverse("assistance:detail", args=[help_request.pk]))
        if detail.status_code == 200:  # the desk sees the request; the link is theirs
            assert url in detail.content.decode()
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].endswith(
            reverse("monitoring:order", args=[check_with_needs.order_id]) + f"#check-{check_with_needs.pk}"
        )
    assert client_as("songhua_staff").get(url).status_code == 404
