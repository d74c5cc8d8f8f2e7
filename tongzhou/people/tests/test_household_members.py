"""The residents of a household, shown on the places module's household page through the people
module's include (the places module does not import people)."""

from django.urls import reverse

from tongzhou.people.models import Person


def _household_with_residents(demo):
    person = Person.objects.filter(
        place_path__startswith=demo.places["taian"].path, moved_out_on__isnull=True, merged_into__isnull=True
    ).first()
    assert person is not None
    return person.household, person


def test_staff_who_may_see_residents_see_them_on_the_household_page(demo, client_as):
    household, person = _household_with_residents(demo)
    html = client_as("taian_staff").get(reverse("places:household", args=[household.pk])).content.decode()
    assert 'id="members"' in html
    assert person.name in html
    assert reverse("people:detail", args=[person.pk]) in html


def test_a_user_without_the_residents_permission_sees_the_household_only(demo, client_as):
    household, person = _household_with_residents(demo)
    response = client_as("volunteer").get(reverse("places:household", args=[household.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="household-title"' in html
    assert 'id="members"' not in html
    assert person.name not in html
