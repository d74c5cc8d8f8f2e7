"""Publicity stories: the pseudonym check finds a resident's name, phone, ID number and room; a
story with a finding is neither submitted nor published until it is replaced or consented to; a
second person (never the author) approves; the street's public page shows published stories and
their photos only; personas who must not reach a story do not."""

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tongzhou.core.transitions import OwnRequest
from tongzhou.monitoring.models import KeyPerson, Reason
from tongzhou.notices.models import NamingConsent, Story, StoryApproval, StoryPhoto, StoryStatus
from tongzhou.notices.stories.pseudonyms import FindingKind, check_story, check_text, name_pseudonym, unresolved
from tongzhou.notices.stories.services import (
    StoryDraft,
    naming_consent_own,
    naming_consent_record,
    story_approval_decide,
    story_create,
    story_photo_add,
    story_replace,
    story_submit,
)
from tongzhou.people.models import Person
from tongzhou.places.demo import ER_GE
from tongzhou.places.models import PlaceKind
from tongzhou.volunteers.models import Volunteer


def resident_in_unit(demo, community="taian"):
    return (
        Person.objects.filter(place_path__startswith=demo.places[community].path, household__place__kind=PlaceKind.UNIT)
        .exclude(phone_index="")
        .select_related("household__place__parent")
        .order_by("pk")
        .first()
    )


def address(person):
    unit = person.household.place
    return f"{unit.parent.name}{unit.name}{person.household.room}"


def naming(person):
    return (
        f"{person.name}是热心的邻居，住在{address(person)}，电话{person.phone}，"
        f"身份证{person.id_number}。{person.name}每天帮老人买菜。"
    )


def write(demo, body, *, actor=None, title="邻里守望", place=None):
    return story_create(
        actor=actor or demo.taian_staff, draft=StoryDraft(place=place or demo.places["taian"], title=title, body=body)
    )


def jpeg(size=(32, 24)):
    data = BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(data, "JPEG")
    return SimpleUploadedFile("p.jpg", data.getvalue(), "image/jpeg")


def publish(demo, story):
    story = story_submit(actor=demo.taian_staff, story=story)
    story_approval_decide(actor=demo.street_admin, approval=story.approvals.get(), approve=True)
    story.refresh_from_db()
    return story


def test_the_check_finds_a_residents_name_phone_id_and_room(demo):
    person = resident_in_unit(demo)
    story = write(demo, naming(person))
    found = {(f.kind, f.text) for f in check_story(story)}
    assert (FindingKind.NAME, person.name) in found
    assert (FindingKind.PHONE, person.phone) in found
    assert (FindingKind.ID_NUMBER, person.id_number) in found
    assert (FindingKind.ROOM, address(person)) in found
    name = next(f for f in check_story(story) if f.text == person.name)
    assert name.count == 2 and person.pk in name.person_ids and name.replacement == name_pseudonym(person.name)


def test_the_check_knows_key_persons_and_rooms_written_alone(demo):
    person = resident_in_unit(demo)
    KeyPerson.objects.create(
        person=person, place_path=person.place_path, reason=Reason.RISK_AREA, registered_by=demo.taian_staff
    )
    found = {(f.kind, f.text) for f in check_text(f"{person.name}住{person.household.room}室", person.place_path)}
    assert (FindingKind.KEY_PERSON, person.name) in found
    assert (FindingKind.ROOM, f"{person.household.room}室") in found


def test_the_check_reads_only_the_register_of_the_storys_place(demo):
    # A 松花巷 resident whose name nobody in 泰安巷 bears (the demo's names are random, and repeat).
    taian_names = Person.objects.filter(place_path__startswith=demo.places["taian"].path).values("name")
    songhua = (
        Person.objects.filter(place_path__startswith=demo.places["songhua"].path, household__place__kind=PlaceKind.UNIT)
        .exclude(name__in=taian_names)
        .order_by("pk")
        .first()
    )
    assert songhua is not None
    text = f"{songhua.name}住在B栋1单元1101。"  # 松花巷22号院 has a B栋, 泰安巷 none
    assert {f.kind for f in check_text(text, demo.places["songhua"].path)} == {FindingKind.NAME, FindingKind.ROOM}
    assert check_story(write(demo, text)) == []


def test_a_story_with_a_finding_is_not_submitted_until_replaced(demo):
    person = resident_in_unit(demo)
    story = write(demo, naming(person))
    with pytest.raises(ValidationError):
        story_submit(actor=demo.taian_staff, story=story)
    assert Story.objects.get(pk=story.pk).status == StoryStatus.DRAFT
    assert not StoryApproval.objects.exists()
    for finding in check_story(story):
        story = story_replace(actor=demo.taian_staff, story=story, kind=finding.kind, text=finding.text)
    assert person.name not in story.body and person.phone not in story.body and person.id_number not in story.body
    assert f"{person.name[0]}*" in story.body and story.pseudonyms
    assert check_story(story) == []
    assert story_submit(actor=demo.taian_staff, story=story).status == StoryStatus.AWAITING


def test_a_chosen_pseudonym_replaces_the_name(demo):
    person = resident_in_unit(demo)
    story = write(demo, f"{person.name}每天帮老人买菜。")
    story = story_replace(
        actor=demo.taian_staff, story=story, kind=FindingKind.NAME, text=person.name, pseudonym="小梅"
    )
    assert story.body.startswith("小梅每天")


def test_a_recorded_consent_lets_the_name_pass_but_not_the_phone(demo):
    person = resident_in_unit(demo)
    story = write(demo, f"{person.name}每天帮老人买菜，电话{person.phone}。")
    with pytest.raises(ValidationError):
        naming_consent_record(actor=demo.taian_staff, person=person, note="")
    naming_consent_record(actor=demo.taian_staff, person=person, note="本人口头同意")
    left = unresolved(check_story(story))
    assert [f.kind for f in left] == [FindingKind.PHONE]
    with pytest.raises(ValidationError):
        story_submit(actor=demo.taian_staff, story=story)
    story = story_replace(actor=demo.taian_staff, story=story, kind=FindingKind.PHONE, text=person.phone)
    assert story_submit(actor=demo.taian_staff, story=story).status == StoryStatus.AWAITING
    assert person.name in story.body


def test_songhua_staff_record_no_consent_for_a_taian_resident(demo):
    with pytest.raises(PermissionDenied):
        naming_consent_record(actor=demo.songhua_staff, person=resident_in_unit(demo), note="同意")
    assert not NamingConsent.objects.exists()


def test_a_volunteer_records_their_own_consent_on_their_page(demo, client_as):
    person = resident_in_unit(demo)
    Volunteer.objects.create(
        name=person.name,
        phone=person.phone,
        id_number=person.id_number,
        community=demo.places["taian"],
        place_path=demo.places["taian"].path,
        consent_at="2026-01-01T00:00:00Z",
        status="approved",
        user=demo.volunteer,
    )
    volunteer = client_as("volunteer")
    assert volunteer.get(reverse("stories:my_consent")).status_code == 200
    volunteer.post(reverse("stories:my_consent"), {"give": "1"})
    assert NamingConsent.objects.get(withdrawn_at=None).person == person
    story = write(demo, f"志愿者{person.name}每天帮老人买菜。")
    assert unresolved(check_story(story)) == []
    naming_consent_own(actor=demo.volunteer, give=False)
    assert [f.text for f in unresolved(check_story(story))] == [person.name]


def test_approval_is_by_a_second_person_only(demo, client_as):
    story = story_submit(actor=demo.street_admin, story=write(demo, "社区卡点日夜值守。", actor=demo.street_admin))
    approval = story.approvals.get()
    with pytest.raises(OwnRequest):
        story_approval_decide(actor=demo.street_admin, approval=approval, approve=True)
    with pytest.raises(PermissionDenied):
        story_approval_decide(actor=demo.taian_staff, approval=approval, approve=True)
    assert Story.objects.get(pk=story.pk).status == StoryStatus.AWAITING
    listed = client_as("health_officer").get("/approvals/")
    assert story.title in listed.content.decode()
    story_approval_decide(actor=demo.health_officer, approval=approval, approve=True)
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED and story.published_at is not None


def test_a_rejected_story_goes_back_to_a_draft(demo):
    story = story_submit(actor=demo.taian_staff, story=write(demo, "社区卡点日夜值守。"))
    story_approval_decide(actor=demo.street_admin, approval=story.approvals.get(), approve=False, note="再改改")
    assert Story.objects.get(pk=story.pk).status == StoryStatus.DRAFT


def test_songhua_staff_get_404_on_a_taian_story(demo, client_as):
    story = write(demo, "社区卡点日夜值守。")
    songhua = client_as("songhua_staff")
    for name in ("stories:detail", "stories:edit", "stories:photos"):
        assert songhua.get(reverse(name, args=[story.pk])).status_code == 404
    assert songhua.post(reverse("stories:detail", args=[story.pk]), {"action": "submit"}).status_code == 404
    assert Story.objects.get(pk=story.pk).status == StoryStatus.DRAFT
    assert client_as("taian_staff").get(reverse("stories:detail", args=[story.pk])).status_code == 200


def test_a_volunteer_cannot_write_stories(demo, client_as):
    volunteer = client_as("volunteer")
    assert volunteer.get(reverse("stories:index")).status_code == 404
    response = volunteer.post(reverse("stories:create"), {"place": demo.places["taian"].pk, "title": "x", "body": "y"})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        write(demo, "社区卡点日夜值守。", actor=demo.volunteer)
    assert not Story.objects.exists()


def test_anonymous_see_only_published_stories_and_their_photos(demo):
    draft = write(demo, "社区卡点日夜值守。", title="草稿故事")
    draft_photo = story_photo_add(actor=demo.taian_staff, story=draft, upload=jpeg(), credit="李摄")
    published = write(demo, "志愿者轮流值守。", title="已发布的故事")
    photo = story_photo_add(actor=demo.taian_staff, story=published, upload=jpeg(), credit="王摄")
    published = publish(demo, published)
    anonymous = Client()
    page = anonymous.get(reverse("stories:street", args=[ER_GE])).content.decode()
    assert "已发布的故事" in page and "草稿故事" not in page
    story_page = anonymous.get(reverse("stories:public", args=[ER_GE, published.pk])).content.decode()
    assert "王摄" in story_page
    image = anonymous.get(reverse("stories:public_photo", args=[ER_GE, published.pk, photo.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert anonymous.get(reverse("stories:public", args=[ER_GE, draft.pk])).status_code == 404
    assert anonymous.get(reverse("stories:public_photo", args=[ER_GE, draft.pk, draft_photo.pk])).status_code == 404
    assert anonymous.get(reverse("stories:public_photo", args=[ER_GE, published.pk, draft_photo.pk])).status_code == 404
    assert anonymous.get(reverse("stories:public", args=["999999999", published.pk])).status_code == 404
    assert anonymous.get(reverse("stories:detail", args=[draft.pk])).status_code == 302
    assert anonymous.get(reverse("stories:photo", args=[draft.pk, draft_photo.pk])).status_code == 302


def test_the_public_page_says_the_key_persons_are_pseudonyms(demo):
    person = resident_in_unit(demo)
    story = write(demo, f"{person.name}每天帮老人买菜。")
    story = story_replace(actor=demo.taian_staff, story=story, kind=FindingKind.NAME, text=person.name)
    publish(demo, story)
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("stories:public", args=[ER_GE, story.pk]))
    assert "文中关键人物为化名" in page.content.decode()


def test_bad_photos_and_an_empty_title_are_form_errors(demo, client_as):
    story = write(demo, "社区卡点日夜值守。")
    staff = client_as("taian_staff")
    url = reverse("stories:photos", args=[story.pk])
    not_image = SimpleUploadedFile("p.jpg", b"not an image at all", "image/jpeg")
    response = staff.post(url, {"image": not_image, "credit": "李摄"})
    assert response.status_code == 200 and "not a JPEG, PNG or WebP photo" in response.content.decode()
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 1), "image/jpeg")
    response = staff.post(url, {"image": big, "credit": "李摄"})
    assert "at most 5 MB" in response.content.decode()
    response = staff.post(url, {"image": jpeg(), "credit": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not StoryPhoto.objects.exists()
    response = staff.post(reverse("stories:create"), {"place": demo.places["taian"].pk, "title": "", "body": "正文"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = staff.post(
        reverse("stories:create"), {"place": demo.places["songhua"].pk, "title": "标题", "body": "正文"}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Story.objects.count() == 1


def test_the_page_replaces_with_one_click_and_submits(demo, client_as):
    person = resident_in_unit(demo)
    story = write(demo, f"{person.name}每天帮老人买菜。")
    staff = client_as("taian_staff")
    page = staff.get(reverse("stories:detail", args=[story.pk])).content.decode()
    assert person.name in page and "Replace by" in page
    staff.post(
        reverse("stories:detail", args=[story.pk]),
        {"action": "replace", "kind": FindingKind.NAME, "text": person.name},
    )
    staff.post(reverse("stories:detail", args=[story.pk]), {"action": "submit"})
    assert Story.objects.get(pk=story.pk).status == StoryStatus.AWAITING


def test_the_list_pages_query_a_fixed_number_of_times(demo, client_as, django_assert_max_num_queries):
    for n in range(5):
        write(demo, "社区卡点日夜值守。", title=f"故事{n}")
    staff = client_as("taian_staff")
    staff.get(reverse("stories:index"))
    with django_assert_max_num_queries(12):
        staff.get(reverse("stories:index"))


def test_the_approval_queue_decides_a_story(demo, client_as):
    story = story_submit(actor=demo.taian_staff, story=write(demo, "社区卡点日夜值守。"))
    approval = story.approvals.get()
    url = reverse("approvals:detail", kwargs={"kind": "story", "pk": approval.pk})
    client_as("health_officer").post(url, {"decision": "approve"})
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED


def test_the_demo_has_a_published_story_and_a_draft_the_check_flags(db):
    from tongzhou.demo import load_demo

    load_demo(log=lambda message: None, extras=True)
    published = Story.objects.get(status=StoryStatus.PUBLISHED)
    assert published.pseudonyms and published.photos.count() == 1
    assert check_story(published) == []
    draft = Story.objects.get(status=StoryStatus.DRAFT)
    kinds = {f.kind for f in unresolved(check_story(draft))}
    assert kinds & {FindingKind.NAME, FindingKind.KEY_PERSON}
    assert FindingKind.PHONE in kinds and FindingKind.ROOM in kinds
    page = Client().get(reverse("stories:public", args=[ER_GE, published.pk]))
    assert page.status_code == 200


def test_the_story_page_queries_a_fixed_number_of_times(demo, client_as, django_assert_max_num_queries):
    people = list(Person.objects.filter(place_path__startswith=demo.places["taian"].path).order_by("pk")[:6])
    story = write(demo, "，".join(p.name for p in people) + "都是好邻居。")
    for _n in range(4):
        story_photo_add(actor=demo.taian_staff, story=story, upload=jpeg(), credit="李摄")
    staff = client_as("taian_staff")
    staff.get(reverse("stories:index"))
    with django_assert_max_num_queries(20):
        page = staff.get(reverse("stories:detail", args=[story.pk]))
    assert page.content.decode().count('class="list-group-item finding"') >= len({p.name for p in people})


def test_a_story_withdrawn_from_approval_leaves_the_queue(demo, client_as):
    story = story_submit(actor=demo.taian_staff, story=write(demo, "社区卡点日夜值守。"))
    client_as("taian_staff").post(reverse("stories:detail", args=[story.pk]), {"action": "withdraw"})
    assert Story.objects.get(pk=story.pk).status == StoryStatus.DRAFT
    assert not StoryApproval.objects.exists()
    assert story.title not in client_as("street_admin").get("/approvals/").content.decode()


def test_a_photo_is_stored_without_its_gps_position_and_still_upright(demo):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned; the picture must be turned back
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (26.0, 35.0, 0.0)  # GPS latitude
    data = BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 40)).save(data, "JPEG", exif=exif)
    upload = SimpleUploadedFile("p.jpg", data.getvalue(), "image/jpeg")
    with Image.open(BytesIO(data.getvalue())) as sent:
        assert sent.getexif().get_ifd(0x8825)  # the test photo carries a position

    photo = story_photo_add(actor=demo.taian_staff, story=write(demo, "居民互助"), upload=upload, credit="李摄")

    with photo.image.open("rb") as stored, Image.open(stored) as image:
        assert not image.getexif()
        assert image.size == (20, 40)
