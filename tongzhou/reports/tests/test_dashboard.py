import json

import pytest
from django.test import Client
from django.urls import reverse

from tongzhou.places.models import Household, Place


def figures(client):
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    return response.context["figures"]


def test_counts_cover_only_the_users_places(demo, client_as):
    taian = demo.places["taian"]
    expected = Household.objects.filter(place__path__startswith=taian.path).count()
    assert figures(client_as("taian_staff"))["households"] == expected
    street = figures(client_as("street_admin"))["households"]
    assert street > expected


def test_chart_data_travels_as_json(demo, client_as):
    html = client_as("taian_staff").get(reverse("reports:dashboard")).content.decode()
    start = html.index('<script id="places-by-kind" type="application/json">') + len(
        '<script id="places-by-kind" type="application/json">'
    )
    option = json.loads(html[start : html.index("</script>", start)])
    assert option["series"][0]["type"] == "bar"
    assert sum(option["series"][0]["data"]) == Place.objects.filter(path__startswith=demo.places["taian"].path).count()


def test_query_count_does_not_grow(demo, client_as, django_assert_max_num_queries):
    client = client_as("street_admin")
    # Places and households, three for the help-request figures, three for the key persons', four
    # for the gates', three for the volunteers', four for the supplies' and one for the approvals
    # waiting, whatever the street's size.
    with django_assert_max_num_queries(26):
        figures(client)


@pytest.mark.parametrize("username", ["outsider"])
def test_no_role_no_dashboard(demo, client_as, username):
    assert client_as(username).get(reverse("reports:dashboard")).status_code == 404


def test_anonymous_goes_to_log_in(db):
    response = Client().get(reverse("reports:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
