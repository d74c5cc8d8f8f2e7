"""The resident under isolation, through their personal link: orders, history, daily self check-in."""

from django.test import Client
from django.urls import reverse

from tongzhou.monitoring.models import HealthCheck
from tongzhou.people.services import personal_link_token


class TestResidentLink:
    def test_sees_their_order_and_history_and_checks_in(self, demo, make_order, taian_person):
        order = make_order()
        client = Client()
        url = reverse("portal:isolation", args=[personal_link_token(taian_person)])
        html = client.get(url).content.decode()
        assert 'id="my-order"' in html and "Ordered" in html
        response = client.post(url, {"temperature": "36.4", "needs": ["groceries"]})
        assert response.status_code == 302
        check = HealthCheck.objects.get(order=order)
        assert (check.method, check.checked_by) == ("self", None)

    def test_bad_input_names_the_field(self, demo, make_order, taian_person):
        make_order()
        response = Client().post(
            reverse("portal:isolation", args=[personal_link_token(taian_person)]), {"temperature": "3"}
        )
        assert response.status_code == 200 and "temperature" in response.context["form"].errors
        assert not HealthCheck.objects.exists()

    def test_forged_link(self, demo, make_order):
        make_order()
        assert Client().get(reverse("portal:isolation", args=["forged"])).status_code == 404
        assert Client().post(reverse("portal:isolation", args=["forged"]), {"temperature": "36.5"}).status_code == 404
        assert not HealthCheck.objects.exists()
