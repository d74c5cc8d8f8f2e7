"""The demo: the real Er Ge Street (二戈街道, Nanming District, Guiyang) with its nine neighborhood
committees and the real Dongfeng community (东风社区) of Hongcheng Street, Changchun, from the
official codes; compounds and buildings for 泰安巷, 松花巷 and 东风 named by street address; fake
people (Faker zh_CN, fixed seed). Idempotent: a second run adds nothing and changes nothing but
resetting the demo passwords.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from faker import Faker

from tongzhou.accounts.models import User
from tongzhou.accounts.services import role_grant, user_create
from tongzhou.assistance.models import Category, HelpRequest, Status, Urgency
from tongzhou.assistance.services import HelpData, help_request_claim, help_request_create, help_request_transition
from tongzhou.core.permissions import Role
from tongzhou.core.scope import subtree_q
from tongzhou.monitoring.models import CheckMethod, KeyPerson, OrderKind, Reason, Symptom
from tongzhou.monitoring.services import CheckData, check_record, key_person_register, order_create
from tongzhou.people.idnumbers import IdType, check_digit, id_card_facts
from tongzhou.people.importers import Checked, GoodRow, write_rows
from tongzhou.people.models import Person, ResidencyType, Tag
from tongzhou.people.services import organisation_get_or_create
from tongzhou.places.importers import import_divisions
from tongzhou.places.models import Household, Place, PlaceKind
from tongzhou.places.services import building_create, place_create
from tongzhou.testing.models import ExemptReason, Lab, Result, Round, Tube
from tongzhou.testing.selectors import buildings_to_plan
from tongzhou.testing.services import (
    RoundData,
    SiteData,
    TubeResult,
    box_hand_over,
    box_receive,
    box_seal,
    exemption_set,
    results_record,
    round_advance,
    round_create,
    sample_take,
    site_create,
    slots_plan,
)
from tongzhou.volunteers.models import Assignment, RosterStatus, Shift, Volunteer
from tongzhou.volunteers.services import (
    SignupData,
    assignment_add,
    hours_correct,
    post_create,
    roster_publish,
    roster_start,
    team_create,
    team_set_members,
    template_create,
    volunteer_signup,
    volunteer_vet,
)

DEMO_PASSWORD = "tongzhou-demo"  # noqa: S105 (demo mode only, printed on the log-in page)
DIVISIONS = Path(__file__).resolve().parent / "places" / "data" / "demo_divisions"
ER_GE = "520102029"
TAIAN = "520102029004"
SONGHUA = "520102029006"
DONGFENG = "220102010003"
# The committees' duty phones printed on notices (made-up numbers).
DUTY_PHONES = {TAIAN: "0851-85800004", SONGHUA: "0851-85800006", DONGFENG: "0431-88800003"}


@dataclass(frozen=True)
class Building:
    name: str
    units: int
    floors: int
    rooms: int


# community code -> grid -> compound -> buildings
LAYOUT: dict[str, dict[str, dict[str, list[Building]]]] = {
    TAIAN: {
        "第一网格": {
            "泰安巷3号院": [Building("1栋", 2, 7, 2), Building("2栋", 1, 6, 3)],
            "泰安巷17号院": [Building("1栋", 3, 18, 4)],
        },
        "第二网格": {"泰安巷45号院": [Building("1栋", 0, 5, 2), Building("2栋", 0, 5, 2)]},
    },
    SONGHUA: {
        "第一网格": {"松花巷8号院": [Building("1栋", 2, 9, 2)]},
        "第二网格": {"松花巷22号院": [Building("A栋", 1, 11, 4), Building("B栋", 1, 11, 4)]},
    },
    DONGFENG: {"第一网格": {"东风社区1号院": [Building("1栋", 4, 6, 2), Building("2栋", 4, 6, 2)]}},
}

# username -> (role, place: an official code or "community code/grid/compound")
USERS: dict[str, tuple[Role, str]] = {
    "street_admin": (Role.STREET_ADMIN, ER_GE),
    "taian_staff": (Role.COMMUNITY_STAFF, TAIAN),
    "songhua_staff": (Role.COMMUNITY_STAFF, SONGHUA),
    "dongfeng_staff": (Role.COMMUNITY_STAFF, DONGFENG),
    "volunteer": (Role.VOLUNTEER, TAIAN),
    "guard": (Role.CHECKPOINT_GUARD, f"{TAIAN}/第一网格/泰安巷3号院"),
    "building_lead": (Role.BUILDING_LEAD, f"{TAIAN}/第一网格/泰安巷3号院"),
    "health_officer": (Role.HEALTH_OFFICER, ER_GE),
    "auditor": (Role.AUDITOR, ER_GE),
    "welfare_officer": (Role.WELFARE_OFFICER, ER_GE),
    # The 二戈街道 trade union's contact: enrolls its staff and reads its invoices (no claims).
    "unit_contact": (Role.UNIT_CONTACT, ER_GE),
}


def _existing(parent: Place, name: str) -> Place | None:
    return Place.objects.filter(parent=parent, name=name).first()


def _place(ref: str) -> Place:
    code, *names = ref.split("/")
    place = Place.objects.get(code=code)
    for name in names:
        place = Place.objects.get(parent=place, name=name)
    return place


RESIDENCY_WEIGHTS = (
    [ResidencyType.REGISTERED] * 5
    + [ResidencyType.PERMANENT] * 3
    + [ResidencyType.TENANT] * 2
    + [ResidencyType.FLOATING]
)


def _fake_id_number(fake: Faker, region: str) -> str:
    born = fake.date_of_birth(minimum_age=1, maximum_age=95)
    first17 = f"{region}{born:%Y%m%d}{fake.random_int(0, 999):03d}"
    return first17 + check_digit(first17)


def _residents(community: Place, fake: Faker, log: Callable[[str], None]) -> None:
    """One to four fake residents in three households out of four, written through the import's
    bulk writer; none if the community has residents already."""
    if Person.objects.filter(subtree_q(community.path, "place_path")).exists():
        return
    checked = Checked()
    region = community.code[:6] if community.code else "520102"
    for household in Household.objects.filter(subtree_q(community.path, "place__path")).select_related("place"):
        if fake.random_int(0, 3) == 0:
            continue
        for _ in range(fake.random_int(1, 4)):
            phone = fake.phone_number()
            number = _fake_id_number(fake, region)
            facts = id_card_facts(number)
            tags = (
                list(fake.random_elements(Tag.values, length=fake.random_int(1, 2), unique=True))
                if fake.random_int(0, 4) == 0
                else []
            )
            checked.good.append(
                GoodRow(
                    row=len(checked.good) + 2,
                    values={
                        "name": fake.name(),
                        "id_type": IdType.ID_CARD,
                        "id_number": number,
                        "birth_date": facts.birth_date,
                        "sex": facts.sex,
                        "phone": phone,
                        "phone_last4": phone[-4:],
                        "household": household,
                        "residency_type": fake.random_element(RESIDENCY_WEIGHTS),
                        "notes": "",
                        "tags": tags,
                    },
                )
            )
    checked.total = len(checked.good)
    created = write_rows(actor=None, place=community, checked=checked, all_or_nothing=True)
    log(f"{community.name}: {created} fake residents")


# (category, urgency, what is needed, how far it got)
DEMO_REQUESTS = [
    (Category.GROCERIES, Urgency.NORMAL, "老人独居、行动不便，需要大米一袋、青菜和鸡蛋。", Status.NEW),
    (Category.MEDICINE, Urgency.URGENT, "降压药（硝苯地平缓释片）剩两天的量，请帮忙到社区医院代购。", Status.NEW),
    (Category.PAPERWORK, Urgency.NORMAL, "女儿下月预产期，生育服务证找不到了，需要社区帮忙补办。", Status.ASSIGNED),
    (Category.REPAIRS, Urgency.NORMAL, "厨房水管漏水。", Status.DONE),
]


def _help_requests(community: Place, *, staff: User, helper: User, log: Callable[[str], None]) -> None:
    """A few help requests in 泰安巷 at several stages, recorded through the services; none if
    the community has requests already."""
    if HelpRequest.objects.filter(subtree_q(community.path, "place_path")).exists():
        return
    people = Person.objects.filter(subtree_q(community.path, "place_path")).exclude(phone_index="").order_by("pk")
    for person, (category, urgency, summary, stage) in zip(people[: len(DEMO_REQUESTS)], DEMO_REQUESTS, strict=False):
        help_request = help_request_create(
            actor=staff, data=HelpData(category=category, urgency=urgency, summary=summary, person=person)
        )
        if stage in (Status.ASSIGNED, Status.DONE):
            help_request = help_request_claim(actor=helper, help_request=help_request)
        if stage == Status.DONE:
            help_request = help_request_transition(actor=helper, help_request=help_request, to=Status.IN_PROGRESS)
            help_request_transition(actor=helper, help_request=help_request, to=Status.DONE)
    log(f"{community.name}: {len(DEMO_REQUESTS)} help requests")


def _key_persons(community: Place, *, officer: User, staff: User, log: Callable[[str], None]) -> None:
    """Three residents of 泰安巷 back from a risk area, under three kinds of order, with a check or
    two; none if the community has key persons already."""
    if KeyPerson.objects.filter(subtree_q(community.path, "place_path")).exists():
        return
    taken = HelpRequest.objects.filter(person__isnull=False).values("person")
    candidates = Person.objects.exclude(phone_index="").exclude(pk__in=taken).order_by("-pk")
    # The one under home isolation lives in 泰安巷3号院, the compound with a gate: the guard is
    # refused when this household asks to go out ("不能外出：请联系社区").
    gated = Place.objects.get(parent__parent=community, name="泰安巷3号院")
    # (the first such resident: the morning's fever at the gate is another household, the last)
    isolated = candidates.filter(subtree_q(gated.path, "place_path")).order_by("pk").first()
    others = candidates.filter(subtree_q(community.path, "place_path"))
    if isolated is not None:
        others = others.exclude(pk=isolated.pk)
    people = [p for p in [isolated, *others[:2]] if p is not None]
    today = timezone.localdate()
    plans = [
        (Reason.RISK_AREA, "武汉市", OrderKind.HOME_ISOLATION, 10),
        (Reason.CLOSE_CONTACT, "", OrderKind.CENTRALIZED, 2),
        (Reason.RELEASED_PATIENT, "", OrderKind.HOME_MONITORING, 5),
    ]
    for person, (reason, area, kind, days_ago) in zip(people, plans, strict=False):
        key_person = key_person_register(
            actor=officer, person=person, reason=reason, risk_area=area, arrived_on=today - timedelta(days=days_ago)
        )
        order = order_create(
            actor=officer,
            key_person=key_person,
            kind=kind,
            starts_on=today - timedelta(days=days_ago),
            facility="南明区集中隔离点" if kind == OrderKind.CENTRALIZED else "",
        )
        if kind == OrderKind.HOME_ISOLATION:
            check_record(actor=staff, order=order, data=CheckData(temperature="36.6"), method=CheckMethod.PHONE)
        elif kind == OrderKind.HOME_MONITORING:
            # An abnormal check: the health officer finds it in the alert inbox.
            check_record(
                actor=staff,
                order=order,
                data=CheckData(temperature="37.8", symptoms=[Symptom.COUGH]),
                method=CheckMethod.PHONE,
            )
    log(f"{community.name}: {len(plans)} key persons under isolation")


def _testing_round(community: Place, *, staff: User, log: Callable[[str], None]) -> None:
    """A 10-in-1 round over 泰安巷3号院 under way: about two thirds sampled building by building,
    one resident exempt (in hospital), the full tubes resulted negative but one positive, whose
    ten members are recalled for a retest. None if the compound has a round already."""
    compound = Place.objects.get(parent__parent=community, name="泰安巷3号院")
    if Round.objects.filter(place=compound).exists():
        return
    today = timezone.localdate()
    data = RoundData(place=compound, name="泰安巷3号院第一轮核酸筛查", starts_on=today, ends_on=today, pool_size=10)
    test_round = round_advance(actor=staff, test_round=round_create(actor=staff, data=data))
    site = site_create(
        actor=staff,
        round_=test_round,
        data=SiteData(compound, "泰安巷3号院广场采样点", per_hour=120, opens=time(8), closes=time(12)),
    )
    slots_plan(actor=staff, site=site, buildings=buildings_to_plan(test_round))
    people = list(Person.objects.filter(subtree_q(compound.path, "place_path")).order_by("place_path", "pk"))
    exemption_set(actor=staff, test_round=test_round, person=people[-1], reason=ExemptReason.IN_HOSPITAL)
    sampled = people[: len(people) * 2 // 3]
    for i, person in enumerate(sampled):
        sample_take(actor=staff, test_round=test_round, person=person, barcode=f"TA{today:%y%m%d}{i // 10 + 1:04d}")
    full = list(Tube.objects.filter(round=test_round, filled=10).order_by("barcode"))
    street = community.parent
    assert street is not None
    lab, _created = Lab.objects.get_or_create(
        name="南明区疾病预防控制中心实验室", place=street, defaults={"place_path": street.path}
    )
    box = box_seal(
        actor=staff, round_=test_round, code=f"XB{today:%y%m%d}01", lab=lab, barcodes=[t.barcode for t in full]
    )
    box_hand_over(actor=staff, box=box, courier="王师傅")
    box_receive(actor=staff, box=box, counted=len(full))
    full = list(Tube.objects.filter(round=test_round, filled=10).order_by("barcode"))
    with transaction.atomic():
        results_record(
            actor=staff,
            results=[TubeResult(t, Result.POSITIVE if i == 1 else Result.NEGATIVE) for i, t in enumerate(full)],
        )
    log(f"{compound.name}: a testing round, {len(sampled)} sampled in {len(full)} resulted tubes, one positive")


def _volunteer_sign_ups(
    community: Place, *, staff: User, volunteer_user: User, fake: Faker, log: Callable[[str], None]
) -> None:
    """Three fake sign-ups for 泰安巷: two approved into a volunteer team, one waiting for vetting;
    and the demo `volunteer` log-in's own record in the team, with hours served and shifts in this
    week's (published) roster."""
    if Volunteer.objects.filter(place_path=community.path).exists():
        return
    sign_ups = []
    street = community.parent or community
    union = organisation_get_or_create(actor=None, name="南明区总工会", kind="trade_union", place=street)
    party = organisation_get_or_create(actor=None, name="二戈街道机关党支部", kind="party_organisation", place=street)
    for n, organisation in enumerate([union, party, None]):
        phone = fake.phone_number()
        sign_ups.append(
            volunteer_signup(
                data=SignupData(
                    name=fake.name(),
                    phone=phone,
                    id_number=_fake_id_number(fake, "520102"),
                    community_id=community.pk,
                    organisation_id=organisation.pk if organisation else None,
                    party_member=organisation == party,
                    skills=[["driving"], ["medical", "dialect"], ["lifting"]][n],
                    slots=[(n, "night"), (n + 2, "day")],
                    consent=True,
                )
            )
        )
    approved = [volunteer_vet(actor=staff, volunteer=v, approve=True) for v in sign_ups[:2]]
    own = volunteer_signup(
        data=SignupData(
            name=volunteer_user.display_name or fake.name(),
            phone=fake.phone_number(),
            id_number=_fake_id_number(fake, "520102"),
            community_id=community.pk,
            skills=["dialect", "lifting"],
            slots=[(weekday, "day") for weekday in range(7)],
            consent=True,
        )
    )
    own = volunteer_vet(actor=staff, volunteer=own, approve=True, existing_user=volunteer_user)
    team = team_create(
        actor=staff, place=community, name="泰安巷志愿服务队", kind="volunteer_team", organizing_unit="南明区总工会"
    )
    team_set_members(actor=staff, team=team, members=[*approved, own], leader=approved[0])
    hours_correct(actor=staff, volunteer=own, hours=Decimal("12"), reason="上周泰安巷3号院东门白班（补录）")
    hours_correct(actor=staff, volunteer=own, hours=Decimal("4"), reason="上周为居民代购物资（补录）")
    compound = Place.objects.get(parent__parent=community, name="泰安巷3号院")
    post = post_create(actor=staff, place=compound, name="泰安巷3号院东门", duty="gate")
    template_create(
        actor=staff, post=post, starts=time(7), ends=time(19), min_people=1, max_people=2, weekdays=range(7)
    )
    template_create(
        actor=staff, post=post, starts=time(19), ends=time(7), min_people=1, max_people=1, weekdays=range(7)
    )
    # This week's roster, solved in the background (in-process on a laptop): the two approved
    # volunteers cannot cover every shift, so the page shows what is uncovered and why.
    today = timezone.localdate()
    roster = roster_start(actor=staff, place=community, starts_on=today, ends_on=today + timedelta(days=6))

    def publish() -> None:
        # Runs after the solver (queued first at the same commit) when it runs in-process; with a
        # worker the roster is still solving and the coordinator publishes it.
        roster.refresh_from_db()
        if roster.status == RosterStatus.DONE:
            roster_publish(actor=staff, roster=roster)

    transaction.on_commit(publish)
    if not Assignment.objects.filter(volunteer=own).exists():
        free = (
            Shift.objects.filter(post=post, start__gt=timezone.now(), start__time=time(7))
            .annotate(taken=Count("assignments"))
            .filter(taken__lt=F("max_people"))
            .order_by("start")
            .first()
        )
        if free is not None:
            assignment_add(actor=staff, shift=free, volunteer=own)
    log(
        f"{community.name}: {len(sign_ups)} volunteer sign-ups, one team, one gate post with day and night"
        " shifts, this week's roster"
    )


def _gates(community: Place, *, staff: User, admin: User, log: Callable[[str], None]) -> None:
    """The gate of 泰安巷3号院 (the roster's gate post) with passes for every household, and
    泰安巷17号院 under controlled management; sealing 泰安巷45号院 waits for approval."""
    from tongzhou.checkpoints.models import Gate
    from tongzhou.checkpoints.services import (
        control_request,
        gate_create,
        parse_item,
        pass_token,
        passages_record,
        passes_issue,
    )

    compound = Place.objects.get(parent__parent=community, name="泰安巷3号院")
    if Gate.objects.filter(place=compound).exists():
        return
    gate = gate_create(actor=staff, compound=compound, name="泰安巷3号院东门")
    issued = passes_issue(actor=staff, place=compound)
    # A resident with a fever at the gate this morning: an open fever alert in the inbox.
    scan = {
        "pass_token": pass_token(issued[-1]),
        "direction": "in",
        "temperature": 38.2,
        "client_uuid": "5c0ff5c3-0d6e-4a3f-9a51-2f9d3b0e7a11",
        "scanned_at": (timezone.now() - timedelta(hours=2)).isoformat(),
    }
    passages_record(gate=gate, items=[parse_item(scan)], actor=staff)
    control_request(
        actor=admin,
        place=Place.objects.get(parent__parent=community, name="泰安巷17号院"),
        level="controlled",
        reason="密接者所在小区",
        evidence="区指挥部通知",
    )
    control_request(
        actor=admin,
        place=Place.objects.get(parent__parent=community, name="泰安巷45号院"),
        level="sealed",
        reason="出现确诊病例",
        evidence="流调报告",
    )
    log(
        f"{community.name}: one gate, {len(issued)} passes, a fever at the gate,"
        " one compound controlled, one sealing to approve"
    )


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


SUPPLY_KEEPERS = {"street_keeper": ER_GE, "taian_keeper": TAIAN, "songhua_keeper": SONGHUA}


def _supplies(*, fake: Faker, log: Callable[[str], None]) -> dict[str, Any]:
    """The street's warehouse and two community storerooms with a checkpoint box at 泰安巷3号院,
    their keepers (password as the other personas'), a catalogue of protective goods, and stock
    in realistic lots. Idempotent; returns the keepers, stores and items by short names."""
    from tongzhou.supplies.models import DonationKind, DonorKind, Item, ItemKind, Store, StoreKind
    from tongzhou.supplies.services import (
        GoodsLine,
        donation_record,
        item_create,
        minimum_set,
        stock_receive,
        stock_transfer,
        store_create,
        transfer_arrive,
    )

    keepers: dict[str, Any] = {}
    for username, code in SUPPLY_KEEPERS.items():
        keeper = User.objects.filter(username=username).first() or user_create(
            actor=None, username=username, password=DEMO_PASSWORD, display_name=fake.name(), phone=fake.phone_number()
        )
        role_grant(actor=None, user=keeper, role=Role.WAREHOUSE_KEEPER, place=Place.objects.get(code=code))
        keepers[username] = keeper
    catalogue = [
        ("mask", "医用外科口罩", ItemKind.MASK, "只", 50, True, True),
        ("n95", "N95防护口罩", ItemKind.MASK, "只", 20, True, True),
        ("gloves", "一次性丁腈手套", ItemKind.GLOVES, "双", 100, True, False),
        ("suit", "医用防护服", ItemKind.SUIT, "套", 1, True, True),
        ("goggles", "护目镜", ItemKind.GOGGLES, "副", 1, True, False),
        ("disinfectant", "84消毒液", ItemKind.DISINFECTANT, "斤", 1, False, True),
        ("sanitizer", "免洗洗手液", ItemKind.SANITIZER, "瓶", 24, True, True),
        ("thermometer", "红外额温枪", ItemKind.THERMOMETER, "支", 1, True, False),
    ]
    items: dict[str, Any] = {}
    for key, name, kind, unit, pack, counted, expiry in catalogue:
        items[key] = Item.objects.filter(name=name).first() or item_create(
            actor=None, name=name, kind=kind, unit=unit, pack_size=pack, counted=counted, expiry_matters=expiry
        )
    er_ge, taian, songhua = (Place.objects.get(code=code) for code in (ER_GE, TAIAN, SONGHUA))
    gate_place = Place.objects.get(name="泰安巷3号院", path__startswith=taian.path)
    wanted = {
        "warehouse": (er_ge, "二戈街道物资仓库", StoreKind.WAREHOUSE),
        "taian": (taian, "泰安巷社区储藏室", StoreKind.STOREROOM),
        "songhua": (songhua, "松花巷社区储藏室", StoreKind.STOREROOM),
        "taian_gate": (gate_place, "泰安巷3号院东门卡点物资箱", StoreKind.CHECKPOINT_BOX),
    }
    stores: dict[str, Any] = {}
    fresh = False
    for key, (place, name, store_kind) in wanted.items():
        store = Store.objects.filter(place=place, name=name).first()
        if store is None:
            store = store_create(actor=None, place=place, name=name, kind=store_kind)
            fresh = True
        stores[key] = store
    if fresh:
        today = timezone.localdate()
        year = timedelta(days=365)
        warehouse = stores["warehouse"]
        stock = [
            ("mask", 5000, "KZ20200115", today + 2 * year),
            ("n95", 400, "N95-2001", today + 2 * year),
            ("gloves", 2000, "", None),
            ("suit", 120, "FH2020-01", today + year),
            ("goggles", 60, "", None),
            ("disinfectant", "300", "84-200118", today + year),
            ("sanitizer", 240, "XS200110", today + year),
            ("thermometer", 30, "", None),
        ]
        for key, quantity, lot, expires in stock:
            stock_receive(
                actor=None,
                store=warehouse,
                item=items[key],
                quantity=quantity,
                lot_code=lot,
                expires_on=expires,
                note="区卫健局调拨",
            )
        for community in ("taian", "songhua"):
            for key, quantity in (
                ("mask", 800),
                ("gloves", 300),
                ("suit", 20),
                ("disinfectant", "50"),
                ("sanitizer", 48),
            ):
                for entry in stock_transfer(
                    actor=None, source=warehouse, destination=stores[community], item=items[key], quantity=quantity
                ):
                    if entry.in_transit:
                        transfer_arrive(actor=None, entry=entry)
            minimum_set(actor=None, store=stores[community], item=items["mask"], quantity=200)
        for entry in stock_transfer(
            actor=None, source=stores["taian"], destination=stores["taian_gate"], item=items["mask"], quantity=100
        ):
            if entry.in_transit:
                transfer_arrive(actor=None, entry=entry)
        minimum_set(actor=None, store=warehouse, item=items["mask"], quantity=1000)
        bank = "贵阳银行云岩支行"
        goods = [
            GoodsLine(items["mask"].pk, 50, "YH0128", today + 2 * year),
            GoodsLine(items["sanitizer"].pk, 24, "YH-XS", today + year),
            GoodsLine(items["disinfectant"].pk, 50, "YH-84", today + year),
        ]
        for gift_kind, extra in (
            (DonationKind.IN_KIND, {"store": warehouse, "lines": goods}),
            (DonationKind.SERVICE, {"description": "街道办事处专业消杀一次"}),
        ):
            donation_record(
                actor=None, place=er_ge, donor_name=bank, donor_kind=DonorKind.COMPANY, kind=gift_kind, **extra
            )
        donation_record(
            actor=None,
            place=taian,
            donor_name=fake.name(),
            donor_kind=DonorKind.INDIVIDUAL,
            anonymous=True,
            kind=DonationKind.MONEY,
            amount="2000",
            purpose="为卡点购买取暖器",
        )
        log(f"supplies: {len(stores)} stores, {len(items)} items, keepers {', '.join(SUPPLY_KEEPERS)}")
    return {**keepers, **{f"store_{k}": v for k, v in stores.items()}, **{f"item_{k}": v for k, v in items.items()}}


def _handouts(supplies: dict[str, Any], *, log: Callable[[str], None]) -> None:
    """What the front line got out of 泰安巷's storeroom: three day kits for the gate at 泰安巷3号院
    (20 masks and 2 bottles of sanitizer each, received by the guard, the first two confirmed), a
    volunteer's masks and gloves, and the building lead's protective suit. Once."""
    from tongzhou.supplies.models import HandOut
    from tongzhou.supplies.services import handout_confirm, handout_issue
    from tongzhou.volunteers.models import Duty, Post

    if HandOut.objects.exists():
        return
    store = supplies["store_taian"]
    items = {key.removeprefix("item_"): value for key, value in supplies.items() if key.startswith("item_")}
    workers = {u.username: u for u in User.objects.filter(username__in=("guard", "volunteer", "building_lead"))}
    gate = Post.objects.filter(place__path__startswith=store.place_path, duty=Duty.GATE).order_by("pk").first()
    kits = [
        handout_issue(
            actor=None,
            store=store,
            recipient=workers["guard"],
            lines=[(items["mask"], 20), (items["sanitizer"], 2)],
            post=gate,
        )
        for _day in range(3)
    ]
    for kit in kits[:2]:
        handout_confirm(actor=workers["guard"], handout=kit)
    handout_issue(
        actor=None, store=store, recipient=workers["volunteer"], lines=[(items["mask"], 10), (items["gloves"], 10)]
    )
    handout_issue(actor=None, store=store, recipient=workers["building_lead"], lines=[(items["suit"], 1)])
    log(f"supplies: {len(kits)} day kits for {gate.name if gate else 'the gate'} and two hand-outs from {store.name}")


def _welfare(
    street: Place, *, officer: User, approver: User, staff: User, fake: Faker, log: Callable[[str], None]
) -> None:
    """The workers' mutual-aid center's plan for front-line workers, four staff of the district
    union enrolled by their unit, three gate guards of 泰安巷3号院 gifted a place (proposed from
    their hours, approved by the street's administrator), and one guard's claim in review."""
    from datetime import datetime

    from tongzhou.people.services import organisation_get_or_create
    from tongzhou.volunteers.models import HoursEntry, Post, Source
    from tongzhou.welfare.models import Enrollment, Plan
    from tongzhou.welfare.services import (
        ClaimData,
        MemberData,
        PlanData,
        claim_file,
        claim_move,
        enrollments_create,
        gift_request_create,
        gift_request_decide,
        plan_create,
    )

    if Plan.objects.filter(place=street).exists():
        return
    center = organisation_get_or_create(actor=None, name="南明区职工互助保障中心", kind="trade_union", place=street)
    union = organisation_get_or_create(actor=None, name="南明区总工会", kind="trade_union", place=street)
    today = timezone.localdate()
    plan = plan_create(
        actor=officer,
        place=street,
        data=PlanData(
            name="一线防疫人员互助保障计划",
            sponsor=center,
            contribution=Decimal("30.00"),
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=335),
            waiting_days=7,
            places_total=500,
            benefits={
                "infection": Decimal("3000"),
                "accident": Decimal("10000"),
                "hospital": Decimal("5000"),
                "death": Decimal("100000"),
            },
            eligible_roles=["volunteer", "checkpoint_guard", "grid_worker", "building_lead"],
            eligible_duties=["gate", "sealed_building", "testing_order"],
        ),
    )
    enrollments_create(
        actor=officer,
        plan=plan,
        members=[
            MemberData(
                name=fake.name(),
                id_number=_fake_id_number(fake, "520102"),
                phone=fake.phone_number(),
                organisation=union,
            )
            for _n in range(4)
        ],
    )
    community = street.children.get(code=TAIAN)
    compound = Place.objects.get(parent__parent=community, name="泰安巷3号院")
    post = Post.objects.filter(place=compound, duty="gate").first()
    if post is None:
        post = post_create(actor=staff, place=compound, name="泰安巷3号院东门", duty="gate")
    guards = []
    for _n in range(3):
        sign_up = volunteer_signup(
            data=SignupData(
                name=fake.name(),
                phone=fake.phone_number(),
                id_number=_fake_id_number(fake, "520102"),
                community_id=community.pk,
                organisation_id=union.pk,
                consent=True,
            )
        )
        guard = volunteer_vet(actor=staff, volunteer=sign_up, approve=True)
        # Ten night shifts at the gate over the last two weeks, each checked in and out.
        for night in range(10):
            start = timezone.make_aware(datetime.combine(today - timedelta(days=2 + night), time(19)))
            shift, _created = Shift.objects.get_or_create(
                post=post,
                start=start,
                defaults={
                    "place_path": post.place_path,
                    "end": start + timedelta(hours=12),
                    "min_people": 1,
                    "max_people": 3,
                },
            )
            assignment = Assignment.objects.create(
                shift=shift, volunteer=guard, source=Source.MANUAL, checked_in_at=start, checked_out_at=shift.end
            )
            HoursEntry.objects.create(volunteer=guard, assignment=assignment, hours=Decimal("12.0"))
        guards.append(guard)
    gift = gift_request_create(
        actor=officer,
        plan=plan,
        volunteers=guards,
        facts={str(g.pk): {"hours": "120.0", "posts": post.name} for g in guards},
    )
    gift_request_decide(actor=approver, gift=gift, approve=True, note="同意，门岗夜班人员")
    # The first guard was enrolled a month ago (the demo back-dates it past the waiting period)
    # and hurt on a night shift two days ago: the claim waits for the officer's review.
    first = Enrollment.objects.get(plan=plan, volunteer=guards[0])
    Enrollment.objects.filter(pk=first.pk).update(covered_from=today - timedelta(days=20))
    first.refresh_from_db()
    last_night = Assignment.objects.filter(volunteer=guards[0]).order_by("-shift__start").first()
    assert guards[0].user is not None
    claim = claim_file(
        actor=guards[0].user,
        enrollment=first,
        data=ClaimData(
            coverage="accident",
            event_on=today - timedelta(days=2),
            description="夜班执勤时在门岗台阶滑倒，右踝扭伤",
            amount=Decimal("800"),
            assignment_id=last_night.pk if last_night else None,
        ),
    )
    claim_move(actor=officer, claim=claim, to="checked")
    _welfare_nights_campaign(street, community, officer=officer, staff=staff, union=union, fake=fake)
    log(
        f"{street.name}: a mutual-aid protection plan, 4 unit enrollments, 3 gate guards gifted, one claim in review,"
        " a thank-you campaign for five nights in a row at a sealed building"
    )


def _welfare_nights_campaign(
    street: Place, community: Place, *, officer: User, staff: User, union: Any, fake: Faker
) -> None:
    """Two volunteers watched the sealed building at 泰安巷45号院 overnight (19:00–07:00), one six
    nights in a row and one with a night off; the union's campaign targets five nights in a row."""
    from datetime import datetime

    from tongzhou.volunteers.models import HoursEntry, Source
    from tongzhou.welfare.models import CampaignTarget
    from tongzhou.welfare.selectors import campaign_targets
    from tongzhou.welfare.services import campaign_create

    today = timezone.localdate()
    compound = Place.objects.get(parent__parent=community, name="泰安巷45号院")
    post = post_create(actor=staff, place=compound, name="泰安巷45号院封控楼夜间值守", duty="sealed_building")
    for nights in ([2, 3, 4, 5, 6, 7], [2, 3, 5, 6, 8]):
        sign_up = volunteer_signup(
            data=SignupData(
                name=fake.name(),
                phone=fake.phone_number(),
                id_number=_fake_id_number(fake, "520102"),
                community_id=community.pk,
                consent=True,
            )
        )
        watcher = volunteer_vet(actor=staff, volunteer=sign_up, approve=True)
        for ago in nights:
            start = timezone.make_aware(datetime.combine(today - timedelta(days=ago), time(19)))
            shift, _created = Shift.objects.get_or_create(
                post=post,
                start=start,
                defaults={
                    "place_path": post.place_path,
                    "end": start + timedelta(hours=12),
                    "min_people": 1,
                    "max_people": 2,
                },
            )
            assignment = Assignment.objects.create(
                shift=shift, volunteer=watcher, source=Source.MANUAL, checked_in_at=start, checked_out_at=shift.end
            )
            HoursEntry.objects.create(volunteer=watcher, assignment=assignment, hours=Decimal("12.0"))
    campaign_create(
        actor=officer,
        place=street,
        name="感谢连续五夜值守封控楼的志愿者",
        organisation=union,
        targets=campaign_targets(CampaignTarget.NIGHTS_IN_A_ROW, street.path, number=5),
        thanks_text="感谢您连续五个夜晚守护封控楼，辛苦了！南明区总工会",
        target=CampaignTarget.NIGHTS_IN_A_ROW,
        target_number=5,
    )


def _welfare_unit(street: Place, *, officer: User, contact: User, fake: Faker, log: Callable[[str], None]) -> None:
    """The district union's own account (`unit_contact`) enrolls two more of its staff, and the
    officer bills the union for its six members. Idempotent."""
    from tongzhou.people.models import Organisation
    from tongzhou.welfare.models import Plan, UnitContact
    from tongzhou.welfare.services import MemberData, invoice_issue, unit_enroll

    plan = Plan.objects.filter(place=street).order_by("pk").first()
    union = Organisation.objects.filter(place=street, name="南明区总工会").first()
    if plan is None or union is None or UnitContact.objects.filter(user=contact).exists():
        return
    UnitContact.objects.create(user=contact, organisation=union, place_path=street.path, added_by=officer)
    unit_enroll(
        actor=contact,
        organisation=union,
        plan=plan,
        members=[
            MemberData(
                name=fake.name(),
                id_number=_fake_id_number(fake, "520102"),
                phone=fake.phone_number(),
                post_label=post,
            )
            for post in ("社区卡点值守", "封控楼栋值守")
        ],
    )
    bill = invoice_issue(actor=officer, plan=plan, organisation=union)
    log(f"{union.name}: its own account enrolled 2 staff; invoice {bill.number}, {bill.members} × {bill.contribution}")


def _requisitions(*, users: dict[str, User], log: Callable[[str], None]) -> None:
    """泰安巷 asks the street's warehouse twice: one requisition delivered (approved in part, sent,
    arrival confirmed) and one waiting for the street's approval. Idempotent."""
    from tongzhou.supplies.models import Item, Requisition, Store, StoreKind
    from tongzhou.supplies.services import (
        AskedLine,
        requisition_approve,
        requisition_issue,
        requisition_receive,
        requisition_submit,
    )

    store = Store.objects.filter(kind=StoreKind.STOREROOM, place__code=TAIAN).first()
    if store is None or Requisition.objects.filter(store=store).exists():
        return
    mask, gloves, sanitizer = (Item.objects.get(name=n) for n in ("医用外科口罩", "一次性丁腈手套", "免洗洗手液"))
    delivered = requisition_submit(
        actor=users["taian_staff"],
        store=store,
        reason="3号院东门、西门卡点一周用量",
        lines=[AskedLine(mask.pk, 400), AskedLine(gloves.pk, 100)],
    )
    line = delivered.lines.get(item=mask)
    requisition_approve(
        actor=users["street_admin"],
        requisition=delivered,
        approved={line.pk: 300, delivered.lines.get(item=gloves).pk: 100},
        note="口罩先批300只",
    )
    delivered.refresh_from_db()
    requisition_issue(actor=None, requisition=delivered)
    delivered.refresh_from_db()
    requisition_receive(actor=None, requisition=delivered)
    requisition_submit(
        actor=users["taian_staff"],
        store=store,
        reason="新增两个核酸采样点的手部消毒",
        lines=[AskedLine(sanitizer.pk, 24), AskedLine(mask.pk, 200)],
    )
    log("supplies: 2 requisitions from 泰安巷 (one delivered, one waiting for approval)")


def _distribution(supplies: dict[str, Any], *, users: dict[str, User], log: Callable[[str], None]) -> None:
    """Vegetable parcels for 泰安巷3号院 (closed management, behind its gate) out of 泰安巷's
    storeroom: one parcel per household and a jin of rice per person. Both buildings packed; the
    building lead has delivered most of 2栋 and two households confirmed through their personal
    link; 1栋 is still being delivered. Idempotent."""
    from tongzhou.supplies.distribution_services import (
        ParcelLine,
        distribution_create,
        distribution_pack,
        household_confirm,
        household_deliver,
    )
    from tongzhou.supplies.models import Distribution, DistributionHousehold, Item, ItemKind
    from tongzhou.supplies.services import item_create, stock_receive

    store = supplies["store_taian"]
    compound = Place.objects.get(name="泰安巷3号院", path__startswith=store.place_path)
    if Distribution.objects.filter(place=compound).exists():
        return
    veg = Item.objects.filter(name="蔬菜包").first() or item_create(
        actor=None, name="蔬菜包", kind=ItemKind.FOOD, unit="份", expiry_matters=True
    )
    rice = Item.objects.filter(name="大米").first() or item_create(
        actor=None, name="大米", kind=ItemKind.FOOD, unit="斤", counted=False
    )
    today = timezone.localdate()
    stock_receive(
        actor=None, store=store, item=veg, quantity=80, lot_code="SC-保供", expires_on=today + timedelta(days=3)
    )
    stock_receive(actor=None, store=store, item=rice, quantity="300", note="区商务局保供")
    distribution = distribution_create(
        actor=users["taian_staff"],
        place=compound,
        store=store,
        name=f"{today:%m月%d日}蔬菜包",
        lines=[ParcelLine(veg.pk, 1), ParcelLine(rice.pk, "1", "person")],
    )
    rows = DistributionHousehold.objects.filter(distribution=distribution)
    for building_id in sorted(set(rows.values_list("building_id", flat=True))):
        distribution_pack(actor=users["taian_staff"], distribution=distribution, building_id=building_id)
    second = Place.objects.get(parent=compound, name="2栋")
    in_second = list(rows.filter(building=second).order_by("place_path", "room"))
    for row in in_second[:-4]:
        household_deliver(actor=users["building_lead"], row=row)
    for row in [r for r in in_second if r.people][:2]:
        household_confirm(row=row, household_id=row.household_id)
    log(f"supplies: {distribution.name} for {rows.count()} households of {compound.name}")


@transaction.atomic
def _daily_report(street: Place, *, log: Callable[[str], None]) -> None:
    """Today's figures of the street's communities, as the cut-off would take them (the page has
    numbers before 16:00)."""
    from tongzhou.reports.services import snapshot_day

    count = snapshot_day(day=timezone.localdate(), within=street)
    log(f"daily report: {count} communities snapshotted for today")


def load_demo(log: Callable[[str], None] = print, *, extras: bool = True) -> None:
    """`extras`: also the key persons under isolation and the volunteer sign-ups (the test suite
    leaves them out: its tests make and count their own)."""
    if not settings.TONGZHOU_DEMO:
        raise RuntimeError("load_demo runs only in demo mode (TONGZHOU_DEMO=true): it sets well-known passwords.")
    result = import_divisions(DIVISIONS)
    log(f"division codes: {result.total_created} created, {result.unchanged} already there")

    fake = Faker("zh_CN")
    Faker.seed(2020)
    users: dict[str, User] = {}
    for username in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                display_name=fake.name(),
                phone=fake.phone_number(),
            )
        else:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[username] = user

    for code, grids in LAYOUT.items():
        community = Place.objects.get(code=code)
        if community.phone != DUTY_PHONES[code]:
            community.phone = DUTY_PHONES[code]
            community.save(update_fields=["phone", "updated_at"])
        staff = users["street_admin"] if code.startswith(ER_GE) else None
        for username, (role, ref) in USERS.items():
            if ref == code and role == Role.COMMUNITY_STAFF:
                staff = users[username]
                role_grant(actor=None, user=staff, role=role, place=community)
        assert staff is not None
        for grid_name, compounds in grids.items():
            grid = _existing(community, grid_name) or place_create(
                actor=staff, parent=community, kind=PlaceKind.GRID, name=grid_name
            )
            for compound_name, buildings in compounds.items():
                compound = _existing(grid, compound_name) or place_create(
                    actor=staff, parent=grid, kind=PlaceKind.COMPOUND, name=compound_name
                )
                for b in buildings:
                    if not _existing(compound, b.name):
                        building_create(
                            actor=staff,
                            compound=compound,
                            name=b.name,
                            units=b.units,
                            floors=b.floors,
                            rooms_per_floor=b.rooms,
                        )

    for username, (role, ref) in USERS.items():
        role_grant(actor=None, user=users[username], role=role, place=_place(ref))
    for code in (TAIAN, SONGHUA, DONGFENG):
        _residents(Place.objects.get(code=code), fake, log)
    _help_requests(Place.objects.get(code=TAIAN), staff=users["taian_staff"], helper=users["volunteer"], log=log)
    if extras:
        _volunteer_sign_ups(
            Place.objects.get(code=TAIAN),
            staff=users["taian_staff"],
            volunteer_user=users["volunteer"],
            fake=fake,
            log=log,
        )
        _key_persons(
            Place.objects.get(code=TAIAN), officer=users["health_officer"], staff=users["taian_staff"], log=log
        )
        _gates(
            Place.objects.get(code=TAIAN),
            staff=users["taian_staff"],
            admin=users["street_admin"],
            log=log,
        )
        _testing_round(Place.objects.get(code=TAIAN), staff=users["taian_staff"], log=log)
        _notices(Place.objects.get(code=TAIAN), staff=users["taian_staff"], lead=users["building_lead"], log=log)
        _stories(Place.objects.get(code=TAIAN), staff=users["taian_staff"], approver=users["street_admin"], log=log)
        supplies = _supplies(fake=fake, log=log)
        _handouts(supplies, log=log)
        from tongzhou.supplies.demo_funds import demo_funds

        demo_funds(users=users, supplies=supplies, log=log)
        _welfare(
            Place.objects.get(code=ER_GE),
            officer=users["welfare_officer"],
            approver=users["street_admin"],
            staff=users["taian_staff"],
            fake=fake,
            log=log,
        )
        _welfare_unit(
            Place.objects.get(code=ER_GE),
            officer=users["welfare_officer"],
            contact=users["unit_contact"],
            fake=fake,
            log=log,
        )
        _requisitions(users=users, log=log)
        _distribution(_supplies(fake=fake, log=log), users=users, log=log)
        _daily_report(Place.objects.get(code=ER_GE), log=log)
    log(f"{Place.objects.count()} places; demo users (password {DEMO_PASSWORD}): {', '.join(USERS)}")
