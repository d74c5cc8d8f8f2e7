"""The demo's notices and stories (called by `tongzhou.demo`)."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from tongzhou.accounts.models import User
from tongzhou.core.scope import subtree_q
from tongzhou.people.models import Person
from tongzhou.places.models import Place, PlaceKind


def _notices(community: Place, *, staff: User, lead: User, log: Callable[[str], None]) -> None:
    """A testing notice sent to 泰安巷3号院 2栋 with its reach report: one household without a
    phone ticked off by the building lead, one that acknowledged from the door notice."""
    from tongzhou.notices.models import Notice, Reach, Recipient
    from tongzhou.notices.services import NoticeDraft, notice_create, notice_send, reach_acknowledge, reach_visit

    if Notice.objects.filter(subtree_q(community.path, "place_path")).exists():
        return
    building = Place.objects.get(parent__name="泰安巷3号院", parent__parent__parent=community, name="2栋")
    draft = NoticeDraft(
        place=building,
        title="关于开展全员核酸检测的通知",
        body="请2栋全体居民明日8时至11时到小区东门采样点进行核酸检测，携带身份证，全程佩戴口罩，保持一米间距。",
        valid_from=timezone.localdate(),
        valid_to=timezone.localdate() + timedelta(days=1),
        audience="residents",
    )
    notice = notice_send(actor=staff, notice=notice_create(actor=staff, draft=draft))
    texted = Recipient.objects.filter(notice=notice).exclude(status="").values("reach")
    unreached = Reach.objects.filter(notice=notice).exclude(pk__in=texted).order_by("pk").first()
    if unreached is not None:
        reach_visit(actor=lead, reach=unreached)
    reached = Reach.objects.filter(notice=notice, pk__in=texted).order_by("pk").first()
    if reached is not None:
        reach_acknowledge(notice=notice, household_id=reached.household_id)
    log(f"{community.name}: a notice to {notice.recipient_count} residents of {building.name}")


def _stories(community: Place, *, staff: User, approver: User, log: Callable[[str], None]) -> None:
    """Stories of the response: one published on 二戈街道's public page (a resident's name
    replaced by 张*-style pseudonym, a photo with its photographer), one draft naming residents
    of the register (the pseudonym check finds them)."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from tongzhou.notices.models import Story
    from tongzhou.notices.stories.pseudonyms import check_story
    from tongzhou.notices.stories.services import (
        StoryDraft,
        story_approval_decide,
        story_create,
        story_photo_add,
        story_replace,
        story_submit,
    )

    if Story.objects.filter(subtree_q(community.path, "place_path")).exists():
        return
    people = list(
        Person.objects.filter(subtree_q(community.path, "place_path"))
        .select_related("household__place__parent")
        .order_by("pk")[:3]
    )
    if len(people) < 3:
        return
    hero, neighbour, third = people
    published = story_create(
        actor=staff,
        draft=StoryDraft(
            place=community,
            title="泰安巷：守好家门口的第一道防线",
            body=(
                f"凌晨两点，泰安巷3号院门口的卡点依旧亮着灯。居民{hero.name}家中有老人独居，"
                "网格员和志愿者每天上门测温、代买药品和蔬菜。"
                "“有你们在，我们心里踏实。”老人说。社区104条背街小巷全部设卡，"
                "党员、退役军人和志愿者轮流值守，十九点到次日七点从不空岗。"
            ),
        ),
    )
    for finding in check_story(published):
        if not finding.resolved:
            story_replace(actor=staff, story=published, kind=finding.kind, text=finding.text)
    picture = BytesIO()
    Image.new("RGB", (640, 400), (196, 30, 58)).save(picture, "JPEG")
    story_photo_add(
        actor=staff,
        story=published,
        upload=SimpleUploadedFile("gate.jpg", picture.getvalue(), "image/jpeg"),
        credit="泰安巷社区",
        caption="泰安巷3号院卡点夜间值守",
    )
    story_submit(actor=staff, story=published)
    story_approval_decide(actor=approver, approval=published.approvals.get(), approve=True)
    household = neighbour.household
    building = household.place.parent if household.place.kind == PlaceKind.UNIT else household.place
    assert building is not None
    unit = household.place.name if household.place.kind == PlaceKind.UNIT else ""
    story_create(
        actor=staff,
        draft=StoryDraft(
            place=community,
            title=f"志愿者{third.name}的一天",
            body=(
                f"{third.name}是泰安巷的一名志愿者。早上七点，他来到{building.name}{unit}{household.room}，"
                f"为居家隔离的{neighbour.name}送去蔬菜和药品，联系电话{neighbour.phone}。"
            ),
        ),
    )
    log(f"{community.name}: a published story on the street's public page and a draft to check")
