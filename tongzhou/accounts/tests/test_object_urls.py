"""Every URL that takes an object id, in the pages and in the API, answers an object of 松花巷 to
泰安巷 staff, to a volunteer and to an anonymous visitor exactly as an object that does not exist
(404, or the log-in redirect / 401 before anything is read), and changes nothing.

The URLs are found by walking Django's resolver (through every include, the API's included) and
the API's routers, so a new URL is tried without anyone remembering to add it: a URL that takes an
id and has no entry in REGISTRY fails the test with its name.
"""

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Model
from django.forms.models import model_to_dict
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter, UUIDConverter
from django.utils import timezone

from tongzhou.accounts.models import RoleAssignment
from tongzhou.alerts.models import Alert
from tongzhou.alerts.services import alert_raise
from tongzhou.api import api
from tongzhou.assistance.models import Category, Purchase, Urgency
from tongzhou.assistance.services import HelpData, help_request_create
from tongzhou.checkpoints.services import control_request, gate_create, pass_token, passes_issue
from tongzhou.core.imports.models import ImportJob
from tongzhou.core.scope import is_within
from tongzhou.monitoring.models import HealthCheck, OrderAction, OrderKind, Override, OverrideStatus, Reason
from tongzhou.monitoring.services import key_person_register, order_create
from tongzhou.notices.links import notice_token
from tongzhou.people.idnumbers import check_digit
from tongzhou.people.models import Person
from tongzhou.people.services import personal_link_token
from tongzhou.volunteers.models import (
    Assignment,
    ChangeKind,
    ChangeRequest,
    Duty,
    Roster,
    RosterStatus,
    Shift,
    Source,
    TeamKind,
)
from tongzhou.volunteers.services import SignupData, post_create, team_create, volunteer_signup, volunteer_vet

ID_CONVERTERS = (IntConverter, UUIDConverter, SlugConverter)
OUTSIDE = ("admin",)  # Django's admin: its own access rules, not ours
API_PREFIX = "api/v1/"
PERSONAS = ("taian_staff", "volunteer", None)  # None: an anonymous visitor


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = ":".join(n for n in (namespace, pattern.name or str(pattern.pattern)) if n)
            yield name, prefix + str(pattern.pattern), pattern


def _takes_an_id(route: str, pattern: URLPattern) -> bool:
    converters = pattern.pattern.converters
    if route.startswith(API_PREFIX):
        return bool(converters)  # every API path parameter names an object ({gate_id}, {code})
    return any(isinstance(c, ID_CONVERTERS) for c in converters.values())


def id_urls() -> dict[str, str]:
    """`{url name: route}` of every URL of ours that takes an object id."""
    return {
        name: route
        for name, route, pattern in _walk(get_resolver().url_patterns)
        if not route.startswith(OUTSIDE) and _takes_an_id(route, pattern)
    }


def _bare(route: str) -> str:
    """`places/id/<int:place_id>` and `/places/id/{place_id}` both -> `places/id/<place_id>`."""
    route = re.sub(r"\{(?:\w+:)?(\w+)\}", r"<\1>", route)
    return re.sub(r"<\w+:(\w+)>", r"<\1>", route).strip("/")


def api_paths_with_parameters() -> set[str]:
    return {
        _bare(API_PREFIX + prefix.strip("/") + "/" + path.strip("/"))
        for prefix, router in api._routers
        for path in router.path_operations
        if "{" in path
    }


# The objects of 松花巷, made once for the whole walk.


class Songhua:
    def __init__(self, demo: Any) -> None:
        self.demo = demo
        self.community = demo.places["songhua"]
        self.compound = demo.places["songhua_compound"]
        self.household = demo.places["songhua_household"]
        self.staff = demo.songhua_staff

    @cached_property
    def person(self) -> Person:
        return (
            Person.objects.filter(place_path__startswith=self.community.path)
            .exclude(phone_index="")
            .select_related("household__place")
            .order_by("pk")
            .first()
        )

    @cached_property
    def notice(self) -> Any:
        from tongzhou.notices.services import NoticeDraft, notice_create, notice_send

        draft = NoticeDraft(
            place=self.compound,
            title="核酸检测通知",
            body="明日8时在小区门口检测。",
            valid_from=timezone.localdate(),
            valid_to=None,
            audience="residents",
        )
        return notice_send(actor=self.staff, notice=notice_create(actor=self.staff, draft=draft))

    @cached_property
    def notice_file(self) -> Any:
        """A file on a draft notice of 松花巷 (a draft's signed link opens nothing)."""
        from tongzhou.notices.services import NoticeDraft, notice_attach, notice_create

        draft = NoticeDraft(
            place=self.compound,
            title="停水通知",
            body="明日9时至12时停水。",
            valid_from=timezone.localdate(),
            valid_to=None,
            audience="residents",
        )
        notice = notice_create(actor=self.staff, draft=draft)
        return notice_attach(actor=self.staff, notice=notice, name="通知.pdf", data=b"%PDF-1.4\n%%EOF\n")

    @cached_property
    def supplies(self) -> dict[str, Any]:
        """A storeroom of 松花巷 with masks, a transfer on its way to a gate's box, a hand-out to a
        worker of 松花巷 and a donation."""
        from tongzhou.supplies.models import DonationKind, DonorKind, ItemKind, StoreKind
        from tongzhou.supplies.services.catalogue import item_create, store_create
        from tongzhou.supplies.services.donations import donation_record
        from tongzhou.supplies.services.handouts import handout_issue
        from tongzhou.supplies.services.ledger import stock_receive, stock_transfer
        from tongzhou.supplies.services.requisitions import AskedLine, requisition_submit

        item = item_create(actor=None, name="口罩（松花巷）", kind=ItemKind.MASK, unit="只")
        store = store_create(actor=None, place=self.community, name="松花巷储藏室", kind=StoreKind.STOREROOM)
        box = store_create(actor=None, place=self.compound, name="松花巷卡点箱", kind=StoreKind.CHECKPOINT_BOX)
        received = stock_receive(actor=None, store=store, item=item, quantity=100)
        on_the_way = stock_transfer(actor=None, source=store, destination=box, item=item, quantity=10)[-1]
        handout = handout_issue(actor=None, store=store, recipient=self.staff, lines=[(item, 5)])
        donation = donation_record(
            actor=None,
            place=self.community,
            donor_name="松花巷某公司",
            donor_kind=DonorKind.COMPANY,
            kind=DonationKind.MONEY,
            amount="1000",
            purpose="购买口罩",
        )
        warehouse = store_create(actor=None, place=self.demo.places["er_ge"], name="街道仓库", kind=StoreKind.WAREHOUSE)
        stock_receive(actor=None, store=warehouse, item=item, quantity=100)
        requisition = requisition_submit(
            actor=self.staff, store=store, reason="卡点用", lines=[AskedLine(item_id=item.pk, quantity="20")]
        )
        from io import BytesIO

        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        from tongzhou.supplies.fund_services import (
            BoughtLine,
            donation_to_fund,
            fund_create,
            grant_apply,
            purchase_record,
        )

        fund = fund_create(actor=None, place=self.community, name="松花巷防疫资金")
        donation_to_fund(actor=None, fund=fund, donation=donation)
        grant = grant_apply(actor=None, fund=fund, applicant="松花巷工会", funder="职工保险互助会", amount="500")
        photo = BytesIO()
        Image.new("RGB", (8, 8), "white").save(photo, format="PNG")
        purchase = purchase_record(
            actor=None,
            fund=fund,
            store=store,
            supplier="松花巷药店",
            amount="100",
            lines=[BoughtLine(item.pk, 10)],
            invoice=SimpleUploadedFile("i.png", photo.getvalue(), content_type="image/png"),
        )
        return {
            "fund": fund,
            "grant": grant,
            "purchase": purchase,
            "requisition": requisition,
            "item": item,
            "store": store,
            "box": box,
            "received": received,
            "on_the_way": on_the_way,
            "handout": handout,
            "donation": donation,
        }

    @cached_property
    def distribution(self) -> Any:
        """Parcels for 松花巷8号院's households out of 松花巷's storeroom, one building packed."""
        from tongzhou.supplies.distribution_services import ParcelLine, distribution_create, distribution_pack

        distribution = distribution_create(
            actor=None,
            place=self.compound,
            store=self.supplies["store"],
            name="松花巷蔬菜包",
            lines=[ParcelLine(self.supplies["item"].pk, 1)],
        )
        row = distribution.households.order_by("pk").first()
        distribution_pack(actor=None, distribution=distribution, building_id=row.building_id)
        return distribution

    @cached_property
    def story(self) -> Any:
        from tongzhou.notices.stories.services import StoryDraft, story_create

        return story_create(
            actor=self.staff, draft=StoryDraft(place=self.compound, title="邻里守望", body="卡点值守。")
        )

    @cached_property
    def story_photo(self) -> Any:
        from io import BytesIO

        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        from tongzhou.notices.stories.services import story_photo_add

        data = BytesIO()
        Image.new("RGB", (8, 8)).save(data, "PNG")
        upload = SimpleUploadedFile("p.png", data.getvalue(), "image/png")
        return story_photo_add(actor=self.staff, story=self.story, upload=upload, credit="摄影")

    @cached_property
    def taian_link(self) -> str:
        """A 泰安巷 resident's own personal link (theirs, not the 松花巷 resident's)."""
        taian = Person.objects.filter(place_path__startswith=self.demo.places["taian"].path).order_by("pk").first()
        return personal_link_token(taian)

    @cached_property
    def role(self) -> RoleAssignment:
        return RoleAssignment.objects.select_related("place").get(user=self.staff, place=self.community)

    @cached_property
    def import_job(self) -> ImportJob:
        return ImportJob.objects.create(
            importer="residents",
            place_path=self.compound.path,
            place_name=self.compound.name,
            created_by=self.staff,
            filename="居民.xlsx",
        )

    @cached_property
    def welfare(self) -> dict[str, Any]:
        """A plan of 松花巷's welfare officer, one enrollment, a gift waiting, a claim, a campaign."""
        from decimal import Decimal

        from tongzhou.accounts.models import User
        from tongzhou.accounts.services import role_grant
        from tongzhou.people.services import organisation_get_or_create
        from tongzhou.welfare.models import Enrollment
        from tongzhou.welfare.services.campaigns import campaign_create
        from tongzhou.welfare.services.claims import ClaimData, claim_file
        from tongzhou.welfare.services.plans import (
            MemberData,
            PlanData,
            enrollments_create,
            gift_request_create,
            plan_create,
        )
        from tongzhou.welfare.services.units import invoice_issue, unit_contact_create, unit_enroll

        officer = User.objects.create_user("songhua_welfare", password="welfare-password-1")
        role_grant(actor=None, user=officer, role="welfare_officer", place=self.community)
        union = organisation_get_or_create(actor=None, name="松花巷工会", kind="trade_union", place=self.community)
        today = timezone.localdate()
        plan = plan_create(
            actor=officer,
            place=self.community,
            data=PlanData(
                name="松花巷互助保障",
                sponsor=union,
                contribution=Decimal(30),
                starts_on=today - timedelta(days=30),
                ends_on=today + timedelta(days=30),
                waiting_days=0,
                places_total=10,
                benefits={"accident": Decimal(1000)},
            ),
        )
        first17 = "52010219700101321"
        [enrollment] = enrollments_create(
            actor=officer,
            plan=plan,
            members=[MemberData(name="松保", id_number=first17 + check_digit(first17), phone="13500003210")],
        )
        Enrollment.objects.filter(pk=enrollment.pk).update(covered_from=today - timedelta(days=10))
        enrollment.refresh_from_db()
        claim = claim_file(
            actor=officer,
            enrollment=enrollment,
            data=ClaimData(
                coverage="accident", event_on=today - timedelta(days=1), description="摔伤", amount=Decimal(100)
            ),
        )
        gift = gift_request_create(actor=officer, plan=plan, volunteers=[self.volunteer])
        campaign = campaign_create(
            actor=officer,
            place=self.community,
            name="松花巷慰问",
            organisation=union,
            targets=[(self.volunteer, 3)],
        )
        # A second campaign whose visit is recorded with a photo (the photo URL).
        from io import BytesIO

        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        from tongzhou.welfare.models import Visit
        from tongzhou.welfare.services.campaigns import visit_record

        png = BytesIO()
        Image.new("RGB", (4, 4), (200, 30, 40)).save(png, "PNG")
        visited = campaign_create(
            actor=officer,
            place=self.community,
            name="松花巷慰问二",
            organisation=union,
            targets=[(self.volunteer, 3)],
        )
        visit = visit_record(
            actor=officer,
            visit=Visit.objects.get(campaign=visited),
            visited_by="工会",
            photo=SimpleUploadedFile("visit.png", png.getvalue()),
        )
        job = ImportJob.objects.create(
            importer="welfare_enrollments",
            place_path=self.community.path,
            place_name=self.community.name,
            created_by=officer,
            filename="名单.xlsx",
        )
        # The union's own account, a member it enrolled, its invoice and an upload of its staff list.
        contact = unit_contact_create(
            actor=officer,
            place=self.community,
            organisation=union,
            username="songhua_unit",
            password="Unit-contact-password-1",
        )
        first17 = "52010219700101322"
        unit_enroll(
            actor=contact.user,
            organisation=union,
            plan=plan,
            members=[MemberData(name="松工", id_number=first17 + check_digit(first17), phone="13500003220")],
        )
        invoice = invoice_issue(actor=officer, plan=plan, organisation=union)
        unit_job = ImportJob.objects.create(
            importer="welfare_unit_enrollments",
            place_path=self.community.path,
            place_name=self.community.name,
            created_by=contact.user,
            filename="本单位名单.xlsx",
        )
        return {
            "plan": plan,
            "enrollment": enrollment,
            "claim": claim,
            "gift": gift,
            "campaign": campaign,
            "job": job,
            "union": union,
            "invoice": invoice,
            "unit_job": unit_job,
            "visit": visit,
        }

    @cached_property
    def test_round(self) -> Any:
        from tongzhou.testing.services import RoundData, round_advance, round_create

        today = timezone.localdate()
        data = RoundData(place=self.compound, name="松花巷筛查", starts_on=today, ends_on=today, pool_size=5)
        return round_advance(actor=self.staff, test_round=round_create(actor=self.staff, data=data))

    @cached_property
    def results_job(self) -> ImportJob:
        return ImportJob.objects.create(
            importer="test_results",
            place_path=self.compound.path,
            place_name=self.compound.name,
            created_by=self.staff,
            filename="结果.xlsx",
        )

    @cached_property
    def help_request(self) -> Any:
        data = HelpData(category=Category.GROCERIES, urgency=Urgency.NORMAL, summary="大米一袋", person=self.person)
        return help_request_create(actor=self.staff, data=data)

    @cached_property
    def purchase(self) -> Purchase:
        return Purchase.objects.create(help_request=self.help_request, items="大米", amount=30, bought_by=self.staff)

    @cached_property
    def key_person(self) -> Any:
        return key_person_register(
            actor=self.demo.health_officer,
            person=self.person,
            reason=Reason.RISK_AREA,
            risk_area="武汉",
            evidence="行程卡",
        )

    @cached_property
    def order(self) -> Any:
        return order_create(actor=self.demo.health_officer, key_person=self.key_person, kind=OrderKind.HOME_ISOLATION)

    @cached_property
    def health_check(self) -> HealthCheck:
        return HealthCheck.objects.create(order=self.order, done_at=timezone.now(), method="phone", temperature=36.5)

    @cached_property
    def override(self) -> Override:
        return Override.objects.create(
            order=self.order,
            action=OrderAction.EXTENDED,
            planned_end_on=self.order.planned_end_on + timedelta(days=30),
            reason="复核",
            evidence="报告",
            status=OverrideStatus.PENDING,
            requested_by=self.demo.health_officer,
        )

    def _signup(self, n: int) -> Any:
        first17 = f"52010219910101{n:03d}"
        return volunteer_signup(
            data=SignupData(
                name=f"松花志愿者{n}",
                phone=f"1370000{n:04d}",
                id_number=first17 + check_digit(first17),
                community_id=self.community.pk,
                skills=[],
                slots=[],
                consent=True,
            )
        )

    @cached_property
    def applicant(self) -> Any:
        return self._signup(1)

    @cached_property
    def volunteer(self) -> Any:
        return volunteer_vet(actor=self.staff, volunteer=self._signup(2), approve=True)

    @cached_property
    def team(self) -> Any:
        return team_create(actor=self.staff, place=self.community, name="松花巷志愿队", kind=TeamKind.VOLUNTEER_TEAM)

    @cached_property
    def post(self) -> Any:
        return post_create(actor=self.staff, place=self.compound, name="松花巷8号院北门岗", duty=Duty.GATE)

    @cached_property
    def roster(self) -> Roster:
        today = timezone.localdate()
        return Roster.objects.create(
            place=self.community,
            place_path=self.community.path,
            starts_on=today,
            ends_on=today,
            status=RosterStatus.DONE,
            created_by=self.staff,
        )

    @cached_property
    def shift(self) -> Shift:
        start = timezone.now() + timedelta(days=1)
        return Shift.objects.create(
            post=self.post,
            place_path=self.post.place_path,
            start=start,
            end=start + timedelta(hours=4),
            min_people=1,
            max_people=3,
            published=True,
        )

    @cached_property
    def assignment(self) -> Assignment:
        return Assignment.objects.create(shift=self.shift, volunteer=self.volunteer, source=Source.MANUAL)

    @cached_property
    def gate(self) -> Any:
        return gate_create(actor=self.staff, compound=self.compound, name="松花巷8号院北门")

    @cached_property
    def pass_(self) -> Any:
        self.gate  # noqa: B018 (the compound's gate first, as at a real compound)
        return passes_issue(actor=self.staff, place=self.compound)[0]

    @cached_property
    def control_change(self) -> Any:
        return control_request(actor=self.demo.street_admin, place=self.compound, level="sealed", reason="封控")

    @cached_property
    def shift_change(self) -> ChangeRequest:
        return ChangeRequest.objects.create(
            assignment=self.assignment, kind=ChangeKind.DROP, reason="有事", requested_by=self.demo.songhua_staff
        )

    @cached_property
    def fever_alert(self) -> Alert:
        return alert_raise(
            kind="fever", place=self.compound, subject_label="松花巷居民", details={"temperature": "38.6"}
        )

    def scan(self) -> dict[str, Any]:
        return {
            "pass_token": pass_token(self.pass_),
            "direction": "out",
            "temperature": 36.5,
            "client_uuid": str(uuid.uuid4()),
            "scanned_at": timezone.now().isoformat(),
        }


@dataclass
class Target:
    """What to request: the object (in 松花巷: `path`), the URL's arguments and a POST body that
    would do something if the object were reachable."""

    obj: Model
    path: str
    kwargs: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    json: bool = False


def _place(place: Any, key: str = "pk", **data: Any) -> Target:
    return Target(place, place.path, {key: place.pk}, data)


def _at(obj: Any, path: str, key: str = "pk", **data: Any) -> Target:
    return Target(obj, path, {key: obj.pk}, data)


# url name -> the 松花巷 object it is tried with. A new URL that takes an id needs an entry here.
REGISTRY: dict[str, Callable[[Songhua], Target]] = {
    "places:detail": lambda s: _place(s.compound),
    "places:create": lambda s: _place(s.compound, kind="building", name="3栋"),
    "places:create_building": lambda s: _place(s.compound, name="3栋", units=1, floors=2, rooms_per_floor=2),
    "places:rename": lambda s: _place(s.compound, name="改名院"),
    "places:export": lambda s: _place(s.compound),
    "places:household": lambda s: _at(s.household, s.household.place.path),
    "accounts:role_revoke": lambda s: _at(s.role, s.role.place.path),
    "accounts:place_members": lambda s: _place(
        s.community, username="intruder", password="Intruder-password-1", role="community_staff"
    ),
    "accounts:phone_reveal": lambda s: Target(s.role, s.role.place.path, {"pk": s.staff.pk}, {"purpose": "核实身份"}),
    "people:detail": lambda s: _at(s.person, s.person.place_path),
    "people:edit": lambda s: _at(s.person, s.person.place_path, name="改名"),
    "people:reveal": lambda s: Target(
        s.person, s.person.place_path, {"pk": s.person.pk, "field": "phone"}, {"purpose": "核实身份"}
    ),
    "people:move": lambda s: _at(s.person, s.person.place_path, action="move_out"),
    "people:send_link": lambda s: _at(s.person, s.person.place_path),
    "people:revoke_links": lambda s: _at(s.person, s.person.place_path),
    "people:import_job": lambda s: _at(s.import_job, s.import_job.place_path),
    "people:import_errors": lambda s: _at(s.import_job, s.import_job.place_path),
    "welfare:plan": lambda s: _at(s.welfare["plan"], s.welfare["plan"].place_path, name="改"),
    "welfare:proposals": lambda s: _at(s.welfare["plan"], s.welfare["plan"].place_path, volunteer="1"),
    "welfare:upload": lambda s: _at(s.welfare["plan"], s.welfare["plan"].place_path),
    "welfare:job": lambda s: _at(s.welfare["job"], s.welfare["job"].place_path),
    "welfare:job_errors": lambda s: _at(s.welfare["job"], s.welfare["job"].place_path),
    "welfare:gift": lambda s: _at(s.welfare["gift"], s.welfare["gift"].place_path, decision="approve"),
    "welfare:certificate": lambda s: _at(s.welfare["enrollment"], s.welfare["enrollment"].place_path),
    "welfare:claim_new": lambda s: _at(s.welfare["enrollment"], s.welfare["enrollment"].place_path, amount="1"),
    "welfare:claim": lambda s: _at(s.welfare["claim"], s.welfare["claim"].place_path, to="checked"),
    "welfare:campaign": lambda s: _at(s.welfare["campaign"], s.welfare["campaign"].place_path, visited_by="x"),
    "welfare:plan_units": lambda s: _at(
        s.welfare["plan"], s.welfare["plan"].place_path, action="invoice", organisation=s.welfare["union"].pk
    ),
    "welfare:invoice": lambda s: _at(s.welfare["invoice"], s.welfare["invoice"].place_path, note="已付"),
    "welfare:invoice_pdf": lambda s: _at(s.welfare["invoice"], s.welfare["invoice"].place_path),
    "welfare:unit": lambda s: _at(
        s.welfare["union"],
        s.welfare["plan"].place_path,
        plan=s.welfare["plan"].pk,
        name="闯入",
        id_number="520102197001013230",
        phone="13500003230",
    ),
    "welfare:unit_job": lambda s: _at(s.welfare["unit_job"], s.welfare["unit_job"].place_path),
    "welfare:unit_job_errors": lambda s: _at(s.welfare["unit_job"], s.welfare["unit_job"].place_path),
    "welfare:visit_photo": lambda s: Target(
        s.welfare["visit"],
        s.welfare["visit"].campaign.place_path,
        {"pk": s.welfare["visit"].campaign_id, "visit_pk": s.welfare["visit"].pk},
    ),
    "testing:round": lambda s: _at(s.test_round, s.test_round.place_path),
    "testing:advance": lambda s: _at(s.test_round, s.test_round.place_path),
    "testing:notify": lambda s: _at(s.test_round, s.test_round.place_path),
    "testing:request_control": lambda s: _at(s.test_round, s.test_round.place_path, building=1),
    "testing:sample": lambda s: _at(s.test_round, s.test_round.place_path, person=s.person.pk, barcode="SH-1"),
    "testing:untested": lambda s: _at(s.test_round, s.test_round.place_path),
    "testing:sites": lambda s: _at(s.test_round, s.test_round.place_path, action="plan", site=1),
    "testing:custody": lambda s: _at(s.test_round, s.test_round.place_path, action="hand", **{"hand-box": "X"}),
    "testing:results_upload": lambda s: _at(s.test_round, s.test_round.place_path),
    "testing:results_job": lambda s: _at(s.results_job, s.results_job.place_path),
    "testing:results_errors": lambda s: _at(s.results_job, s.results_job.place_path),
    "testing:notice": lambda s: Target(
        s.test_round, s.test_round.place_path, {"pk": s.test_round.pk, "place_id": s.household.place_id}
    ),
    "assistance:detail": lambda s: _at(s.help_request, s.help_request.place_path),
    "assistance:claim": lambda s: _at(s.help_request, s.help_request.place_path),
    "assistance:move": lambda s: _at(s.help_request, s.help_request.place_path, to="cancelled", note="x"),
    "assistance:assign": lambda s: _at(s.help_request, s.help_request.place_path),
    "assistance:purchase_new": lambda s: _at(s.help_request, s.help_request.place_path, items="米", amount="10"),
    "assistance:receipt": lambda s: Target(
        s.purchase, s.help_request.place_path, {"pk": s.help_request.pk, "purchase_pk": s.purchase.pk}
    ),
    "assistance:repaid": lambda s: Target(
        s.purchase, s.help_request.place_path, {"pk": s.help_request.pk, "purchase_pk": s.purchase.pk}
    ),
    # The resident's own page: a 泰安巷 resident's link, a 松花巷 resident's request.
    "portal:help_request": lambda s: Target(
        s.help_request, s.help_request.place_path, {"token": s.taian_link, "pk": s.help_request.pk}, {"rating": "5"}
    ),
    "monitoring:key_person_new": lambda s: _at(
        s.person, s.person.place_path, "person_pk", reason=Reason.RISK_AREA, risk_area="武汉"
    ),
    "monitoring:key_person": lambda s: _at(s.key_person, s.key_person.place_path),
    "monitoring:order_new": lambda s: _at(s.key_person, s.key_person.place_path, kind=OrderKind.HOME_ISOLATION),
    "monitoring:order": lambda s: _at(s.order, s.order.place_path),
    "monitoring:order_change": lambda s: _at(s.order, s.order.place_path, action="released", reason="期满"),
    "monitoring:check_new": lambda s: _at(s.order, s.order.place_path, method="phone", temperature="36.5"),
    "monitoring:notice": lambda s: _at(s.order, s.order.place_path),
    "monitoring:check": lambda s: _at(s.health_check, s.order.place_path),
    "monitoring:override_decide": lambda s: _at(s.override, s.order.place_path, decision="approve"),
    "volunteers:vet": lambda s: _at(s.applicant, s.applicant.place_path, decision="approve"),
    "volunteers:team": lambda s: _at(s.team, s.team.place_path, members=[s.volunteer.pk]),
    "volunteers:take": lambda s: _at(s.shift, s.shift.place_path),
    "volunteers:ask_change": lambda s: _at(s.assignment, s.shift.place_path, reason="有事"),
    "volunteers:leader_mark": lambda s: _at(s.assignment, s.shift.place_path),
    "volunteers:post": lambda s: _at(s.post, s.post.place_path),
    "volunteers:post_sign": lambda s: _at(s.post, s.post.place_path),
    "volunteers:roster": lambda s: _at(s.roster, s.roster.place_path),
    "volunteers:roster_edit": lambda s: _at(s.roster, s.roster.place_path, action="publish"),
    # The approval queue's page of one request: a 松花巷 shift drop (泰安巷 staff decide drops too).
    "approvals:detail": lambda s: Target(
        s.shift_change, s.shift.place_path, {"kind": "shift-change", "pk": s.shift_change.pk}, {"decision": "approve"}
    ),
    "checkpoints:level_decide": lambda s: _at(s.control_change, s.control_change.place_path, approve="true"),
    "checkpoints:scan": lambda s: _at(s.gate, s.gate.place_path, "gate_id"),
    "checkpoints:visitor_new": lambda s: _at(s.gate, s.gate.place_path, "gate_id"),
    "checkpoints:passes": lambda s: _place(s.compound, "place_id"),
    "checkpoints:pass_cards": lambda s: _place(s.compound, "place_id"),
    "checkpoints:pass_revoke": lambda s: _at(s.pass_, s.pass_.place_path, reason="遗失"),
    "alerts:detail": lambda s: _at(s.fever_alert, s.fever_alert.place_path, outcome="released"),
    "notices:detail": lambda s: _at(s.notice, s.notice.place_path, action="send"),
    "notices:new_version": lambda s: _at(s.notice, s.notice.place_path, title="x", body="y", audience="residents"),
    "notices:doors": lambda s: _at(s.notice, s.notice.place_path, reach=s.notice.reach.first().pk),
    "notices:door_pdf": lambda s: _at(s.notice, s.notice.place_path),
    "notices:attachment": lambda s: Target(
        s.notice_file,
        s.notice_file.notice.place_path,
        {"pk": s.notice_file.notice_id, "attachment_pk": s.notice_file.pk},
    ),
    "notices:public_attachment": lambda s: Target(
        s.notice_file,
        s.notice_file.notice.place_path,
        {"token": notice_token(s.notice_file.notice), "attachment_pk": s.notice_file.pk},
    ),
    "supplies:stock_place": lambda s: _place(s.community),
    "supplies:store": lambda s: _at(s.supplies["store"], s.supplies["store"].place_path),
    "supplies:issue": lambda s: _at(
        s.supplies["store"],
        s.supplies["store"].place_path,
        **{"issue-item": s.supplies["item"].pk, "issue-quantity": "5"},
    ),
    "supplies:receive": lambda s: _at(
        s.supplies["store"],
        s.supplies["store"].place_path,
        **{"receive-item": s.supplies["item"].pk, "receive-quantity": "5"},
    ),
    "supplies:transfer": lambda s: _at(
        s.supplies["store"],
        s.supplies["store"].place_path,
        **{
            "transfer-destination": s.supplies["box"].pk,
            "transfer-item": s.supplies["item"].pk,
            "transfer-quantity": "5",
        },
    ),
    "supplies:handout": lambda s: _at(
        s.supplies["store"],
        s.supplies["store"].place_path,
        **{"handout-recipient": s.staff.pk, "handout-item": s.supplies["item"].pk, "handout-quantity": "1"},
    ),
    "supplies:arrive": lambda s: _at(s.supplies["on_the_way"], s.supplies["on_the_way"].store.place_path),
    "supplies:reverse": lambda s: _at(s.supplies["received"], s.supplies["received"].store.place_path, note="错账"),
    "supplies:confirm": lambda s: _at(s.supplies["handout"], s.supplies["handout"].place_path),
    "supplies:minimums": lambda s: _at(
        s.supplies["store"], s.supplies["store"].place_path, item=s.supplies["item"].pk, quantity="50"
    ),
    "supplies:requisition": lambda s: _at(s.supplies["requisition"], s.supplies["requisition"].place_path),
    "supplies:requisition_decide": lambda s: _at(
        s.supplies["requisition"],
        s.supplies["requisition"].place_path,
        decision="approve",
        **{f"approved-{line.pk}": "20" for line in s.supplies["requisition"].lines.all()},
    ),
    "supplies:requisition_issue": lambda s: _at(s.supplies["requisition"], s.supplies["requisition"].place_path),
    "supplies:requisition_receive": lambda s: _at(s.supplies["requisition"], s.supplies["requisition"].place_path),
    "supplies:donation": lambda s: _at(s.supplies["donation"], s.supplies["donation"].place_path),
    "supplies:receipt": lambda s: _at(s.supplies["donation"], s.supplies["donation"].place_path),
    "supplies:distribution": lambda s: _at(s.distribution, s.distribution.place_path),
    "supplies:distribution_pack": lambda s: _at(
        s.distribution, s.distribution.place_path, building=s.distribution.households.first().building_id
    ),
    "supplies:distribution_runner": lambda s: _at(
        s.distribution,
        s.distribution.place_path,
        building=s.distribution.households.first().building_id,
        user=s.demo.users["volunteer"].pk,
    ),
    "supplies:packing_list": lambda s: Target(
        s.distribution,
        s.distribution.place_path,
        {"pk": s.distribution.pk, "building_pk": s.distribution.households.first().building_id},
    ),
    "supplies:packing_pdf": lambda s: Target(
        s.distribution,
        s.distribution.place_path,
        {"pk": s.distribution.pk, "building_pk": s.distribution.households.first().building_id},
    ),
    # The building lead's phone page: 松花巷's households are not theirs to tick.
    "supplies:deliver": lambda s: Target(
        s.distribution.households.order_by("pk").first(),
        s.distribution.place_path,
        {"pk": s.distribution.pk},
        {"row": s.distribution.households.order_by("pk").first().pk},
    ),
    "supplies:fund": lambda s: _at(s.supplies["fund"], s.supplies["fund"].place_path),
    "supplies:fund_put_in": lambda s: _at(
        s.supplies["fund"], s.supplies["fund"].place_path, **{"put-donation": s.supplies["donation"].pk}
    ),
    "supplies:fund_grant": lambda s: _at(
        s.supplies["fund"],
        s.supplies["fund"].place_path,
        **{"grant-applicant": "工会", "grant-funder": "互助会", "grant-amount_asked": "100"},
    ),
    "supplies:purchase_create": lambda s: _at(
        s.supplies["fund"],
        s.supplies["fund"].place_path,
        **{
            "supplier": "药店",
            "amount": "10",
            "store": s.supplies["store"].pk,
            "line-TOTAL_FORMS": "1",
            "line-INITIAL_FORMS": "0",
            "line-0-item": s.supplies["item"].pk,
            "line-0-quantity": "1",
        },
    ),
    "supplies:grant_answer": lambda s: _at(
        s.supplies["grant"],
        s.supplies["grant"].place_path,
        **{"answer-decision": "approve", "answer-amount_approved": "100"},
    ),
    "supplies:purchase": lambda s: _at(s.supplies["purchase"], s.supplies["purchase"].place_path),
    "supplies:invoice": lambda s: _at(s.supplies["purchase"], s.supplies["purchase"].place_path),
    "stories:detail": lambda s: _at(s.story, s.story.place_path, action="submit"),
    "stories:edit": lambda s: _at(s.story, s.story.place_path, place=s.compound.pk, title="改", body="改"),
    "stories:photos": lambda s: _at(s.story, s.story.place_path, credit="摄影"),
    "stories:photo": lambda s: Target(
        s.story_photo, s.story.place_path, {"pk": s.story.pk, "photo_pk": s.story_photo.pk}
    ),
    # The street's public page: a 松花巷 draft is not there for anyone.
    "stories:public": lambda s: Target(s.story, s.story.place_path, {"code": s.story.street.code, "pk": s.story.pk}),
    "stories:public_photo": lambda s: Target(
        s.story_photo,
        s.story.place_path,
        {"code": s.story.street.code, "pk": s.story.pk, "photo_pk": s.story_photo.pk},
    ),
    "api:place_by_id": lambda s: _place(s.compound, "place_id"),
    "api:children_by_id": lambda s: _place(s.compound, "place_id"),
    "api:daily": lambda s: Target(
        s.community, s.community.path, {"place": s.community.code, "day": timezone.localdate().isoformat()}
    ),
    "api:welfare_plan_counts": lambda s: Target(
        s.welfare["plan"], s.welfare["plan"].place_path, {"plan_id": s.welfare["plan"].pk}
    ),
    "api:place_by_code": lambda s: Target(s.community, s.community.path, {"code": s.community.code}),
    "api:children_by_code": lambda s: Target(s.community, s.community.path, {"code": s.community.code}),
    "api:checkpoint_passage": lambda s: Target(s.gate, s.gate.place_path, {"gate_id": s.gate.pk}, s.scan(), True),
    "api:checkpoint_passage_batch": lambda s: Target(
        s.gate, s.gate.place_path, {"gate_id": s.gate.pk}, {"items": [s.scan()]}, True
    ),
    "api:checkpoint_passes": lambda s: _at(s.gate, s.gate.place_path, "gate_id"),
    "api:checkpoint_search": lambda s: _at(s.gate, s.gate.place_path, "gate_id"),
    "api:testing_samples_batch": lambda s: Target(
        s.test_round,
        s.test_round.place_path,
        {"round_id": s.test_round.pk},
        {
            "items": [
                {
                    "client_uuid": str(uuid.uuid4()),
                    "person_id": s.person.pk,
                    "barcode": "SH-9",
                    "taken_at": timezone.now().isoformat(),
                }
            ]
        },
        True,
    ),
}


def test_every_url_that_takes_an_id_is_tried():
    urls = id_urls()
    assert len(urls) > 40
    assert sorted(set(urls) - set(REGISTRY)) == [], "URLs that take an id but are not in REGISTRY"
    assert sorted(set(REGISTRY) - set(urls)) == [], "REGISTRY entries for URLs that no longer exist"
    # The API's routers, read on their own: every path with a parameter was among the URLs walked.
    walked = {_bare(route) for route in urls.values()}
    assert api_paths_with_parameters() - walked == set()


def _snapshot(targets: list[Target]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """The row count of every table of ours, and every field of every target."""
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("tongzhou.") or model._meta.label == "auth.Group"
    }
    fields = [model_to_dict(type(t.obj)._default_manager.get(pk=t.obj.pk)) for t in targets]
    return counts, fields


def _refused(response: Any, persona: str | None, api_call: bool, login_url: str) -> bool:
    if response.status_code == 405:  # the method is refused before anything is read
        return True
    if persona is not None:
        return response.status_code == 404
    if api_call:
        return response.status_code == 401
    if response.status_code == 302:
        return response["Location"].startswith(login_url)
    return response.status_code == 404  # a public page keyed by a personal link


def test_another_communitys_objects_answer_as_absent_and_nothing_changes(demo):
    songhua = Songhua(demo)
    urls = id_urls()
    targets = {name: REGISTRY[name](songhua) for name in sorted(urls)}
    outside = [name for name, t in targets.items() if not is_within(t.path, songhua.community.path)]
    assert outside == [], "REGISTRY objects that are not in 松花巷"

    clients: dict[str | None, Client] = {None: Client()}
    for username in PERSONAS:
        if username is not None:
            clients[username] = Client()
            clients[username].force_login(demo.users[username])
    login_url = resolve_url(settings.LOGIN_URL)
    before = _snapshot(list(targets.values()))
    wrong = []
    for name, target in targets.items():
        url = reverse(name, kwargs=target.kwargs)
        api_call = urls[name].startswith(API_PREFIX)
        for persona in PERSONAS:
            client = clients[persona]
            responses = {
                "GET": client.get(url),
                "POST": client.post(url, target.data, content_type="application/json")
                if target.json
                else client.post(url, target.data),
            }
            for method, response in responses.items():
                if not _refused(response, persona, api_call, login_url):
                    wrong.append(f"{name} {method} as {persona or 'anonymous'}: {response.status_code}")
    assert wrong == []
    after = _snapshot(list(targets.values()))
    assert after[0] == before[0]
    changed = [name for name, old, new in zip(targets, before[1], after[1], strict=True) if old != new]
    assert changed == []

    # The 404s mean something: 松花巷 staff open the very objects the walk was refused.
    owner = Client()
    owner.force_login(songhua.staff)
    for name in (
        "places:detail",
        "people:detail",
        "volunteers:post",
        "checkpoints:passes",
        "api:place_by_id",
        "approvals:detail",
    ):
        assert owner.get(reverse(name, kwargs=targets[name].kwargs)).status_code == 200, name
