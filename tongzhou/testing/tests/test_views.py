"""The testing pages as each persona uses them: staff plan and open a round, a volunteer samples
and sees no result, the untested list shrinks as samples arrive, and other places answer 404."""

import io

import openpyxl
from django.urls import reverse
from django.utils import timezone

from tongzhou.core.models import AuditEvent
from tongzhou.core.pii import mask_name
from tongzhou.testing.audit import TestingAudit as Audit
from tongzhou.testing.models import Round, RoundStatus, Sample
from tongzhou.testing.services import sample_take


def test_staff_plan_a_round_and_open_it(demo, client_as):
    staff = client_as("taian_staff")
    assert staff.get(reverse("testing:round_new")).status_code == 200
    today = timezone.localdate().isoformat()
    response = staff.post(
        reverse("testing:round_new"),
        {
            "place": demo.places["taian_compound"].pk,
            "name": "泰安巷第一轮",
            "starts_on": today,
            "ends_on": today,
            "pool_size": "10",
            "coverage": "everyone",
        },
    )
    test_round = Round.objects.get(name="泰安巷第一轮")
    assert response.status_code == 302 and response["Location"] == reverse("testing:round", args=[test_round.pk])
    page = staff.get(response["Location"]).content.decode()
    assert 'id="pool-advice"' in page and 'id="buildings"' in page and "1栋" in page
    staff.post(reverse("testing:advance", args=[test_round.pk]))
    test_round.refresh_from_db()
    assert test_round.status == RoundStatus.OPEN
    assert test_round.pk in [r.pk for r in client_as("taian_staff").get(reverse("testing:rounds")).context["rounds"]]


def test_a_bad_round_form_names_the_field(demo, client_as):
    staff = client_as("taian_staff")
    response = staff.post(
        reverse("testing:round_new"),
        {"place": "abc", "name": "", "starts_on": "2026-12-02", "ends_on": "2026-12-01", "pool_size": "11"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"place", "name", "pool_size", "coverage"} <= set(errors)
    assert not Round.objects.exists()


def test_a_volunteer_samples_and_never_sees_a_result(
    demo, client_as, make_round, residents, django_capture_on_commit_callbacks
):
    test_round = make_round(pool_size=5)
    volunteer = client_as("volunteer")
    person = residents[0]
    found = volunteer.get(reverse("testing:sample", args=[test_round.pk]), {"q": person.name})
    matches = found.content.decode().split('id="matches"', 1)[1]
    assert person.name not in matches and mask_name(person.name) in matches  # names are masked
    assert person.pk in [m.person_id for m in found.context["matches"]]
    response = volunteer.post(
        reverse("testing:sample", args=[test_round.pk]), {"person": person.pk, "barcode": "TZ-V1"}
    )
    assert response.status_code == 302
    assert Sample.objects.get(person=person).tube.barcode == "TZ-V1"
    for other in residents[1:5]:
        sample_take(actor=demo.taian_staff, test_round=test_round, person=other, barcode="TZ-V1")

    book = openpyxl.Workbook()
    book.active.append(["管码", "结果"])
    book.active.append(["TZ-V1", "阳性"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "results.xlsx"
    assert volunteer.get(reverse("testing:results_upload", args=[test_round.pk])).status_code == 404
    staff = client_as("taian_staff")
    with django_capture_on_commit_callbacks(execute=True):
        upload = staff.post(reverse("testing:results_upload", args=[test_round.pk]), {"file": data})
    assert upload.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(upload["Location"])  # confirm the import
    health_page = client_as("health_officer").get(reverse("testing:round", args=[test_round.pk])).content.decode()
    assert 'id="recalls"' in health_page and "TZ-V1" in health_page
    seen = AuditEvent.objects.filter(action=Audit.RESULT_VIEWED, actor=demo.health_officer)
    assert sorted(seen.values_list("object_id", flat=True)) == sorted(str(p.pk) for p in residents[:5])

    volunteer.get(reverse("testing:rounds"))  # shows (and clears) the "sampled into tube" message
    page = volunteer.get(reverse("testing:round", args=[test_round.pk])).content.decode()
    assert 'id="recalls"' not in page and 'id="tube-counts"' not in page and 'id="pool-advice"' not in page
    for word in ("阳性", "Positive", "TZ-V1"):
        assert word not in page


def test_the_untested_list_shrinks_as_samples_arrive(demo, client_as, make_round, residents):
    test_round = make_round()
    staff = client_as("taian_staff")
    page = staff.get(reverse("testing:round", args=[test_round.pk]))
    before = page.context["totals"]
    building = next(b for b in page.context["buildings"] if b.untested)
    door = staff.get(reverse("testing:untested", args=[test_round.pk]), {"place": building.place_id})
    people = door.context["people"]
    assert len(people) == building.untested
    first = next(p for p in residents if p.pk == people[0].person_id)
    sample_take(actor=demo.volunteer, test_round=test_round, person=first, barcode="TZ-U1")
    after = staff.get(reverse("testing:round", args=[test_round.pk])).context["totals"]
    assert after["untested"] == before["untested"] - 1 and after["sampled"] == before["sampled"] + 1
    door = staff.get(reverse("testing:untested", args=[test_round.pk]), {"place": building.place_id})
    assert first.pk not in [p.person_id for p in door.context["people"]]

    second = people[1].person_id
    staff.post(
        f"{reverse('testing:untested', args=[test_round.pk])}?place={building.place_id}",
        {"person": second, "reason": "in_hospital"},
    )
    final = staff.get(reverse("testing:round", args=[test_round.pk])).context["totals"]
    assert final["exempt"] == 1 and final["untested"] == before["untested"] - 2


def test_other_places_and_junk_answer_404_or_a_form_error(demo, client_as, make_round, residents):
    test_round = make_round()
    for persona in ("songhua_staff", "guard"):
        assert client_as(persona).get(reverse("testing:round", args=[test_round.pk])).status_code == 404
    staff = client_as("taian_staff")
    assert staff.get(reverse("testing:untested", args=[test_round.pk]), {"place": "abc"}).status_code == 404
    assert (
        staff.get(reverse("testing:untested", args=[test_round.pk]), {"place": demo.places["songhua"].pk}).status_code
        == 404
    )
    response = staff.post(reverse("testing:sample", args=[test_round.pk]), {"person": "abc", "barcode": "x"})
    assert response.status_code == 200 and not Sample.objects.exists()
    response = staff.post(
        reverse("testing:sample", args=[test_round.pk]), {"person": residents[0].pk, "barcode": "坏码"}
    )
    assert response.status_code == 200 and not Sample.objects.exists()


def test_boxes_are_sealed_handed_and_received_through_the_custody_page(demo, client_as, make_round, residents):
    from tongzhou.testing.models import Box, Lab

    street = demo.places["er_ge"]
    lab = Lab.objects.create(name="南明区疾控中心实验室", place=street, place_path=street.path)
    test_round = make_round(pool_size=5)
    for person in residents[:5]:
        sample_take(actor=demo.taian_staff, test_round=test_round, person=person, barcode="TZ-C1")
    url = reverse("testing:custody", args=[test_round.pk])
    volunteer = client_as("volunteer")
    page = volunteer.get(url)
    assert page.status_code == 200 and page.context["receive"] is None and page.context["reconciliation"] is None
    sealed = volunteer.post(
        url, {"action": "seal", "seal-code": "BOX-9", "seal-lab": lab.pk, "seal-barcodes": "TZ-C1\nTZ-NOPE"}
    )
    assert sealed.status_code == 200 and "TZ-NOPE" in str(sealed.context["seal"].errors)
    volunteer.post(url, {"action": "seal", "seal-code": "BOX-9", "seal-lab": lab.pk, "seal-barcodes": "TZ-C1"})
    volunteer.post(url, {"action": "hand", "hand-box": "box-9", "hand-courier": "王师傅"})
    assert volunteer.post(url, {"action": "receive", "receive-box": "BOX-9", "receive-counted": "1"}).status_code == 200
    assert Box.objects.get().received_at is None  # a volunteer does not receive at the lab
    staff = client_as("taian_staff")
    staff.post(url, {"action": "receive", "receive-box": "BOX-9", "receive-counted": "1"})
    box = Box.objects.get()
    assert box.courier == "王师傅" and box.received_count == 1 and not box.count_differs
    assert staff.get(url).context["reconciliation"].days[0].received == 1
    junk = staff.post(url, {"action": "receive", "receive-box": "BOX-9", "receive-counted": "abc"})
    assert junk.status_code == 200 and junk.context["receive"].errors
