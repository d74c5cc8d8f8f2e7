"""The resident's help requests, through their personal link: ask, follow, confirm, rate."""

from django.test import Client
from django.urls import reverse

from tongzhou.assistance.models import HelpRequest, Purchase, Status
from tongzhou.assistance.services import help_request_claim, help_request_transition, purchase_add
from tongzhou.people.services import personal_link_token


class TestResidentLink:
    def test_files_follows_confirms_and_rates(self, demo, taian_person):
        client = Client()
        token = personal_link_token(taian_person)
        mine = reverse("portal:help", args=[token])
        response = client.post(mine, {"category": "medicine", "urgency": "urgent", "summary": "需要退烧药"})
        assert response.status_code == 302
        help_request = HelpRequest.objects.get(summary="需要退烧药")
        assert (help_request.person, help_request.source, help_request.created_by) == (taian_person, "link", None)

        help_request = help_request_claim(actor=demo.volunteer, help_request=help_request)
        help_request = help_request_transition(actor=demo.volunteer, help_request=help_request, to=Status.IN_PROGRESS)
        purchase = purchase_add(actor=demo.volunteer, help_request=help_request, items="布洛芬", amount="23.5")
        help_request_transition(actor=demo.volunteer, help_request=help_request, to=Status.DONE)

        detail = reverse("portal:help_request", args=[token, help_request.pk])
        html = client.get(detail).content.decode()
        assert 'id="confirm"' in html and "布洛芬" in html
        client.post(detail, {"action": "received", "purchase": purchase.pk})
        client.post(detail, {"action": "confirm"})
        client.post(detail, {"rating": "5", "comment": "谢谢志愿者"})
        help_request.refresh_from_db()
        assert (help_request.status, help_request.rating, help_request.feedback) == (Status.CONFIRMED, 5, "谢谢志愿者")
        assert Purchase.objects.get(pk=purchase.pk).received_at is not None

    def test_another_residents_request_is_404(self, demo, make_request, songhua_person):
        help_request = make_request()
        response = Client().get(
            reverse("portal:help_request", args=[personal_link_token(songhua_person), help_request.pk])
        )
        assert response.status_code == 404

    def test_a_forged_link_is_refused(self, demo, make_request):
        help_request = make_request()
        client = Client()
        assert client.get(reverse("portal:help", args=["forged"])).status_code == 404
        assert client.get(reverse("portal:help_request", args=["forged", help_request.pk])).status_code == 404
        before = HelpRequest.objects.count()
        client.post(reverse("portal:help", args=["forged"]), {"category": "other", "summary": "x"})
        assert HelpRequest.objects.count() == before

    def test_bad_input_names_the_field(self, demo, taian_person):
        response = Client().post(
            reverse("portal:help", args=[personal_link_token(taian_person)]),
            {"category": "other", "urgency": "normal", "summary": "长" * 10_000},
        )
        assert response.status_code == 200 and "summary" in response.context["form"].errors
