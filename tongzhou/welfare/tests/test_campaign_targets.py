"""Condolence campaigns beyond gate duty: under isolation now (monitoring says who), claim paid,
overnight sealed-building watches in a row; and a photo on a visit (type read from the bytes, EXIF
gone, served only through the campaign)."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tongzhou.monitoring.services import key_person_register, order_create
from tongzhou.people.models import Person
from tongzhou.volunteers.models import Assignment, Post, Shift, Source
from tongzhou.welfare.models import Campaign, CampaignTarget, Claim, ClaimStatus, Enrollment, Visit
from tongzhou.welfare.selectors.campaigns import campaign_targets
from tongzhou.welfare.services.claims import ClaimData, claim_file, claim_move
from tongzhou.welfare.services.plans import gift_request_create, gift_request_decide

from .conftest import id_number


def _names(targets):
    return sorted(volunteer.name for volunteer, _why in targets)


def test_under_isolation_targets_the_volunteers_with_an_active_order(demo, make_worker):
    isolated, free = make_worker("隔离中"), make_worker("在岗")
    released = make_worker("已解除")
    person = Person.objects.filter(place_path__startswith=demo.places["taian"].path).order_by("pk").first()
    other = Person.objects.filter(place_path__startswith=demo.places["taian"].path).order_by("pk")[1]
    # The register holds the same ID numbers as the volunteers' sign-ups.
    Person.objects.filter(pk=person.pk).update(id_number=id_number(0), id_index=isolated.id_index)
    Person.objects.filter(pk=other.pk).update(id_number=id_number(2), id_index=released.id_index)
    for resident in (person, other):
        key_person = key_person_register(
            actor=demo.health_officer, person=resident, reason="risk_area", risk_area="武汉", evidence="行程卡"
        )
        order = order_create(actor=demo.health_officer, key_person=key_person, kind="home_isolation")
    order.status = "released"  # the second one is over
    order.save(update_fields=["status"])
    targets = campaign_targets(CampaignTarget.UNDER_ISOLATION, demo.places["taian"].path, number=0)
    assert _names(targets) == ["隔离中"] and free.name not in str(targets)
    assert campaign_targets(CampaignTarget.UNDER_ISOLATION, demo.places["songhua"].path, number=0) == []


def test_claim_paid_targets_the_claimants_paid_only(make_plan, make_worker, officers):
    plan = make_plan(waiting_days=0)
    paid, approved = make_worker("已赔付", hours=24), make_worker("待赔付", hours=24)
    gift = gift_request_create(actor=officers["taian_welfare"], plan=plan, volunteers=[paid, approved])
    gift_request_decide(actor=officers["taian_welfare2"], gift=gift, approve=True)
    Enrollment.objects.update(covered_from=timezone.localdate() - timedelta(days=5))
    for enrollment in Enrollment.objects.order_by("name"):
        claim = claim_file(
            actor=officers["taian_welfare"],
            enrollment=enrollment,
            data=ClaimData(
                coverage="accident",
                event_on=timezone.localdate() - timedelta(days=1),
                description="夜班摔伤",
                amount=Decimal(500),
            ),
        )
        steps = ["checked", "approved"] + (["paid"] if enrollment.volunteer == paid else [])
        for step in steps:
            claim = claim_move(actor=officers["taian_welfare"], claim=claim, to=step)
    assert Claim.objects.filter(status=ClaimStatus.PAID).count() == 1
    targets = campaign_targets(CampaignTarget.CLAIM_PAID, plan.place_path, number=0)
    assert _names(targets) == ["已赔付"]


def _nights(volunteer, post, days_ago, *, start_hour=19, checked_in=True):
    for ago in days_ago:
        day = timezone.localdate() - timedelta(days=ago)
        start = timezone.make_aware(datetime.combine(day, time(start_hour)))
        shift, _ = Shift.objects.get_or_create(
            post=post,
            start=start,
            defaults={
                "place_path": post.place_path,
                "end": start + timedelta(hours=12),
                "min_people": 1,
                "max_people": 9,
            },
        )
        Assignment.objects.create(
            shift=shift, volunteer=volunteer, source=Source.MANUAL, checked_in_at=start if checked_in else None
        )


def test_five_nights_in_a_row_counts_only_consecutive_checked_in_overnight_watches(demo, make_worker):
    compound = demo.places["taian_compound"]
    watch = Post.objects.create(
        place=compound, place_path=compound.path, name="3号院封控楼值守", duty="sealed_building", check_token="w1"
    )
    gate = Post.objects.create(
        place=compound, place_path=compound.path, name="3号院门岗", duty="gate", check_token="g1"
    )
    five, broken, daytime, missed, at_gate = (make_worker(n) for n in ("五夜", "断夜", "白班", "未签到", "门岗夜"))
    _nights(five, watch, [2, 3, 4, 5, 6, 10])
    _nights(broken, watch, [2, 3, 5, 6, 7, 9])  # never five in a row
    _nights(daytime, watch, [2, 3, 4, 5, 6], start_hour=7)  # 07:00–19:00 is not overnight
    _nights(missed, watch, [2, 3, 4, 5], checked_in=True)
    _nights(missed, watch, [6], checked_in=False)  # rostered but never came
    _nights(at_gate, gate, [2, 3, 4, 5, 6])  # overnight, but at a gate
    targets = campaign_targets(CampaignTarget.NIGHTS_IN_A_ROW, demo.places["taian"].path, number=5)
    assert _names(targets) == ["五夜"]
    assert targets[0][1] >= 5
    assert _names(campaign_targets(CampaignTarget.NIGHTS_IN_A_ROW, demo.places["taian"].path, number=4)) == [
        "五夜",
        "未签到",
    ]
    assert campaign_targets(CampaignTarget.NIGHTS_IN_A_ROW, demo.places["songhua"].path, number=1) == []


def test_the_campaign_form_picks_the_target_and_the_due_list_follows(client_as, demo, officers, union, make_worker):
    compound = demo.places["taian_compound"]
    watch = Post.objects.create(
        place=compound, place_path=compound.path, name="封控楼夜班", duty="sealed_building", check_token="w2"
    )
    night = make_worker("夜班甲")
    make_worker("门岗乙", hours=24)
    _nights(night, watch, [1, 2, 3])
    client = client_as("taian_staff")
    client.force_login(officers["taian_welfare"])
    form = {"name": "感谢夜班值守", "organisation": union.pk, "place": demo.places["taian"].pk, "target": "nights"}
    response = client.post(reverse("welfare:campaigns"), {**form, "nights": ""})
    assert response.status_code == 200 and not Campaign.objects.exists()
    assert response.context["form"].errors["nights"]
    response = client.post(reverse("welfare:campaigns"), {**form, "nights": "3"})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.target == "nights" and campaign.target_number == 3
    page = client.get(reverse("welfare:campaign", args=[campaign.pk]))
    assert [v.volunteer.name for v in page.context["due"]] == ["夜班甲"]
    assert str(CampaignTarget.NIGHTS_IN_A_ROW.label) in page.content.decode()
    response = client.post(reverse("welfare:campaigns"), {**form, "target": "bogus"})
    assert response.status_code == 200 and response.context["form"].errors["target"]


def _photo_with_position() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (26.0, 35.0, 0.0)  # GPS latitude
    data = BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 40)).save(data, "JPEG", exif=exif)
    return data.getvalue()


@pytest.fixture
def campaign_with_visit(demo, officers, union, make_worker):
    from tongzhou.welfare.services.campaigns import campaign_create

    guard = make_worker("守门丙", hours=24)
    campaign = campaign_create(
        actor=officers["taian_welfare"],
        place=demo.places["taian"],
        name="春节慰问",
        organisation=union,
        targets=[(guard, 3)],
    )
    return campaign, Visit.objects.get(campaign=campaign)


def test_a_visit_photo_loses_its_exif_and_is_served_only_through_the_campaign(client_as, officers, campaign_with_visit):
    campaign, visit = campaign_with_visit
    client = client_as("taian_staff")
    client.force_login(officers["taian_welfare"])
    sent = _photo_with_position()
    assert Image.open(BytesIO(sent)).getexif().get_ifd(0x8825)  # the phone's photo has a position
    url = reverse("welfare:campaign", args=[campaign.pk])
    response = client.post(
        url,
        {
            "visit": visit.pk,
            "visited_by": "工会王主席",
            "photo": SimpleUploadedFile("IMG_张三家.jpg", sent, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.photo and visit.photo_type == "image/jpeg" and "张三" not in visit.photo.name
    photo_url = reverse("welfare:visit_photo", args=[campaign.pk, visit.pk])
    assert photo_url in client.get(url).content.decode()
    served = client.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, no-store"
    with Image.open(BytesIO(b"".join(served.streaming_content))) as image:
        assert not image.getexif()
    # Out of scope: 松花巷's officer, a volunteer, the guard; and a wrong campaign for the visit.
    songhua = client_as("taian_staff")
    songhua.force_login(officers["songhua_welfare"])
    assert songhua.get(photo_url).status_code == 404
    assert client_as("volunteer").get(photo_url).status_code in (403, 404)
    assert client_as("guard").get(photo_url).status_code in (403, 404)
    assert client.get(reverse("welfare:visit_photo", args=[campaign.pk + 1, visit.pk])).status_code == 404


def test_a_visit_photo_of_the_wrong_type_is_refused_and_nothing_is_recorded(client_as, officers, campaign_with_visit):
    campaign, visit = campaign_with_visit
    client = client_as("taian_staff")
    client.force_login(officers["taian_welfare"])
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = client.post(
        reverse("welfare:campaign", args=[campaign.pk]), {"visit": visit.pk, "visited_by": "王", "photo": fake}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.visited_at is None and not visit.photo
    page = client.get(reverse("welfare:campaign", args=[campaign.pk]))
    assert "JPEG, PNG or WebP" in page.content.decode() or "JPEG、PNG" in page.content.decode()
    no_photo = reverse("welfare:visit_photo", args=[campaign.pk, visit.pk])
    assert client.get(no_photo).status_code == 404
