"""Member units' own accounts: their contacts, plans, enrollments, invoices and staff-list imports."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tongzhou.core.access import id_or_404, scope_of
from tongzhou.core.imports.models import ImportJob
from tongzhou.core.imports.selectors import get_import_job_for_user
from tongzhou.core.permissions import Perm
from tongzhou.core.scope import Scope
from tongzhou.people.models import Organisation
from tongzhou.places.models import Place
from tongzhou.welfare.models import (
    Enrollment,
    EnrollmentSource,
    Invoice,
    Plan,
    UnitContact,
)


def unit_contacts_of(user: Any) -> QuerySet[UnitContact]:
    """The units `user` is the contact of, where they still hold the unit-contact role."""
    if not getattr(user, "is_authenticated", False):
        return UnitContact.objects.none()
    scope = scope_of(user, Perm.WELFARE_UNIT)
    if scope.is_empty:
        return UnitContact.objects.none()
    return UnitContact.objects.filter(user_id=user.pk).select_related("organisation").order_by("organisation__name")


def get_unit_for_user(*, user: Any, pk: Any) -> Organisation:
    """The organisation `pk` if `user` is its contact; 404 otherwise, as for no such unit."""
    pk = id_or_404(pk)
    contact = unit_contacts_of(user).filter(organisation_id=pk).first()
    if contact is None:
        raise Http404
    return contact.organisation


def unit_enrollments(user: Any, organisation: Organisation) -> QuerySet[Enrollment]:
    """The unit's members' enrollments in the plans of the contact's places (no claims, ever)."""
    return (
        Enrollment.objects.filter(scope_of(user, Perm.WELFARE_UNIT).q("place_path"), organisation=organisation)
        .select_related("plan")
        .order_by("-created_at", "-id")
    )


def _unit_q(user: Any) -> Q:
    """Rows (with `organisation` and `place_path`) of the units `user` is the contact of."""
    organisations = list(unit_contacts_of(user).values_list("organisation_id", flat=True))
    if not organisations:
        return Q(pk__in=[])
    return Q(organisation_id__in=organisations) & scope_of(user, Perm.WELFARE_UNIT).q("place_path")


def unit_invoices(user: Any, organisation: Organisation) -> QuerySet[Invoice]:
    return Invoice.objects.filter(_unit_q(user), organisation=organisation).select_related("plan")


def plan_units(plan: Plan) -> list[dict[str, Any]]:
    """Per member unit with members in the plan: enrolled (gifted places aside) and not yet billed.
    One query."""
    rows = (
        Enrollment.objects.filter(plan=plan, organisation__isnull=False)
        .exclude(source=EnrollmentSource.GIFT)
        .values("organisation_id", "organisation__name")
        .annotate(members=Count("id"), unbilled=Count("id", filter=Q(invoice_line__isnull=True)))
        .order_by("organisation__name")
    )
    return [
        {
            "organisation_id": r["organisation_id"],
            "name": r["organisation__name"],
            "members": r["members"],
            "unbilled": r["unbilled"],
            "due": plan.contribution * r["unbilled"],
        }
        for r in rows
    ]


def plan_invoices(plan: Plan) -> QuerySet[Invoice]:
    return plan.invoices.select_related("organisation").order_by("-created_at", "-id")


def unit_contacts_in(scope: Scope) -> QuerySet[UnitContact]:
    return UnitContact.objects.filter(scope.q("place_path")).select_related("organisation", "user")


def get_invoice_for_user(*, user: Any, pk: Any, write: bool = False) -> Invoice:
    """The invoice for the welfare officer of its plan's place, or for its unit's contact; 404
    otherwise. `write` asks the officer's access."""
    pk = id_or_404(pk)
    if not getattr(user, "is_authenticated", False):
        raise Http404
    visible = scope_of(user, Perm.WELFARE_MANAGE).q("place_path")
    if not write:
        visible |= _unit_q(user)
    invoice = Invoice.objects.filter(visible, pk=pk).select_related("plan__sponsor", "organisation").first()
    if invoice is None:
        raise Http404
    return invoice


UNIT_IMPORTER = "welfare_unit_enrollments"  # importers.UnitEnrollmentImporter.name


def unit_place(contact: UnitContact) -> Place:
    """The place of the contact's role: their files are imported into it."""
    return Place.objects.get(path=contact.place_path)


def get_unit_job_for_user(*, user: Any, pk: Any) -> ImportJob:
    """A unit contact's own upload: the importer's permission at its place, and uploaded by them
    (two units' contacts share a place, never each other's staff lists); 404 otherwise."""
    job = get_import_job_for_user(user=user, pk=pk, importer=UNIT_IMPORTER)
    if job.created_by_id != user.pk:
        raise Http404
    return job
