import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongzhou.accounts.audit import AccountsAudit
from tongzhou.core.audit import CoreAudit
from tongzhou.core.imports.models import ImportJob
from tongzhou.core.models import AuditEvent
from tongzhou.people.audit import PeopleAudit
from tongzhou.people.models import Person
from tongzhou.people.tests.factories import row, xlsx


@pytest.fixture
def taian_person(demo):
    return Person.objects.filter(place_path__startswith=demo.places["taian"].path).order_by("pk").first()


@pytest.fixture
def songhua_person(demo):
    return Person.objects.filter(place_path__startswith=demo.places["songhua"].path).order_by("pk").first()


def test_staff_see_their_register_masked(demo, client_as, taian_person, songhua_person):
    response = client_as("taian_staff").get(reverse("people:register"), {"q": taian_person.name})
    html = response.content.decode()
    assert taian_person.name in html
    assert taian_person.id_number not in html and taian_person.id_number[-4:] in html
    assert songhua_person.name not in html or songhua_person.name == taian_person.name


def test_search_by_phone_end_and_full_id(demo, client_as, taian_person):
    client = client_as("taian_staff")
    by_phone = client.get(reverse("people:register"), {"q": taian_person.phone[-4:]})
    assert taian_person in by_phone.context["page_obj"].object_list
    by_id = client.get(reverse("people:register"), {"q": taian_person.id_number})
    assert list(by_id.context["page_obj"].object_list) == [taian_person]


def test_songhua_staff_cannot_find_a_taian_resident_by_id(demo, client_as, taian_person):
    client = client_as("songhua_staff")
    response = client.get(reverse("people:register"), {"q": taian_person.id_number})
    assert list(response.context["page_obj"].object_list) == []
    assert client.get(reverse("people:detail", args=[taian_person.pk])).status_code == 404


@pytest.mark.parametrize("username", ["volunteer", "guard", "auditor", "outsider"])
def test_those_without_the_register_see_none_of_it(demo, client_as, taian_person, username):
    client = client_as(username)
    for url in (
        reverse("people:register"),
        reverse("people:detail", args=[taian_person.pk]),
        reverse("people:import"),
        reverse("people:new"),
        reverse("people:export"),
    ):
        assert client.get(url).status_code == 404, url
    assert not AuditEvent.objects.filter(action=PeopleAudit.PERSON_VIEWED).exists()


def test_viewing_a_record_is_audited_and_shown_in_its_history(demo, client_as, taian_person):
    client = client_as("taian_staff")
    client.get(reverse("people:detail", args=[taian_person.pk]))
    response = client.get(reverse("people:detail", args=[taian_person.pk]))
    assert AuditEvent.objects.filter(action=PeopleAudit.PERSON_VIEWED, object_id=str(taian_person.pk)).count() == 2
    assert len([e for e in response.context["history"] if e.action == PeopleAudit.PERSON_VIEWED]) == 2


def test_reveal_needs_purpose_and_scope(demo, client_as, taian_person):
    url = reverse("people:reveal", args=[taian_person.pk, "id_number"])
    assert client_as("songhua_staff").post(url, {"purpose": "check identity"}).status_code == 404
    assert client_as("volunteer").post(url, {"purpose": "check identity"}).status_code == 404
    response = client_as("taian_staff").post(url, {"purpose": "check identity"})
    assert taian_person.id_number in response.content.decode()
    assert AuditEvent.objects.get(action=AccountsAudit.PII_REVEALED).purpose == "check identity"


def test_a_revealed_phone_is_a_link_to_call(demo, client_as, taian_person):
    assert taian_person.phone
    url = reverse("people:reveal", args=[taian_person.pk, "phone"])
    html = client_as("taian_staff").post(url, {"purpose": "回访电话"}).content.decode()
    assert f'href="tel:{taian_person.phone}"' in html
    id_html = (
        client_as("taian_staff")
        .post(reverse("people:reveal", args=[taian_person.pk, "id_number"]), {"purpose": "核实身份"})
        .content.decode()
    )
    assert "tel:" not in id_html


def test_register_query_count_does_not_grow_with_the_page(demo, client_as, settings):
    client = client_as("street_admin")
    settings.TONGZHOU_PAGE_SIZE = 5
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("people:register"))
    settings.TONGZHOU_PAGE_SIZE = 100
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("people:register"))
    assert len(small.captured_queries) == len(large.captured_queries) <= 12


def test_create_and_edit_a_resident(demo, client_as):
    client = client_as("taian_staff")
    unit = demo.places["taian_household"].place
    data = {
        "name": "王小明",
        "id_type": "id_card",
        "id_number": "520102199001011237"[:17] + "X",
        "phone": "13912345678",
        "place": unit.pk,
        "room": "101",
        "residency_type": "tenant",
        "tags": ["veteran"],
        "notes": "",
    }
    from tongzhou.people.idnumbers import check_digit

    data["id_number"] = "52010219900101123" + check_digit("52010219900101123")
    response = client.post(reverse("people:new"), data)
    person = Person.objects.get(name="王小明")
    assert response.status_code == 302 and person.sex == "M" and person.phone_last4 == "5678"
    data["notes"] = "腿脚不便"
    client.post(reverse("people:edit", args=[person.pk]), data)
    person.refresh_from_db()
    assert person.notes == "腿脚不便"
    assert AuditEvent.objects.get(action=PeopleAudit.PERSON_CHANGED).details["fields"] == ["notes"]


def test_duplicate_id_is_refused(demo, client_as, taian_person):
    unit = demo.places["taian_household"].place
    before = Person.objects.count()
    response = client_as("taian_staff").post(
        reverse("people:new"),
        {
            "name": "重复",
            "id_type": "id_card",
            "id_number": taian_person.id_number,
            "phone": "",
            "place": unit.pk,
            "room": "101",
            "residency_type": "permanent",
            "notes": "",
        },
    )
    assert response.status_code == 200 and "id_number" in response.context["form"].errors
    assert Person.objects.count() == before


def test_import_through_the_web_checks_then_imports(demo, client_as, django_capture_on_commit_callbacks):
    client = client_as("taian_staff")
    taian = demo.places["taian"]
    upload = SimpleUploadedFile("r.xlsx", xlsx([row(0), row(1, 房号="9999")]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:import"), {"file": upload, "place": taian.pk})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.total, job.good, job.bad) == ("checked", 2, 1, 1)
    assert job.errors[0][:2] == [3, "房号"]
    before = Person.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:import_job", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.created == 1 and job.file == b""
    assert Person.objects.count() == before + 1


def test_songhua_staff_cannot_import_into_taian(demo, client_as):
    taian = demo.places["taian"]
    upload = SimpleUploadedFile("r.xlsx", xlsx([row(0)]))
    response = client_as("songhua_staff").post(reverse("people:import"), {"file": upload, "place": taian.pk})
    assert response.status_code == 200 and "place" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_other_staff_cannot_see_or_confirm_an_import(demo, client_as, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("r.xlsx", xlsx([row(0)]))
    with django_capture_on_commit_callbacks(execute=True):
        client_as("taian_staff").post(reverse("people:import"), {"file": upload, "place": demo.places["taian"].pk})
    job = ImportJob.objects.get()
    client = client_as("songhua_staff")
    assert client.get(reverse("people:import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("people:import_job", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "checked"


def test_every_bad_field_is_reported_at_once(demo, client_as):
    unit = demo.places["taian_household"].place
    before = Person.objects.count()
    response = client_as("taian_staff").post(
        reverse("people:new"),
        {
            "name": "错三处",
            "id_type": "id_card",
            "id_number": "520102199001011230",  # wrong check digit
            "phone": "12345",
            "place": unit.pk,
            "room": "9999",  # no such room
            "residency_type": "permanent",
            "notes": "",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"id_number", "phone", "room"}
    assert Person.objects.count() == before


def test_the_form_opens_a_phone_keyboard_and_asks_for_the_full_name(demo, client_as):
    html = client_as("taian_staff").get(reverse("people:new"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'type="tel"' in html and 'inputmode="tel"' in html
    assert ">姓名</label>" in html


def test_export_is_pseudonymized_by_default_and_audited(demo, client_as, taian_person):
    import io

    import openpyxl

    client = client_as("taian_staff")
    response = client.post(reverse("people:export"), {})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    ids = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert taian_person.name not in names and taian_person.name[0] + "*" * (len(taian_person.name) - 1) in names
    assert taian_person.id_number not in ids
    event = AuditEvent.objects.get(action=CoreAudit.EXPORTED)
    assert event.details["real_values"] is False and event.details["rows"] == len(names)

    refused = client.post(reverse("people:export"), {"real_values": "on", "purpose": ""})
    assert refused.status_code == 200 and "purpose" in refused.context["form"].errors
    response = client.post(reverse("people:export"), {"real_values": "on", "purpose": "送检名单"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert taian_person.id_number in [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert AuditEvent.objects.filter(action=CoreAudit.EXPORTED, purpose="送检名单").exists()


def test_move_and_merge(demo, client_as, taian_person):
    client = client_as("taian_staff")
    other = (
        Person.objects.filter(place_path__startswith=demo.places["taian"].path)
        .exclude(pk=taian_person.pk)
        .order_by("pk")
        .first()
    )
    household = demo.places["taian_household"]
    target_room = "702" if household.room != "702" else "701"
    response = client.post(
        reverse("people:move", args=[taian_person.pk]),
        {"action": "move", "place": household.place_id, "room": target_room},
    )
    assert response.status_code == 302
    taian_person.refresh_from_db()
    assert taian_person.household.room == target_room and taian_person.place_path == household.place.path
    client.post(reverse("people:move", args=[taian_person.pk]), {"action": "merge", "duplicate": other.pk})
    other.refresh_from_db()
    assert other.merged_into == taian_person and other.moved_out_on is not None
    history = client.get(reverse("people:detail", args=[taian_person.pk])).context["history"]
    assert any(e.object_id == str(other.pk) for e in history)  # the merged record's history follows


def test_songhua_staff_cannot_move_or_link_taian_residents(demo, client_as, taian_person):
    client = client_as("songhua_staff")
    before = (taian_person.household_id, taian_person.merged_into_id)
    assert client.post(reverse("people:move", args=[taian_person.pk]), {"action": "move_out"}).status_code == 404
    assert client.post(reverse("people:send_link", args=[taian_person.pk])).status_code == 404
    taian_person.refresh_from_db()
    assert (taian_person.household_id, taian_person.merged_into_id, taian_person.moved_out_on) == (*before, None)


def test_search_by_address(demo, client_as):
    response = client_as("taian_staff").get(reverse("people:register"), {"q": "泰安巷17号院"})
    people = list(response.context["page_obj"].object_list)
    assert people and all(p.household.place.parent.parent.name == "泰安巷17号院" for p in people)


def test_registering_says_nothing_about_residents_outside_ones_places(demo, client_as, taian_person):
    """No "already registered" oracle: 松花巷 staff learn nothing about a 泰安巷 ID number."""
    household = demo.places["songhua_household"]
    response = client_as("songhua_staff").post(
        reverse("people:new"),
        {
            "name": "探查",
            "id_type": "id_card",
            "id_number": taian_person.id_number,
            "phone": "",
            "place": household.place_id,
            "room": household.room,
            "residency_type": "permanent",
            "notes": "",
        },
    )
    assert response.status_code == 302
    # The street administrator, who sees both, finds the two records of one number.
    both = client_as("street_admin").get(reverse("people:register"), {"q": taian_person.id_number})
    assert len(both.context["page_obj"].object_list) == 2


def test_import_preview_says_nothing_about_residents_outside_ones_places(demo, taian_person):
    from tongzhou.accounts.selectors import scope_for
    from tongzhou.core.permissions import Perm
    from tongzhou.people.importers import check_rows

    songhua = demo.places["songhua"]
    data = xlsx([row(0, 证件号码=taian_person.id_number, 小区="松花巷8号院", 楼栋="1栋", 单元="1单元", 房号="101")])
    checked = check_rows(data, "r.xlsx", songhua, scope=scope_for(demo.songhua_staff, Perm.PEOPLE_VIEW))
    assert checked.errors == []
    checked = check_rows(data, "r.xlsx", songhua, scope=scope_for(demo.street_admin, Perm.PEOPLE_VIEW))
    assert [e.message for e in checked.errors] == ["Already registered."]


def _edit_data(person, **changes):
    data = {
        "name": person.name,
        "id_type": person.id_type,
        "id_number": "",
        "phone": "",
        "place": person.household.place_id,
        "room": person.household.room,
        "residency_type": person.residency_type,
        "tags": list(person.tags.values_list("tag", flat=True)),
        "notes": person.notes,
    }
    return data | changes


def test_the_edit_form_shows_the_numbers_masked_and_keeps_them_unless_retyped(demo, client_as, taian_person):
    from tongzhou.core.pii import mask_id_number, mask_phone
    from tongzhou.people.idnumbers import check_digit

    assert taian_person.phone
    client = client_as("taian_staff")
    url = reverse("people:edit", args=[taian_person.pk])
    html = client.get(url).content.decode()
    assert taian_person.id_number not in html and taian_person.phone not in html
    assert mask_id_number(taian_person.id_number) in html and mask_phone(taian_person.phone) in html
    id_number, phone = taian_person.id_number, taian_person.phone

    response = client.post(url, _edit_data(taian_person, notes="腿脚不便"))
    assert response.status_code == 302
    taian_person.refresh_from_db()
    assert (taian_person.id_number, taian_person.phone, taian_person.notes) == (id_number, phone, "腿脚不便")

    new_id = "52010219800101123" + check_digit("52010219800101123")
    client.post(url, _edit_data(taian_person, id_number=new_id, phone="13700001111"))
    taian_person.refresh_from_db()
    assert (taian_person.id_number, taian_person.phone) == (new_id, "13700001111")

    bad = client.post(url, _edit_data(taian_person, id_number="520102198001011230"[:17] + "Z"))
    assert bad.status_code == 200 and "id_number" in bad.context["form"].errors

    client.post(url, _edit_data(taian_person, remove_phone="on"))
    taian_person.refresh_from_db()
    assert taian_person.phone == "" and taian_person.id_number == new_id


def test_search_by_room_number_stays_in_scope_without_joining_every_household(demo, taian_person, songhua_person):
    """A room number finds the residents of that room in one's places; the room is matched in a
    subquery over the households in scope, not a join that would read every household of the
    city (bench/city.py: a street's name search grew with the district before)."""
    from django.contrib.auth import get_user_model

    from tongzhou.accounts.selectors import scope_for
    from tongzhou.core.permissions import Perm
    from tongzhou.people.selectors import register

    staff = get_user_model().objects.get(username="taian_staff")
    room = taian_person.household.room
    found = register(scope_for(staff, Perm.PEOPLE_VIEW), text=room)
    people = list(found)
    assert taian_person in people
    assert all(p.household.room == room or room in p.name for p in people)
    assert all(p.place_path.startswith(demo.places["taian"].path) for p in people)
    assert songhua_person not in people
    assert 'JOIN "places_household"' not in str(found.values_list("id", flat=True).query)
