"""A member unit's staff list on the import framework (tongzhou.core.imports): one row per person
(name, ID card number, phone, the unit's name and the plan's number). A bad ID or phone, an unknown
plan or unit, a person twice in the file or enrolled already, and rows beyond the plan's places
left are row errors; the writer enrolls through `enrollments_create` (the budget is held there)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzhou.core.imports.base import Bad, Checked, Column, GoodRow, Importer, RowError
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import blind_index
from tongzhou.core.scope import subtree_q
from tongzhou.core.services import audit_log
from tongzhou.people.models import Organisation, normalise_organisation_name
from tongzhou.places.models import Place, PlaceKind
from tongzhou.welfare.audit import WelfareAudit
from tongzhou.welfare.models import Enrollment, EnrollmentSource, Plan, UnitContact
from tongzhou.welfare.selectors.units import UNIT_IMPORTER
from tongzhou.welfare.services.plans import MemberData, clean_member, enrollments_create
from tongzhou.welfare.services.units import unit_enroll

NAME, ID_NUMBER, PHONE, UNIT, PLAN = "姓名", "身份证号", "手机号", "单位", "计划编号"


class EnrollmentImporter(Importer):
    name = "welfare_enrollments"
    title = gettext_lazy("Enroll a member unit's staff")
    help_text = gettext_lazy(
        "One row per person: name, ID card number, mobile phone, the member unit's name as recorded "
        "and the plan's number (shown on the plan's page)."
    )
    permission = Perm.WELFARE_MANAGE
    place_kinds = (PlaceKind.DISTRICT, PlaceKind.STREET, PlaceKind.COMMUNITY)
    columns = (
        Column(NAME, required=True, example="张三", width=10, aliases=("name",)),
        Column(ID_NUMBER, required=True, example="520102199001011234", width=22, aliases=("id_number",)),
        Column(PHONE, required=True, example="13800000000", width=14, aliases=("phone",)),
        Column(UNIT, example="南明区总工会", width=20, aliases=("unit", "organisation")),
        Column(PLAN, required=True, example="1", width=10, aliases=("plan",)),
    )
    sheet_title = "参保名单"
    template_filename = "tongzhou-welfare-enrollment-template.xlsx"
    unique_column = ID_NUMBER
    duplicate_message = gettext_lazy("The same person as row %(row)d.")
    command_noun = "enrollments"
    batch_size = 1000

    def prepare(self) -> None:
        self.plans = {str(p.pk): p for p in Plan.objects.filter(subtree_q(self.place_path, "place_path"))}
        street_paths = [self.place_path]
        place = Place.objects.filter(path=self.place_path).first()
        if place is not None and place.parent is not None:
            street_paths.append(place.parent.path)
        self.units = {o.normalised_name: o for o in Organisation.objects.filter(place__path__in=street_paths)}

    def check_row(self, text: dict[str, str], cells: dict[str, Any], bad: Bad) -> dict[str, Any]:
        values: dict[str, Any] = {}
        try:
            values["name"], values["id_number"], values["phone"] = clean_member(
                MemberData(name=text.get(NAME, ""), id_number=text.get(ID_NUMBER, ""), phone=text.get(PHONE, ""))
            )
        except ValidationError as error:
            headers = {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}
            for field, messages in error.message_dict.items():
                bad(headers.get(field, NAME), messages[0])
        plan = self.plans.get(text.get(PLAN, "").removesuffix(".0"))
        if plan is None:
            bad(PLAN, _("No such plan here."))
        values["plan"] = plan
        unit = text.get(UNIT, "")
        values["organisation"] = self.units.get(normalise_organisation_name(unit)) if unit else None
        if unit and values["organisation"] is None:
            bad(UNIT, _("No organisation of this name is recorded here."))
        return values

    def unique_key(self, values: dict[str, Any]) -> Any:
        return values.get("id_number")

    def check_file(self, checked: Checked) -> None:
        """Refuse people enrolled already, and rows beyond each plan's places left."""
        problems: dict[int, RowError] = {}
        by_plan: dict[int, list[GoodRow]] = {}
        for good in checked.good:
            by_plan.setdefault(good.values["plan"].pk, []).append(good)
        for plan_id, rows in by_plan.items():
            plan = rows[0].values["plan"]
            enrolled = set(
                Enrollment.objects.filter(
                    plan_id=plan_id, id_index__in=[blind_index(r.values["id_number"]) for r in rows]
                ).values_list("id_index", flat=True)
            )
            left = plan.places_left
            for good in rows:
                if blind_index(good.values["id_number"]) in enrolled:
                    problems[good.row] = RowError(
                        good.row, ID_NUMBER, _("This person is enrolled in the plan already.")
                    )
                elif left <= 0:
                    problems[good.row] = RowError(good.row, PLAN, _("No place left in the plan's budget."))
                else:
                    left -= 1
        checked.reject(problems, self.columns)

    def write_batch(self, rows: list[GoodRow]) -> int:
        by_plan: dict[int, list[GoodRow]] = {}
        for good in rows:
            by_plan.setdefault(good.values["plan"].pk, []).append(good)
        created = 0
        for group in by_plan.values():
            created += len(
                enrollments_create(
                    actor=self.actor,
                    plan=group[0].values["plan"],
                    members=[
                        MemberData(
                            name=g.values["name"],
                            id_number=g.values["id_number"],
                            phone=g.values["phone"],
                            organisation=g.values["organisation"],
                        )
                        for g in group
                    ],
                    source=EnrollmentSource.FILE,
                    audit=False,
                )
            )
        return created

    def write_done(self, checked: Checked, created: int) -> None:
        audit_log(
            action=WelfareAudit.ENROLLMENTS_IMPORTED,
            actor=self.actor,
            obj=None,
            place_path=self.place_path,
            details={"enrolled": created, "bad_rows": len(checked.bad_rows)},
        )


class UnitEnrollmentImporter(EnrollmentImporter):
    """The same staff list, uploaded by a member unit's own contact: the unit column names one of
    the units the uploader is the contact of (blank when they have one), the plan one of the plans
    at the place of their role; the writer enrolls through `unit_enroll`, so each row names the
    unit."""

    name = UNIT_IMPORTER
    title = gettext_lazy("Enroll our unit's staff")
    help_text = gettext_lazy(
        "One row per person: name, ID card number, mobile phone, the unit's name (may be left blank "
        "if you are the contact of one unit) and the plan's number (shown on your unit's page)."
    )
    permission = Perm.WELFARE_UNIT
    template_filename = "tongzhou-welfare-unit-enrollment-template.xlsx"

    def prepare(self) -> None:
        self.plans = {
            str(p.pk): p
            for p in Plan.objects.filter(subtree_q(self.place_path, "place_path"), ends_on__gte=timezone.localdate())
        }
        contacts = UnitContact.objects.filter(user=self.actor).select_related("organisation") if self.actor else []
        self.units = {c.organisation.normalised_name: c.organisation for c in contacts}
        self.only_unit = next(iter(self.units.values())) if len(self.units) == 1 else None

    def check_row(self, text: dict[str, str], cells: dict[str, Any], bad: Bad) -> dict[str, Any]:
        values = super().check_row(text, cells, bad)
        if not text.get(UNIT, ""):
            values["organisation"] = self.only_unit
            if self.only_unit is None:
                bad(UNIT, _("Name the unit: you are the contact of several."))
        return values

    def write_batch(self, rows: list[GoodRow]) -> int:
        groups: dict[tuple[int, int], list[GoodRow]] = {}
        for good in rows:
            groups.setdefault((good.values["plan"].pk, good.values["organisation"].pk), []).append(good)
        created = 0
        for group in groups.values():
            created += len(
                unit_enroll(
                    actor=self.actor,
                    organisation=group[0].values["organisation"],
                    plan=group[0].values["plan"],
                    members=[
                        MemberData(name=g.values["name"], id_number=g.values["id_number"], phone=g.values["phone"])
                        for g in group
                    ],
                    source=EnrollmentSource.FILE,
                    audit=False,
                )
            )
        return created
