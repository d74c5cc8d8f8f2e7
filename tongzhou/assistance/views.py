from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongzhou.accounts.access import ScopedRequest, require_perm
from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import scope_for
from tongzhou.assistance.forms import (
    AssignForm,
    CategoryFilterForm,
    DeskFilterForm,
    IntakeForm,
    MoveForm,
    PurchaseForm,
)
from tongzhou.assistance.models import HelpRequest, Purchase, Source, Status
from tongzhou.assistance.selectors import (
    caller_matches,
    desk_requests,
    events_of,
    my_jobs,
    open_by_category_and_age,
    open_requests,
    purchases_of,
    visible_request,
)
from tongzhou.assistance.services import (
    HelpData,
    allowed_moves,
    assignee_candidates,
    help_request_assign,
    help_request_claim,
    help_request_create,
    help_request_transition,
    purchase_add,
    purchase_repaid,
)
from tongzhou.core.forms import form_errors
from tongzhou.core.permissions import Perm
from tongzhou.core.pii import mask_name, mask_phone
from tongzhou.people.models import Person
from tongzhou.people.selectors import get_person_for_user
from tongzhou.places.models import Household
from tongzhou.places.selectors import street_addresses

CALLER_MATCHES = 20


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _rows(requests: list[HelpRequest], *, full: bool) -> list[dict[str, object]]:
    """A list's lines: the street address for everyone, the room, name and phone only in full."""
    streets = street_addresses(r.place_path for r in requests)
    now = timezone.now()
    return [
        {
            "r": r,
            "name": r.contact_name if full else mask_name(r.contact_name),
            "address": f"{streets[r.place_path]} {r.household.room}" if full else streets[r.place_path],
            "overdue": r.is_open and r.due_at < now,
        }
        for r in requests
    ]


@require_perm(Perm.HELP_CLAIM)
def jobs(request: ScopedRequest) -> HttpResponse:
    """On the phone: my jobs, and the new requests of my area I may take (masked)."""
    form = CategoryFilterForm(request.GET or None)
    category = form.cleaned_data["category"] if form.is_valid() else ""
    page = Paginator(open_requests(request.scope, category=category), settings.TONGZHOU_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assistance/jobs.html",
        {
            "form": form,
            "mine": _rows(list(my_jobs(request.user)), full=True),
            "open": _rows(list(page.object_list), full=False),
            "page_obj": page,
            "query_prefix": f"category={category}&" if category else "",
            "can_desk": not scope_for(request.user, Perm.HELP_MANAGE).is_empty,
            "can_intake": not scope_for(request.user, Perm.HELP_INTAKE).is_empty,
        },
    )


@require_perm(Perm.HELP_MANAGE)
def desk(request: ScopedRequest) -> HttpResponse:
    """The community's desk: every request of the area, filtered, and the open ones by age."""
    form = DeskFilterForm(request.GET if request.GET else None)
    filters = form.cleaned_data if form.is_valid() else {"status": "open", "category": "", "overdue": False}
    page = Paginator(
        desk_requests(
            request.scope, status=filters["status"], category=filters["category"], overdue=filters["overdue"]
        ),
        settings.TONGZHOU_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assistance/desk.html",
        {
            "form": form,
            "rows": _rows(list(page.object_list), full=True),
            "page_obj": page,
            "query_prefix": f"{query.urlencode()}&" if query else "",
            "ages": open_by_category_and_age(request.scope),
        },
    )


def _intake_data(form: IntakeForm, scope_request: ScopedRequest) -> HelpData:
    data = form.cleaned_data
    person = None
    household = None
    if data["person"]:
        try:
            person = get_person_for_user(user=scope_request.user, pk=data["person"], perm=Perm.HELP_INTAKE)
        except Http404:
            person = None
        if person is None or person.merged_into_id:
            raise ValidationError({"contact_name": _("Choose the caller again.")})
    elif data["place"] is not None:
        household = (
            Household.objects.filter(place=data["place"], room=(data["room"] or "").strip())
            .select_related("place")
            .first()
        )
        if household is None:
            raise ValidationError({"room": _("No such room in the chosen building or unit.")})
    return HelpData(
        category=data["category"],
        urgency=data["urgency"],
        summary=data["summary"],
        person=person,
        household=household,
        contact_name=data["contact_name"] or "",
        contact_phone=data["contact_phone"] or "",
    )


@require_perm(Perm.HELP_INTAKE)
def intake(request: ScopedRequest) -> HttpResponse:
    form = IntakeForm(request.POST if request.method == "POST" else None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        try:
            help_request = help_request_create(
                actor=request.user,
                data=_intake_data(form, request),
                source=Source.PHONE,
                request=request,
            )
        except ValidationError as error:
            error_dict = getattr(error, "error_dict", {})
            if "household" in error_dict:
                error = ValidationError({"place": error_dict.pop("household")[0].messages, **error_dict})
            form_errors(form, error)
        else:
            messages.success(request, _("Request #%(n)s recorded.") % {"n": help_request.pk})
            return redirect("assistance:detail", pk=help_request.pk)
    return render(request, "assistance/intake.html", {"form": form})


@require_perm(Perm.HELP_INTAKE)
def callers(request: ScopedRequest) -> HttpResponse:
    """htmx: residents in the area whose phone ends with the digits typed (at least 4)."""
    digits = "".join(c for c in request.GET.get("last4", "") if c.isdigit())[-4:]
    people: list[Person] = []
    if len(digits) == 4:
        people = caller_matches(request.scope, digits, limit=CALLER_MATCHES)
    streets = street_addresses(p.place_path for p in people)
    return render(
        request,
        "assistance/_callers.html",
        {
            "digits": digits,
            "matches": [
                {"person": p, "address": f"{streets[p.place_path]} {p.household.room}", "phone": mask_phone(p.phone)}
                for p in people
            ],
        },
    )


def _source_url(user: User, help_request: HelpRequest) -> str:
    """The link back to the health check a request came from: for health roles only (HEALTH_VIEW
    over its place); others see the committee as the source and nothing of the check."""
    kind, _sep, ref = help_request.source_ref.partition(":")
    if (
        help_request.source != Source.HEALTH_CHECK
        or kind != "monitoring.healthcheck"
        or not ref.isdigit()
        or not scope_for(user, Perm.HEALTH_VIEW).contains(help_request.place_path)
    ):
        return ""
    return reverse("monitoring:check", args=[int(ref)])


@require_perm(Perm.HELP_CLAIM)
def detail(request: ScopedRequest, pk: int) -> HttpResponse:
    seen = visible_request(request.user, pk)
    help_request = seen.help_request
    full = seen.full
    return render(
        request,
        "assistance/detail.html",
        {
            "r": help_request,
            "row": _rows([help_request], full=full)[0],
            "full": full,
            "manages": seen.manages,
            "source_url": _source_url(request.user, help_request) if full else "",
            "phone": help_request.contact_phone if full else mask_phone(help_request.contact_phone or ""),
            "moves": [(s, Status(s).label) for s in allowed_moves(request.user, help_request)] if full else [],
            "move_form": MoveForm(),
            "purchase_form": PurchaseForm(),
            "can_purchase": full
            and help_request.status in (Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING, Status.REOPENED),
            "can_assign": seen.manages
            and help_request.status in (Status.NEW, Status.REOPENED, Status.ASSIGNED, Status.IN_PROGRESS),
            "events": events_of(help_request) if full else [],
            "purchases": purchases_of(help_request) if full else [],
        },
    )


@require_POST
@require_perm(Perm.HELP_CLAIM)
def claim(request: ScopedRequest, pk: int) -> HttpResponse:
    help_request = visible_request(request.user, pk).help_request
    try:
        help_request_claim(actor=request.user, help_request=help_request, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assistance:jobs")
    messages.success(request, _("The request is yours. The address and phone are shown to you only."))
    return redirect("assistance:detail", pk=pk)


@require_POST
@require_perm(Perm.HELP_CLAIM)
def move(request: ScopedRequest, pk: int) -> HttpResponse:
    seen = visible_request(request.user, pk)
    if not seen.full:
        raise Http404
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            help_request_transition(
                actor=request.user,
                help_request=seen.help_request,
                to=form.cleaned_data["to"],
                note=form.cleaned_data["note"],
                site_url=_site_url(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Status changed."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    if visible_or_none(request.user, pk) is None:
        return redirect("assistance:jobs")
    return redirect("assistance:detail", pk=pk)


def visible_or_none(user: User, pk: int) -> HelpRequest | None:
    try:
        return visible_request(user, pk).help_request
    except Http404:
        return None


@require_perm(Perm.HELP_MANAGE)
def assign(request: ScopedRequest, pk: int) -> HttpResponse:
    seen = visible_request(request.user, pk)
    if not seen.manages:
        raise Http404
    candidates = assignee_candidates(seen.help_request)
    form = AssignForm(request.POST if request.method == "POST" else None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        assignee = next(u for u in candidates if str(u.pk) == form.cleaned_data["assignee"])
        try:
            help_request_assign(actor=request.user, help_request=seen.help_request, assignee=assignee, request=request)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Assigned to %(who)s.") % {"who": assignee})
            return redirect("assistance:detail", pk=pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Assign request #%(n)s") % {"n": pk},
            "cancel_url": reverse("assistance:detail", args=[pk]),
        },
    )


@require_POST
@require_perm(Perm.HELP_CLAIM)
def purchase_new(request: ScopedRequest, pk: int) -> HttpResponse:
    seen = visible_request(request.user, pk)
    if not seen.full:
        raise Http404
    form = PurchaseForm(request.POST, request.FILES)
    if form.is_valid():
        receipt = form.cleaned_data["receipt"]
        try:
            purchase_add(
                actor=request.user,
                help_request=seen.help_request,
                items=form.cleaned_data["items"],
                amount=form.cleaned_data["amount"],
                receipt=receipt.read() if receipt else None,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Purchase recorded."))
    else:
        messages.error(
            request,
            " ".join(f"{form.fields[f].label}: {e}" for f, errors in form.errors.items() for e in errors),
        )
    return redirect("assistance:detail", pk=pk)


def _purchase(request: ScopedRequest, pk: int, purchase_pk: int) -> Purchase:
    seen = visible_request(request.user, pk)
    if not seen.full:
        raise Http404
    return get_object_or_404(Purchase.objects.select_related("help_request"), pk=purchase_pk, help_request=pk)


@require_perm(Perm.HELP_CLAIM)
def receipt(request: ScopedRequest, pk: int, purchase_pk: int) -> HttpResponse:
    purchase = _purchase(request, pk, purchase_pk)
    if not purchase.receipt:
        raise Http404
    response = HttpResponse(bytes(purchase.receipt), content_type=purchase.receipt_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@require_perm(Perm.HELP_MANAGE)
def repaid(request: ScopedRequest, pk: int, purchase_pk: int) -> HttpResponse:
    purchase_repaid(actor=request.user, purchase=_purchase(request, pk, purchase_pk))
    messages.success(request, _("Marked as repaid."))
    return redirect("assistance:detail", pk=pk)
