"""The resident's own tests through their personal link: sampled, the result, and the retest call."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongzhou.people.services import personal_link_token
from tongzhou.testing.models import Result, Tube
from tongzhou.testing.services import RoundData, TubeResult, results_record, round_advance, round_create, sample_take


def test_the_resident_sees_their_own_sample_result_and_recall(demo, taian_person):
    staff = demo.taian_staff
    today = timezone.localdate()
    data = RoundData(
        place=demo.places["taian_compound"],
        name="第一轮",
        starts_on=today,
        ends_on=today + timedelta(days=1),
        pool_size=5,
    )
    test_round = round_advance(actor=staff, test_round=round_create(actor=staff, data=data))
    url = reverse("portal:testing", args=[personal_link_token(taian_person)])
    html = Client().get(url).content.decode()
    assert "第一轮" in html and 'id="my-result"' not in html

    sample_take(actor=staff, test_round=test_round, person=taian_person, barcode="TZ-P1")
    html = Client().get(url).content.decode()
    assert 'id="my-result"' in html and 'id="retest-notice"' not in html

    results_record(actor=staff, results=[TubeResult(Tube.objects.get(barcode="TZ-P1"), Result.POSITIVE)])
    html = Client().get(url).content.decode()
    assert 'id="retest-notice"' in html
    assert Client().get(reverse("portal:testing", args=["not-a-token-at-all-xx"])).status_code == 404
